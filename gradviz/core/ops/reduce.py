"""Reductions: sum, mean and max, over all elements or along one axis.

max along an axis sends the whole gradient to the first maximum of each slice, as
PyTorch's max(dim) does (its index is the one argmax returns)."""
from __future__ import annotations

import math

from ..devices import device_of
from .spec import Code, OpSpec, Param, register


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


def _reduction_code(module, name, per_element):
    """Code of a reduction (np.sum, torch.mean, …) of all elements or along the axis;
    its gradient spreads g back over what was reduced: each element gets
    `per_element`, a template in `{spread}` (g, its reduced axis put back) and `{n}`
    (how many elements each output reduced)."""
    keyword = "dim" if module == "torch" else "axis"

    def forward(params, shapes):
        if params["axis"] is None:
            return f"{module}.{name}({{a}})"
        return f"{module}.{name}({{a}}, {keyword}={{axis}})"

    def grad(params, shapes):
        axis = params["axis"]
        spread = "{g}" if axis is None else "np.expand_dims({g}, {axis})"
        n = math.prod(shapes["a"]) if axis is None else shapes["a"][axis]
        return per_element.format(spread=spread, n=max(n, 1), a="{a}")

    return forward, grad


def reduction(name, title, doc, forward, scale=None, code=""):
    """An op reducing all elements or one axis; backward spreads g back over what was
    reduced, times `scale(a, axis)` (mean: 1/n). `code`: what each element of the input
    gets back, in exported code (see _reduction_code)."""
    def vjp(xp, g, out, a, axis):
        return (_spread(xp, g, a, axis, None if scale is None else scale(a, axis)),)

    numpy_forward, numpy_grad = _reduction_code("np", name, code)
    torch_forward, _ = _reduction_code("torch", name, code)
    register(OpSpec(
        name, inputs=("a",), category="Reduce", title=title, doc=doc,
        params=(Param("axis", "axis", None, "Axis to reduce along (empty: all elements)"),),
        shape=_reduced_shape,
        forward=lambda xp, a, axis: xp.asarray(forward(xp, a, axis=axis)),
        vjp=vjp, numpy=Code(numpy_forward, (numpy_grad,)), torch=Code(torch_forward),
    ))


reduction("sum", "Sum",
          "Sum of all elements, or along one axis. Backward: g copied to every element summed.",
          lambda xp, a, axis: xp.sum(a, axis=axis),
          code="{spread} * np.ones_like({a})")
reduction("mean", "Mean",
          "Mean of all elements, or along one axis. Backward: g/n to every element averaged.",
          lambda xp, a, axis: xp.mean(a, axis=axis),
          scale=lambda a, axis: 1 / max(_count(a, axis), 1),
          code="{spread} / {n} * np.ones_like({a})")


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


# The same in an exported NumPy script.
FIRST_MAX = ("first_max", '''
def first_max(a, axis):
    """True at the first maximum along `axis` (where the gradient of max goes), as
    PyTorch's max(dim) chooses."""
    positions = np.arange(a.shape[axis])
    shape = [1] * a.ndim
    shape[axis] = a.shape[axis]
    return np.reshape(positions, shape) == np.argmax(a, axis=axis, keepdims=True)
''')

register(OpSpec(
    "max", inputs=("a",), category="Reduce", title="Max",
    doc="Maximum along one axis. Backward: g goes to the first maximum, 0 elsewhere.",
    params=(Param("axis", "axis", -1, "Axis to take the maximum along"),),
    shape=_max_shape,
    forward=lambda xp, a, axis: xp.max(a, axis=axis),
    vjp=_max_vjp,
    numpy=Code("np.max({a}, axis={axis})",
               ("np.where(first_max({a}, {axis}), np.expand_dims({g}, {axis}), 0.0)",),
               helpers=(FIRST_MAX,)),
    torch=Code("torch.max({a}, dim={axis}).values"),
))
