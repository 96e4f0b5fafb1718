"""Elementwise ops with NumPy broadcasting. Rules return gradients in the output's
shape; the engine sums them back to each input's shape."""
from __future__ import annotations

from ..shapes import broadcast_shapes
from .spec import OpSpec, register


def _broadcast(params, *shapes):
    return broadcast_shapes(*shapes)


register(OpSpec(
    "mul", inputs=("a", "b"), title="Multiply", doc="a * b, elementwise with broadcasting.",
    shape=_broadcast,
    forward=lambda xp, a, b: a * b,
    vjp=lambda xp, g, out, a, b: (g * b, g * a),
))

register(OpSpec(
    "add", inputs=("a", "b"), title="Add", doc="a + b, elementwise with broadcasting.",
    shape=_broadcast,
    forward=lambda xp, a, b: a + b,
    vjp=lambda xp, g, out, a, b: (g, g),  # passed on, not copied: gradients are never mutated
))
