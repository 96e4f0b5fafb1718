"""Short text for numbers and arrays on the canvas. Pure functions, no Qt."""
import numpy as np


def number(v):
    return f"{v:.4g}"


def shape_text(shape):
    return "×".join(map(str, shape)) if shape else "scalar"


def describe(array):
    """'= 6.77' for a scalar, else '[min, max]' over finite values (plus NaN/Inf count)."""
    a = np.asarray(array)
    if a.size == 1:
        return f"= {number(a.reshape(-1)[0])}"
    if a.size == 0:
        return "empty"
    finite = np.isfinite(a)
    text = (f"[{number(a[finite].min())}, {number(a[finite].max())}]"
            if finite.any() else "no finite values")
    bad = a.size - int(finite.sum())
    return text + (f" {bad} non-finite" if bad else "")


def summary_lines(value, grad):
    """Two lines for a node body: its value and its gradient (None: off the target path)."""
    head = f"{shape_text(value.shape)} " if value.ndim else ""
    return [f"v {head}{describe(value)}",
            f"∇ {describe(grad)}" if grad is not None else "∇ none (not upstream of target)"]
