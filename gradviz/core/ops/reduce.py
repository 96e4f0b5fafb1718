"""Reductions: sum, mean and max, over all elements or along one axis.

max along an axis sends the whole gradient to the first maximum of each slice, as
PyTorch's max(dim) does (its index is the one argmax returns)."""
from __future__ import annotations

import math

from ..devices import device_of
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


def reduction(name, title, doc, forward, scale=None):
    """An op reducing all elements or one axis; backward spreads g back over what was
    reduced, times `scale(a, axis)` (mean: 1/n)."""
    def vjp(xp, g, out, a, axis):
        return (_spread(xp, g, a, axis, None if scale is None else scale(a, axis)),)

    register(OpSpec(
        name, inputs=("a",), category="Reduce", title=title, doc=doc,
        params=(Param("axis", "axis", None, "Axis to reduce along (empty: all elements)"),),
        shape=_reduced_shape,
        forward=lambda xp, a, axis: xp.asarray(forward(xp, a, axis=axis)),
        vjp=vjp,
    ))


reduction("sum", "Sum",
          "Sum of all elements, or along one axis. Backward: g copied to every element summed.",
          lambda xp, a, axis: xp.sum(a, axis=axis))
reduction("mean", "Mean",
          "Mean of all elements, or along one axis. Backward: g/n to every element averaged.",
          lambda xp, a, axis: xp.mean(a, axis=axis),
          scale=lambda a, axis: 1 / max(_count(a, axis), 1))


def _max_shape(params, a):
    if params["axis"] is None:
        raise ValueError("max needs an axis")
    _check_axis(params["axis"], len(a))
    if a[params["axis"] % len(a)] == 0:
        raise ValueError("max of an empty axis")
    return _reduced_shape(params, a)


def _max_vjp(xp, g, out, a, axis):
    first = xp.argmax(a, axis=axis, keepdims=True)
    positions = xp.arange(a.shape[axis], device=device_of(a))
    shape = [1] * a.ndim
    shape[axis] = a.shape[axis]
    chosen = xp.reshape(positions, tuple(shape)) == first
    return (xp.where(chosen, xp.expand_dims(g, axis=axis), xp.zeros_like(a)),)


register(OpSpec(
    "max", inputs=("a",), category="Reduce", title="Max",
    doc="Maximum along one axis. Backward: g goes to the first maximum, 0 elsewhere.",
    params=(Param("axis", "axis", -1, "Axis to take the maximum along"),),
    shape=_max_shape,
    forward=lambda xp, a, axis: xp.max(a, axis=axis),
    vjp=_max_vjp,
))
