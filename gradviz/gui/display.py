"""What the canvas shows for a run, decided without Qt: which reductions a view needs
(computed in the worker thread), heatmap panels and their color limits, edge colors
and widths, and hover text."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.check import TOLERANCE
from ..core.preview import Previews
from ..core.shapes import shape_text
from ..core.views import NAMES
from . import colors, layout

EDGE_FLOOR = 0.18     # darkest edge color, so a vanishing gradient stays visible
PREFIXES = {"value": "v ", "grad": "∇ ", "error": "err ", "value diff": "Δv ",
            "grad diff": "Δ∇ "}   # a panel caption's start
ROBUST_PERCENTILE = 99


@dataclass(frozen=True)
class ColorScale:
    """How heatmap limits are chosen: per node, or `shared` over the graph (one limit
    per kind; the target's own gradient, the all-ones seed of backward, left out);
    from the largest |x|, or with `robust` from the 99th percentile of |x|."""
    shared: bool = False
    robust: bool = False

    def magnitude(self, previews, node_id, kind, view, room=None):
        """The limit of the node's array (None where it has none): its largest finite
        |x|, or with `robust` the 99th percentile of |x| over the cells shown in
        `room` (see `node_preview`)."""
        if not self.robust:
            return previews.absmax(node_id, kind)
        preview = node_preview(previews, node_id, kind, view, room)
        if preview is None:
            return None
        a = np.abs(np.asarray(preview.data, dtype=np.float64))
        finite = a[np.isfinite(a)]
        return float(np.percentile(finite, ROBUST_PERCENTILE)) if finite.size else 0.0


@dataclass
class HeatmapPanel:
    """One heatmap in a node's body, colored between low and high. preview None:
    nothing to show (`note` says why)."""
    kind: str             # "value" or "grad"
    preview: object
    low: float
    high: float
    caption: str
    note: str = ""
    scalar_text: str = ""
    colormap: str = colors.DIVERGING


def node_preview(previews, node_id, kind, view, room=None):
    """The node's array reduced to fit one of the view's panels (in `room`, a
    layout.Room; by default a node's own size)."""
    room = room or layout.room(len(view.arrays))
    return view.reduce(previews, node_id, kind, *room.grid())


def edge_preview(previews, src, dst, port, view):
    """What an edge's badge shows in `view`: the value it carries or the gradient
    flowing back through it."""
    if view.edge_array == "value":
        return previews.node(src, "value", layout.BADGE, layout.BADGE)
    return previews.edge(dst, port, layout.BADGE, layout.BADGE)


def prepare(result, view, rooms, shown=None, scale=ColorScale()):
    """Reduce what the canvas will show first (in the worker thread, so the GUI thread
    only colors and paints): the previews and badges of the nodes and edges in
    `shown` (a set of node ids; None: all; the rest is reduced when it is shown),
    the largest |x| of their arrays (of every array for a shared scale; and every
    preview for a shared robust one, which takes its limits from the cells), and
    every edge's magnitude. `rooms`: the Room of each resized node's heatmaps."""
    previews = Previews.of(result)
    if scale.shared and scale.robust:
        shown = None
    for node_id in result.order:
        in_view = shown is None or node_id in shown
        for kind in view.arrays:
            if in_view or scale.shared:
                previews.absmax(node_id, kind)
            if in_view:
                node_preview(previews, node_id, kind, view, rooms.get(node_id))
    for src, dst, port in result.edges():
        previews.edge_rms(dst, port)
        if shown is None or dst in shown or src in shown:
            edge_preview(previews, src, dst, port, view)
    return previews


class OwnLimits(dict):
    """{(node, kind): m}, each node's own limit, worked out when first asked for (a
    node out of view is not reduced until it is shown)."""

    def __init__(self, previews, view, scale, rooms):
        super().__init__()
        self.previews, self.view, self.scale, self.rooms = previews, view, scale, rooms

    def __missing__(self, key):
        node_id, kind = key
        if kind not in self.view.arrays or node_id not in self.previews.result:
            raise KeyError(key)
        self[key] = colors.symmetric_limit(self.scale.magnitude(
            self.previews, node_id, kind, self.view, self.rooms.get(node_id)))
        return self[key]

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def limits(previews, view, scale, rooms):
    """{(node, kind): m} for symmetric levels (-m, m) under the ColorScale `scale`;
    the check view's errors always run from 0 to the check's tolerance. `rooms`: as for
    `prepare`."""
    if view.instrument == "check":
        return {(n, kind): TOLERANCE for n in previews.result.order for kind in view.arrays}
    if not scale.shared:
        return OwnLimits(previews, view, scale, rooms)
    own = {}
    for node_id in previews.result.order:
        for kind in view.arrays:
            own[(node_id, kind)] = scale.magnitude(previews, node_id, kind, view,
                                                   rooms.get(node_id))
    seed = (previews.result.target, "grad")
    per_kind = {kind: colors.symmetric_limit(*(m for (n, k), m in own.items()
                                               if k == kind and (n, k) != seed))
                for kind in view.arrays}
    return {key: per_kind[key[1]] for key in own}


def legend_limits(limit_of, view, scale):
    """{kind: the shared limit, or None for per-node limits}, as the legend states them."""
    fixed = scale.shared or view.instrument == "check"
    shared_of = {kind: m for (_, kind), m in limit_of.items()} if fixed else {}
    return {kind: shared_of.get(kind) for kind in view.arrays}


def badge_limit(preview, limit_of, src, view, shared):
    """An edge badge's limit: its source node's where it shows that node's value or the
    scale is shared, else its own."""
    limit = limit_of.get((src, view.edge_array))
    if limit is not None and (shared or view.edge_array == "value"):
        return limit
    return colors.symmetric_limit(colors.finite_absmax(preview.data))


def heatmap_panels(previews, node_id, view, limit_of, room=None):
    """(panels, warning) for one node whose heatmaps have `room` (default: its own)."""
    panels, bad = [], []
    for kind in view.arrays:
        preview = node_preview(previews, node_id, kind, view, room)
        prefix = PREFIXES.get(kind, "") if len(view.arrays) > 1 or kind != "value" else ""
        result = previews.result
        if preview is None and (result.target is None or not result.complete):
            # no target yet (the status bar says so), or a replay before it arrives
            panels.append(HeatmapPanel(kind, None, 0, 1, f"{prefix}—"))
            continue
        if preview is None:  # the node's tooltip says why
            empty = "—" if view.instrument else "0"
            panels.append(HeatmapPanel(kind, None, 0, 1, f"{prefix}{empty}",
                                       note=view.missing))
            continue
        m = limit_of[(node_id, kind)]
        low, table = (0.0, colors.SEQUENTIAL) if view.colormap == "sequential" \
            else (-m, colors.DIVERGING)
        data = preview.data
        # Panels side by side leave no room for the shape: the header shows it.
        shape = "" if len(view.arrays) > 1 else shape_text(preview.shape) + " "
        if data.size == 1:
            scalar = f"{float(data.reshape(-1)[0]):.6g}"
            panels.append(HeatmapPanel(kind, preview, low, m, f"{prefix}{shape}".strip(),
                                       scalar_text=scalar, colormap=table))
        else:
            span = f"≤{m:.3g}" if low == 0 else f"±{m:.3g}"
            panels.append(HeatmapPanel(kind, preview, low, m, f"{prefix}{shape}{span}",
                                       colormap=table))
        if not np.isfinite(data).all():
            bad.append(NAMES.get(kind, kind))
    warning = f"NaN or Inf in the {' and the '.join(bad)}" if bad else ""
    return panels, warning


def edge_magnitudes(previews):
    """{(dst, port): RMS of the gradient flowing back through the edge}; NaN where it
    holds NaN or Inf, None where no gradient flows."""
    return {(dst, port): previews.edge_rms(dst, port)
            for _, dst, port in previews.result.edges()}


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


def describe_cell(previews, node_id, kind, lead, row, col, view, name=None, room=None):
    """Tooltip text for a heatmap cell: index, value and gradient at full precision
    (a block's mean where the preview averages several elements). `name`: how the
    user knows the node (its label), by default its id; `room`: its heatmaps' Room."""
    name = name or node_id
    preview = node_preview(previews, node_id, kind, view, room)
    index = preview.source_index(lead, row, col)
    if all(isinstance(i, int) for i in index):
        value = previews.element(node_id, "value", index)
        grad = previews.element(node_id, "grad", index)
        where = f"{name}[{', '.join(map(str, index))}]" if index else name
        text = f"{where}\nvalue = {value!r}\ngrad  = {grad!r}"
        if kind not in NAMES:   # an instrument's array: its own number too
            text += f"\n{kind} = {previews.element(node_id, kind, index)!r}"
        return text
    ranges = ", ".join(f"{i}" if isinstance(i, int) else f"{i[0]}:{i[1]}" for i in index)
    cell = preview.data[(*lead, row, col)] if preview.data.ndim > 2 else preview.data[row, col]
    return f"{name}[{ranges}]\nmean {NAMES.get(kind, kind)} of the block = {float(cell)!r}"
