"""Compare two runs of one graph on two settings (device and precision): per node,
the largest difference of values and of gradients."""
from __future__ import annotations

import numpy as np

from .devices import get_device
from .errors import GradvizError
from .graph import DTYPES
from .preview import Previews


def parse_setting(text):
    """(device, dtype) from "cpu:float32", "gpu:1:float64", "gpu" (dtype: float64)."""
    parts = str(text).split(":")
    dtype = parts.pop() if parts[-1] in DTYPES else DTYPES[0]
    device = ":".join(parts)
    if not device:
        raise GradvizError(f"setting {text!r}: expected DEVICE[:DTYPE], e.g. cpu:float32")
    get_device(device)   # DeviceError, with the reason, when it is unavailable
    return device, dtype


KINDS = ("value", "grad")


def differences(graph, a, b, target=None, progress=None):
    """{node: {"value": |x_a - x_b|, "grad": ...}} (host float64 arrays) and the first
    run, between runs on settings `a` and `b` ((device, dtype) pairs). `progress`
    (done, total) is told after each run."""
    runs = []
    for i, (device, dtype) in enumerate((a, b)):
        copy = graph.copy()
        copy.dtype = dtype
        runs.append(copy.run(device=device, target=target))
        if progress is not None and progress(i + 1, 2) is False:
            raise GradvizError("comparison cancelled")
    first, second = runs
    arrays = {n: {kind: None if kind == "grad" and not first.affects_target(n) else
                  np.abs(np.asarray(getattr(first, kind)(n), np.float64)
                         - np.asarray(getattr(second, kind)(n), np.float64))
                  for kind in KINDS} for n in first.order}
    return arrays, first


def compare(graph, a, b, target=None):
    """{node: {"value": (max abs, max rel), "grad": (max abs, max rel)}} between runs
    on settings `a` and `b`; rel is relative to the largest magnitude of the first
    run's array (at least 1e-30)."""
    arrays, first = differences(graph, a, b, target)
    return {n: {kind: _largest(diff[kind], getattr(first, kind)(n))
                for kind in KINDS if diff[kind] is not None}
            for n, diff in arrays.items()}


def _largest(diff, x):
    if diff.size == 0:
        return 0.0, 0.0
    finite = np.isfinite(diff)
    worst = float(diff[finite].max()) if finite.any() else 0.0
    scale = max(float(np.abs(x[np.isfinite(x)]).max(initial=0.0)), 1e-30)
    return worst, worst / scale


def attach(result, arrays):
    """Keep the differences with a run, for the Compare view (on the run's device)."""
    kept = result.derived.setdefault("arrays", {})
    for node_id, diff in arrays.items():
        for kind in KINDS:
            if node_id in result and diff[kind] is not None:
                kept[(node_id, f"{kind} diff")] = result.device.asarray(diff[kind], "float64")
    for kind in KINDS:   # shown before the comparison: "not compared"
        Previews.of(result).forget(f"{kind} diff")
