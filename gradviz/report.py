"""Text and JSON reports of a run, for the command line. Qt-free."""
from __future__ import annotations

import json
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


def text_report(graph, result, health=None) -> str:
    """A table of every node, the full arrays of small ones, and with `health`
    ({node: [Flag]}) the gradient health flags."""
    header = ["node", "op", "shape", "value min", "max", "mean", "grad min", "max", "mean"]
    rows = [header]
    small = []
    for node_id in result.order:
        value, grad = result.value(node_id), result.grad(node_id)
        rows.append([one_line(graph.nodes[node_id].title), graph.nodes[node_id].op, str(tuple(value.shape)),
                     *_stats(value), *_stats(grad)])
        if value.size <= SMALL:
            small.append((graph.nodes[node_id].title, value, grad))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"device {result.device.name}, {result.dtype}; gradients of "
             f"sum({one_line(graph.nodes[result.target].title)})", ""]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    for node_id, value, grad in small:
        name = one_line(node_id)
        lines += ["", f"{name} value:", _full(value), f"{name} grad:", _full(grad)]
    if health is not None:
        lines += ["", "health: " + ("nothing to flag" if not health else "")]
        lines += [f"  {one_line(graph.nodes[n].title)}: {flag.name}: {flag.reason}"
                  for n, flags in health.items() for flag in flags]
    return "\n".join(lines) + "\n"


def number(v):
    """A float as JSON; NaN and ±Inf (not JSON) become "nan", "inf", "-inf"."""
    if math.isfinite(v):
        return repr(v)
    return '"nan"' if math.isnan(v) else ('"inf"' if v > 0 else '"-inf"')


def _write_array(out, arr):
    """Nested lists, written a row at a time (a large array is never one string)."""
    if arr.ndim == 0:
        out.write(number(float(arr)))
    elif arr.ndim == 1:
        out.write("[" + ", ".join(map(number, arr.tolist())) + "]")
    else:
        out.write("[")
        for i, row in enumerate(arr):
            out.write(", " if i else "")
            _write_array(out, row)
        out.write("]")


def report_numbers(result):
    """How many numbers the JSON report holds: values, gradients, edge gradients."""
    nodes = sum(2 * math.prod(result.shapes[n]) for n in result.order)
    return nodes + sum(math.prod(result.shapes[src]) for src, _, _ in result.edges())


def write_json_report(result, out, health=None):
    """The run as JSON: device, dtype, target, every node's shape, value and gradient,
    every edge's gradient, and with `health` the flags ({id: [names]}). Streamed:
    memory stays about one array's worth."""
    def key(text):
        return json.dumps(text)

    out.write(f'{{"device": {key(result.device.name)}, "dtype": {key(result.dtype)}, '
              f'"target": {key(result.target)}, "nodes": {{')
    for i, n in enumerate(result.order):
        out.write(f'{", " if i else ""}{key(n)}: {{"shape": {list(result.shapes[n])}, '
                  '"value": ')
        _write_array(out, result.value(n))
        out.write(', "grad": ')
        _write_array(out, result.grad(n))
        out.write("}")
    out.write('}, "edges": [')
    for i, (src, dst, port) in enumerate(result.edges()):
        out.write(f'{", " if i else ""}{{"from": {key(src)}, "to": {key(dst)}, '
                  f'"port": {key(port)}, "grad": ')
        _write_array(out, result.edge_grad(src, dst, port))
        out.write("}")
    out.write("]")
    if health is not None:
        out.write(', "health": ' + json.dumps({n: [f.name for f in flags]
                                               for n, flags in health.items()}))
    out.write("}\n")
