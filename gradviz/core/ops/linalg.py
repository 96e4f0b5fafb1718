"""Matrix multiplication, 2-d and batched, with NumPy's rules for 1-d operands."""
from __future__ import annotations

from ..shapes import broadcast_shapes
from .spec import OpSpec, register


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


register(OpSpec(
    "matmul", inputs=("a", "b"), category="Linear algebra", title="Matmul",
    doc="Matrix product a @ b; leading axes are batches (broadcast). "
        "Backward: ∂a = g @ bᵀ, ∂b = aᵀ @ g.",
    shape=_matmul_shape,
    forward=lambda xp, a, b: xp.matmul(a, b),
    vjp=_matmul_vjp, operator="@",
))
