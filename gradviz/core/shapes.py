"""Broadcasting shapes forward and summing gradients back (NumPy's rules)."""
from __future__ import annotations


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
