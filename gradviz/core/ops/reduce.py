"""Reductions: sum, mean and max, over all elements or along one axis.

max along an axis sends the whole gradient to the first maximum of each slice, as
PyTorch's max(dim) does (its index is the one argmax returns)."""
from __future__ import annotations

import math

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


def _spread(xp, g, a, axis, scale=None):
    """g broadcast back over the reduced axis, as a fresh array of a's shape."""
    if axis is not None:
        g = xp.expand_dims(g, axis=axis)
    out = xp.zeros_like(a)
    out += g if scale is None else g * scale  # in place into our own new array
    return out


def _count(a, axis):
    return math.prod(a.shape) if axis is None else a.shape[axis]


AXIS = Param("axis", "axis", None, "Axis to reduce along (empty: all elements)")

register(OpSpec(
    "sum", inputs=("a",), category="Reduce", title="Sum",
    doc="Sum of all elements, or along one axis. Backward: g copied to every element summed.",
    params=(AXIS,),
    shape=_reduced_shape,
    forward=lambda xp, a, axis: xp.asarray(xp.sum(a, axis=axis)),
    vjp=lambda xp, g, out, a, axis: (_spread(xp, g, a, axis),),
))

register(OpSpec(
    "mean", inputs=("a",), category="Reduce", title="Mean",
    doc="Mean of all elements, or along one axis. Backward: g/n to every element averaged.",
    params=(AXIS,),
    shape=_reduced_shape,
    forward=lambda xp, a, axis: xp.asarray(xp.mean(a, axis=axis)),
    vjp=lambda xp, g, out, a, axis: (_spread(xp, g, a, axis, 1 / max(_count(a, axis), 1)),),
))


def _max_shape(params, a):
    if params["axis"] is None:
        raise ValueError("max needs an axis")
    if a[params["axis"] % len(a)] == 0:
        raise ValueError("max of an empty axis")
    return _reduced_shape(params, a)


def _max_vjp(xp, g, out, a, axis):
    first = xp.argmax(a, axis=axis, keepdims=True)
    positions = xp.arange(a.shape[axis], device=_device(a))
    shape = [1] * a.ndim
    shape[axis] = a.shape[axis]
    chosen = xp.reshape(positions, tuple(shape)) == first
    return (xp.where(chosen, xp.expand_dims(g, axis=axis), xp.zeros_like(a)),)


def _device(a):
    from array_api_compat import device
    return device(a)


register(OpSpec(
    "max", inputs=("a",), category="Reduce", title="Max",
    doc="Maximum along one axis. Backward: g goes to the first maximum, 0 elsewhere.",
    params=(Param("axis", "axis", -1, "Axis to take the maximum along"),),
    shape=_max_shape,
    forward=lambda xp, a, axis: xp.max(a, axis=axis),
    vjp=_max_vjp,
))
