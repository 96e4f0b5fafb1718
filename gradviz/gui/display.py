"""What the canvas shows for a run: heatmap panels per node, edge magnitudes, and the
color limits. Qt-free: it turns a RunResult into plain descriptions."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import colors
from .format import shape_text

VIEWS = ("values", "grads", "both")
KINDS = {"values": ("value",), "grads": ("grad",), "both": ("value", "grad")}
NODE_WIDTH = 180
PANEL_GAP = 6
PANEL_HEIGHT = 110
BADGE = 22            # edge badge: at most this many pixels (and cells) a side
EDGE_FLOOR = 0.18     # darkest edge color, so a vanishing gradient stays visible


@dataclass
class Panel:
    """One heatmap of a node. preview None: nothing to show (`note` says why)."""
    kind: str             # "value" or "grad"
    preview: object
    low: float
    high: float
    table: object
    caption: str
    note: str = ""
    scalar_text: str = ""


def panel_width(view):
    n = len(KINDS[view])
    return int((NODE_WIDTH - 16 - PANEL_GAP * (n - 1)) / n)


def preview_of(result, node_id, kind, view):
    return result.preview(node_id, kind, PANEL_HEIGHT, panel_width(view))


def prepare(result, view):
    """Reduce everything the canvas will show (run in the worker thread, so the GUI
    thread only colors and paints): node previews, edge badges and magnitudes."""
    for node_id in result.order:
        for kind in KINDS[view]:
            preview_of(result, node_id, kind, view)
    for src, dst, port in result.edges():
        result.edge_rms(dst, port)
        if view == "values":
            result.preview(src, "value", BADGE, BADGE)
        else:
            result.edge_preview(dst, port, BADGE, BADGE)


def limits(result, view, shared):
    """{(node, kind): m} for symmetric levels (-m, m): each node's own finite maximum,
    or with `shared` one maximum per kind over the whole graph."""
    own = {}
    for node_id in result.order:
        for kind in KINDS[view]:
            preview = preview_of(result, node_id, kind, view)
            own[(node_id, kind)] = None if preview is None else colors.finite_absmax(preview.data)
    if not shared:
        return {key: colors.symmetric_limit(m) for key, m in own.items()}
    per_kind = {kind: colors.symmetric_limit(*(m for (n, k), m in own.items() if k == kind))
                for kind in KINDS[view]}
    return {key: per_kind[key[1]] for key in own}


def node_panels(result, node_id, view, limit_of):
    """(panels, warning) for one node."""
    panels, bad = [], []
    table = colors.lut(colors.DIVERGING)
    for kind in KINDS[view]:
        preview = preview_of(result, node_id, kind, view)
        prefix = "∇ " if kind == "grad" else ("v " if view == "both" else "")
        if preview is None:  # the node's tooltip says why
            panels.append(Panel(kind, None, 0, 1, table, f"{prefix}0", note="no gradient"))
            continue
        m = limit_of[(node_id, kind)]
        data = preview.data
        # Both views side by side leave no room for the shape: the header shows it.
        shape = "" if view == "both" else shape_text(preview.shape) + " "
        if data.size == 1:
            scalar = f"{float(data.reshape(-1)[0]):.6g}"
            panels.append(Panel(kind, preview, -m, m, table, f"{prefix}{shape}".strip(),
                                scalar_text=scalar))
        else:
            panels.append(Panel(kind, preview, -m, m, table, f"{prefix}{shape}±{m:.3g}"))
        if not np.isfinite(data).all():
            bad.append("gradient" if kind == "grad" else "value")
    warning = f"NaN or Inf in the {' and the '.join(bad)}" if bad else ""
    return panels, warning


def edge_magnitudes(result):
    """{(dst, port): RMS of the gradient flowing back through the edge}; NaN where it
    holds NaN or Inf, None where no gradient flows."""
    return {(dst, port): result.edge_rms(dst, port) for _, dst, port in result.edges()}


def edge_style(magnitude, top):
    """(rgb, width) of an edge whose gradient RMS is `magnitude` (graph maximum `top`)."""
    if magnitude is None:
        return (90, 92, 98), 1.5
    if not math.isfinite(magnitude):  # NaN or Inf somewhere in the gradient
        return colors.NAN, 3.0
    t = magnitude / top if top > 0 else 0.0
    t = EDGE_FLOOR + (1 - EDGE_FLOOR) * min(max(t, 0.0), 1.0)
    table = colors.lut(colors.SEQUENTIAL)
    return tuple(int(c) for c in table[int(round(t * 255))]), 1.5 + 2.5 * t


def describe_cell(result, node_id, kind, lead, row, col, view):
    """Tooltip text for a heatmap cell: index, value and gradient at full precision
    (a block's mean where the preview averages several elements)."""
    preview = preview_of(result, node_id, kind, view)
    index = preview.source_index(lead, row, col)
    if all(isinstance(i, int) for i in index):
        value = result.element(node_id, "value", index)
        grad = result.element(node_id, "grad", index)
        where = f"{node_id}[{', '.join(map(str, index))}]" if index else node_id
        return f"{where}\nvalue = {value!r}\ngrad  = {grad!r}"
    ranges = ", ".join(f"{i}" if isinstance(i, int) else f"{i[0]}:{i[1]}" for i in index)
    cell = preview.data[(*lead, row, col)] if preview.data.ndim > 2 else preview.data[row, col]
    name = "gradient" if kind == "grad" else "value"
    return f"{node_id}[{ranges}]\nmean {name} of the block = {float(cell)!r}"
