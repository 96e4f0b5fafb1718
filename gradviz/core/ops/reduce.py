"""Reductions."""
from __future__ import annotations

from .spec import OpSpec, Param, register


def _check_axis(axis, ndim):
    if axis is not None and not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for {ndim}-d input")


def _reduced_shape(params, a):
    axis = params["axis"]
    _check_axis(axis, len(a))
    if axis is None:
        return ()
    return tuple(d for i, d in enumerate(a) if i != axis % len(a))


def _spread(xp, g, a, axis):
    """g broadcast back over the reduced axis, as a fresh array of a's shape."""
    if axis is not None:
        g = xp.expand_dims(g, axis=axis)
    out = xp.zeros_like(a)
    out += g  # in place into our own new array: one allocation, no broadcast view
    return out


register(OpSpec(
    "sum", inputs=("a",), category="Reduce", title="Sum",
    doc="Sum of all elements, or along one axis.",
    params=(Param("axis", "axis", None, "Axis to sum along (empty: all elements)"),),
    shape=_reduced_shape,
    forward=lambda xp, a, axis: xp.asarray(xp.sum(a, axis=axis)),
    vjp=lambda xp, g, out, a, axis: (_spread(xp, g, a, axis),),
))
