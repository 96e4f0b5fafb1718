"""Ops that only rearrange elements: reshape, transpose, flatten."""
from __future__ import annotations

import math

from .spec import Code, OpSpec, Param, literal, register


def _reshape_shape(params, a):
    if params["shape"] is None:
        raise ValueError("reshape needs a shape")
    target = list(params["shape"])
    size = math.prod(a)
    if target.count(-1) > 1:
        raise ValueError("at most one size may be -1")
    if any(d < -1 for d in target):
        raise ValueError(f"shape {tuple(target)} has a negative size")
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape {tuple(a)} to {tuple(target)}")
        target[target.index(-1)] = size // known
    if math.prod(target) != size:
        raise ValueError(f"cannot reshape {tuple(a)} ({size} elements) to {tuple(target)}")
    return tuple(target)


register(OpSpec(
    "reshape", inputs=("a",), category="Shape", title="Reshape",
    doc="The same elements in another shape (one size may be -1). "
        "Backward: g reshaped back.",
    params=(Param("shape", "ints", (-1,), "New shape; -1 is inferred"),),
    shape=_reshape_shape,
    forward=lambda xp, a, shape: xp.reshape(a, _reshape_shape({"shape": shape}, a.shape)),
    vjp=lambda xp, g, out, a, shape: (xp.reshape(g, a.shape),),
    numpy=Code("np.reshape({a}, {shape})", ("np.reshape({g}, {a}.shape)",)),
    torch=Code("torch.reshape({a}, {shape})"),
))


def _axes(axes, ndim):
    if axes is None:
        return tuple(range(ndim))[::-1]
    if sorted(a % ndim if -ndim <= a < ndim else a for a in axes) != list(range(ndim)):
        raise ValueError(f"axes {axes} are not a permutation of {ndim} axes")
    return tuple(a % ndim for a in axes)


def _transpose_shape(params, a):
    return tuple(a[i] for i in _axes(params["axes"], len(a)))


def _transpose_vjp(xp, g, out, a, axes):
    order = _axes(axes, a.ndim)
    inverse = tuple(sorted(range(a.ndim), key=order.__getitem__))
    return (xp.permute_dims(g, inverse),)


def _transpose_code(call, of):
    """A matrix's transpose as `{of}.T`, other permutations written out with `call`
    (np.transpose, torch.permute); of="g" gives the gradient: g permuted back."""
    def code(params, shapes):
        order = _axes(params["axes"], len(shapes["a"]))
        if of == "g":
            order = tuple(sorted(range(len(order)), key=order.__getitem__))
        if order == (1, 0):
            return f"{{{of}}}.T"
        return f"{call}({{{of}}}, {literal(order)})"
    return code


register(OpSpec(
    "transpose", inputs=("a",), category="Shape", title="Transpose",
    doc="Permute the axes (empty: reverse them; a matrix's transpose). "
        "Backward: g permuted back.",
    params=(Param("axes", "ints", None, "New order of the axes (empty: reversed)"),),
    shape=_transpose_shape,
    forward=lambda xp, a, axes: xp.permute_dims(a, _axes(axes, a.ndim)),
    vjp=_transpose_vjp,
    numpy=Code(_transpose_code("np.transpose", "a"), (_transpose_code("np.transpose", "g"),)),
    torch=Code(_transpose_code("torch.permute", "a")),
))


def _flatten_shape(params, a):
    start = params["start_axis"]
    if not 0 <= start < max(len(a), 1):
        raise ValueError(f"start_axis {start} is out of range for {len(a)}-d input")
    return tuple(a[:start]) + (math.prod(a[start:]),)


register(OpSpec(
    "flatten", inputs=("a",), category="Shape", title="Flatten",
    doc="Merge the axes from start_axis on into one (1: keep the batch axis). "
        "Backward: g reshaped back.",
    params=(Param("start_axis", "int", 1, "First axis to merge", low=0),),
    shape=_flatten_shape,
    forward=lambda xp, a, start_axis: xp.reshape(a, _flatten_shape({"start_axis": start_axis},
                                                                    a.shape)),
    vjp=lambda xp, g, out, a, start_axis: (xp.reshape(g, a.shape),),
    numpy=Code(lambda params, shapes: f"np.reshape({{a}}, {literal(shapes['out'])})",
               ("np.reshape({g}, {a}.shape)",)),
    torch=Code("torch.flatten({a}, start_dim={start_axis})"),
))
