"""Matrix multiplication, 2-d and batched, with NumPy's rules for 1-d operands."""
from __future__ import annotations

from ..shapes import broadcast_shapes
from .spec import Code, OpSpec, register


def _matmul_shape(params, a, b):
    if not a or not b:
        raise ValueError("matmul needs arrays of at least one dimension")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ValueError(f"inner sizes differ: {a2[-1]} and {b2[-2]}")
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    out = (*batch, a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def _matmul_vjp(xp, g, out, a, b):
    a2 = a if a.ndim > 1 else xp.reshape(a, (1, a.shape[0]))
    b2 = b if b.ndim > 1 else xp.reshape(b, (b.shape[0], 1))
    if b.ndim == 1:
        g = xp.expand_dims(g, axis=-1)
    if a.ndim == 1:
        g = xp.expand_dims(g, axis=-2)
    ga = xp.matmul(g, xp.matrix_transpose(b2))
    gb = xp.matmul(xp.matrix_transpose(a2), g)
    if a.ndim == 1:
        ga = ga[..., 0, :]
    if b.ndim == 1:
        gb = gb[..., 0]
    return ga, gb  # batch axes are summed back to each input's shape by the engine


def _matmul_grad_shapes(params, out, a, b):
    """The vjp's gradients before the engine sums batch axes back: the broadcast batch
    axes, then each operand's own matrix (or vector) axes."""
    batch = broadcast_shapes(a[:-2], b[:-2]) if len(a) > 1 and len(b) > 1 else (
        b[:-2] if len(a) == 1 else a[:-2])
    return (*batch, *a[-2:]), (*batch, *b[-2:])


# The vjp in an exported NumPy script, where an operand is a vector.
MATMUL_GRADS = ("matmul_grads", '''
def matmul_grads(g, a, b):
    """Gradients of a @ b for 1-d a or b (NumPy's rules: a vector a is a row, a vector b
    a column), batch axes not yet summed back."""
    a2 = a if a.ndim > 1 else a.reshape(1, -1)
    b2 = b if b.ndim > 1 else b.reshape(-1, 1)
    if b.ndim == 1:
        g = np.expand_dims(g, -1)
    if a.ndim == 1:
        g = np.expand_dims(g, -2)
    ga = g @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g
    return (ga[..., 0, :] if a.ndim == 1 else ga), (gb[..., 0] if b.ndim == 1 else gb)
''')


def _transposed(name, ndim):
    return f"{{{name}}}.T" if ndim == 2 else f"np.swapaxes({{{name}}}, -1, -2)"


def _matmul_grad_code(port):
    """∂a = g @ bᵀ, ∂b = aᵀ @ g for matrices (and stacks of them); vectors go through
    matmul_grads."""
    def code(params, shapes):
        a, b = len(shapes["a"]), len(shapes["b"])
        if a == 1 or b == 1:
            return f"matmul_grads({{g}}, {{a}}, {{b}})[{'ab'.index(port)}]"
        return (f"{{g}} @ {_transposed('b', b)}" if port == "a"
                else f"{_transposed('a', a)} @ {{g}}")
    return code


register(OpSpec(
    "matmul", inputs=("a", "b"), category="Linear algebra", title="Matmul",
    doc="Matrix product a @ b; leading axes are batches (broadcast). "
        "Backward: ∂a = g @ bᵀ, ∂b = aᵀ @ g.",
    shape=_matmul_shape,
    forward=lambda xp, a, b: xp.matmul(a, b),
    vjp=_matmul_vjp, operator="@",
    numpy=Code("{a} @ {b}", (_matmul_grad_code("a"), _matmul_grad_code("b")),
               helpers=(MATMUL_GRADS,), grad_shapes=_matmul_grad_shapes),
    torch=Code("{a} @ {b}"),
))
