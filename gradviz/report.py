"""Text and JSON reports of a run, for the command line. Qt-free."""
from __future__ import annotations

import math

import numpy as np

SMALL = 16  # arrays up to this many elements are printed in full


def one_line(text):
    """Text safe to print on a terminal, on one line: control characters (an id's
    newline, a terminal escape) are shown escaped, as Python writes them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _stats(arr):
    finite = arr[np.isfinite(arr)]
    if finite.size == 0:
        return "-", "-", "-"
    return tuple(f"{v:.6g}" for v in (finite.min(), finite.max(), finite.mean()))


def _full(arr):
    if arr.ndim == 0:
        return repr(float(arr))
    return np.array2string(arr, precision=8, max_line_width=100)


def text_report(graph, result) -> str:
    header = ["node", "op", "shape", "value min", "max", "mean", "grad min", "max", "mean"]
    rows = [header]
    small = []
    for node_id in result.order:
        value, grad = result.value(node_id), result.grad(node_id)
        rows.append([one_line(node_id), graph.nodes[node_id].op, str(tuple(value.shape)),
                     *_stats(value), *_stats(grad)])
        if value.size <= SMALL:
            small.append((node_id, value, grad))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"device {result.device.name}, {result.dtype}; gradients of "
             f"sum({one_line(result.target)})", ""]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    for node_id, value, grad in small:
        name = one_line(node_id)
        lines += ["", f"{name} value:", _full(value), f"{name} grad:", _full(grad)]
    return "\n".join(lines) + "\n"


def _jsonable(arr):
    """Nested lists; NaN and ±Inf (not JSON) become the strings "nan", "inf", "-inf"."""
    data = arr.tolist()
    if np.isfinite(arr).all():
        return data

    def fix(v):
        if isinstance(v, list):
            return [fix(x) for x in v]
        if math.isfinite(v):
            return v
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return fix(data)


def json_report(result) -> dict:
    return {
        "device": result.device.name,
        "dtype": result.dtype,
        "target": result.target,
        "nodes": {n: {"shape": list(result.shapes[n]),
                      "value": _jsonable(result.value(n)),
                      "grad": _jsonable(result.grad(n))} for n in result.order},
        "edges": [{"from": src, "to": dst, "port": port,
                   "grad": _jsonable(result.edge_grad(src, dst, port))}
                  for src, dst, port in result.edges()],
    }
