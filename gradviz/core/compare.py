"""Compare two runs of one graph on two settings (device and precision): per node,
the largest difference of values and of gradients."""
from __future__ import annotations

import numpy as np

from .devices import get_device
from .errors import GradvizError
from .graph import DTYPES


def parse_setting(text):
    """(device, dtype) from "cpu:float32", "gpu:1:float64", "gpu" (dtype: float64)."""
    parts = str(text).split(":")
    dtype = parts.pop() if parts[-1] in DTYPES else DTYPES[0]
    device = ":".join(parts)
    if not device:
        raise GradvizError(f"setting {text!r}: expected DEVICE[:DTYPE], e.g. cpu:float32")
    get_device(device)   # DeviceError, with the reason, when it is unavailable
    return device, dtype


def compare(graph, a, b, target=None):
    """{node: {"value": (max abs, max rel), "grad": (max abs, max rel)}} between runs
    on settings `a` and `b` ((device, dtype) pairs); rel is relative to the larger
    magnitude of the first run's array (at least 1e-30)."""
    runs = []
    for device, dtype in (a, b):
        copy = graph.copy()
        copy.dtype = dtype
        runs.append(copy.run(device=device, target=target))
    first, second = runs
    out = {}
    for node_id in first.order:
        out[node_id] = {kind: _difference(getattr(first, kind)(node_id),
                                          getattr(second, kind)(node_id))
                        for kind in ("value", "grad")}
    return out


def _difference(x, y):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.size == 0:
        return 0.0, 0.0
    diff = np.abs(x - y)
    finite = np.isfinite(diff)
    worst = float(diff[finite].max()) if finite.any() else 0.0
    scale = max(float(np.abs(x[np.isfinite(x)]).max(initial=0.0)), 1e-30)
    return worst, worst / scale
