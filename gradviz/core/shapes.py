"""Shapes: their limits and text, broadcasting forward and summing gradients back
(NumPy's rules)."""
from __future__ import annotations

import math
import numbers

MAX_ELEMENTS = 2 ** 27  # 1 GiB of float64: the largest array a source may declare
MAX_NDIM = 8


def check_int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an integer, not {type(value).__name__}")
    return int(value)


def check_shape(value, what="shape"):
    """A tuple of sizes within the limits, or ValueError saying what is wrong."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{what} must be a list of sizes, not {type(value).__name__}")
    shape = tuple(check_int(d, f"{what} entry") for d in value)
    if len(shape) > MAX_NDIM:
        raise ValueError(f"{what} has {len(shape)} dimensions; at most {MAX_NDIM} are supported")
    if any(d < 0 for d in shape):
        raise ValueError(f"{what} {list(shape)} has a negative size")
    if any(d > MAX_ELEMENTS for d in shape):   # an empty array may not hide a huge axis
        raise ValueError(f"{what} {list(shape)} has a size over {MAX_ELEMENTS:,}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise ValueError(f"{what} {list(shape)} has {math.prod(shape):,} elements; "
                         f"the limit is {MAX_ELEMENTS:,}")
    return shape


def shape_text(shape):
    """How a shape reads on screen: 4×3, or scalar."""
    return "×".join(map(str, shape)) if shape else "scalar"


def broadcast_shapes(*shapes):
    """The shape NumPy broadcasting gives, or ValueError naming both shapes."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        size = 1
        for s in shapes:
            if len(s) < -axis:
                continue
            d = s[axis]
            if d != 1 and size != 1 and d != size:
                raise ValueError(
                    " and ".join(str(tuple(s)) for s in shapes) + " do not broadcast")
            if d != 1:
                size = d
        result.append(size)
    return tuple(result)


def sum_to(xp, g, shape):
    """Sum a broadcast gradient `g` back to `shape`: over the leading axes that
    broadcasting added and over the axes where `shape` has 1. Returns `g` itself
    when nothing needs summing (gradients are never written in place)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1)
    summed = xp.sum(g, axis=axes, keepdims=True) if axes else g
    return xp.reshape(summed, shape)
