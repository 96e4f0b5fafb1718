"""What the canvas shows of a run: each node's body as its view's painter draws it,
edges colored by the gradient flowing back, the legend, step mode's marks, and the
stale mark. The nodes and edges in view are painted when a run arrives, the others
when they come into view or are read (`unpainted`). A part of `GraphScene`."""
from __future__ import annotations

from ..core import trace
from ..core.preview import Previews
from ..core.shapes import shape_text
from ..core.views import get_view
from . import colors, display
from .items.edge import EdgeItem
from .items.node import NodeItem
from .legend import legend_health
from .painters import PAINTERS


class ShowsResults:
    """Results on the canvas, for `GraphScene` (which holds `nodes`, `edges`, the
    view settings and what the last run showed)."""

    def node_resized(self, item):
        """Relayout a node for its new size (the model's, or the one being dragged):
        its heatmaps are reduced again to fit, from the result shown."""
        item.refresh()
        self.node_moved(item)   # its output port moved
        if self.result is None or item.node_id not in self.result:
            return
        previews, view = self._painting[:2]
        if self.robust_scale:   # its limits come from the cells shown, which changed
            if self.shared_scale:   # ... and every node's limit from all of them
                self.show_result(self.result)
                return
            scale = display.ColorScale(self.shared_scale, self.robust_scale)
            self._limit_of = display.limits(previews, view, scale, self.rooms(view))
        self.unpainted.discard(item.node_id)
        PAINTERS[view.painter].paint(previews, view, self._limit_of, {item.node_id: item})

    def rooms(self, view):
        """{node: its heatmaps' layout.Room} of the resized nodes, for `view`."""
        return {node_id: item.room(len(view.arrays)) for node_id, item in self.nodes.items()
                if item.size is not None}

    def set_view(self, mode=None, shared=None, numbers=None, robust=None):
        if mode is not None:
            self.view_mode = mode
        if shared is not None:
            self.shared_scale = shared
        if robust is not None:
            self.robust_scale = robust
        if numbers is not None:
            self.numbers_in_cells = numbers
            self.update()
        if self.result is not None:
            self.show_result(self.result)

    def show_result(self, result):
        """Paint a run: each node's body as its view's painter draws it, edges by the
        gradient flowing back through them, and the legend."""
        self.result = result
        previews = Previews.of(result)
        view = get_view(self.view_mode)
        for node_id, item in self.nodes.items():
            item.set_error(None)
            if node_id not in result:
                item.clear_body(waiting=node_id in result.waiting)
        scale = display.ColorScale(self.shared_scale, self.robust_scale)
        limit_of = self._limit_of = display.limits(previews, view, scale, self.rooms(view))
        magnitudes = display.edge_magnitudes(previews)
        finite = [m for m in magnitudes.values() if m is not None and m == m]
        top = max(finite, default=0.0)
        self._painting = (previews, view, magnitudes, top)
        # Nodes and edges in view are painted now, the others when needed: a run of a
        # thousand nodes seen at 100 % colors a dozen heatmaps, not 3,000.
        self.unpainted = {node_id for node_id in self.nodes if node_id in result}
        for key, item in self.edges.items():
            if key[0] in result:
                self.unpainted.add(key)
            else:   # it waits for an input: nothing flows yet
                item.set_flow(*display.edge_style(None, top))
                item.set_badge(None, 0, 1, None)
        self.paint_items(self._in_view())
        flags = result.derived.get("health", {})
        checked = result.derived.get("check", {})
        for node_id, item in self.nodes.items():
            item.set_health(flags.get(node_id, []))
            item.set_verdict(checked.get(node_id))
        self.legend = {"limits": display.legend_limits(limit_of, view, scale),
                       "edge_top": top, "robust": scale.robust, "colormap": view.colormap,
                       "instrument": view.instrument,
                       "health": legend_health(flags)}
        self.mark_target(result.target)
        self.set_stale(False)

    def paint_items(self, items):
        """Paint those of `items` that wait for the result shown (`unpainted`): node
        bodies, edge colors and badges."""
        nodes, edges = {}, []
        for item in items:
            if isinstance(item, NodeItem) and item.node_id in self.unpainted:
                nodes[item.node_id] = item
            elif isinstance(item, EdgeItem) and item.key in self.unpainted:
                edges.append(item)
        if not (nodes or edges):
            return
        self.unpainted.difference_update(nodes)
        self.unpainted.difference_update(item.key for item in edges)
        previews, view, magnitudes, top = self._painting
        if nodes:
            PAINTERS[view.painter].paint(previews, view, self._limit_of, nodes)
        table = colors.lut(colors.DIVERGING)
        for item in edges:
            src, (dst, port) = item.edge.src, item.key
            item.set_flow(*display.edge_style(magnitudes.get((dst, port)), top))
            preview = display.edge_preview(previews, src, dst, port, view)
            m = (1.0 if preview is None else
                 display.badge_limit(preview, self._limit_of, src, view, self.shared_scale))
            item.set_badge(preview, -m, m, table)

    def paint_in(self, rect):
        """Bring the nodes and edges in scene `rect` up to the result shown, before they
        are drawn."""
        if self.unpainted:
            self.paint_items(self.items(rect))

    def _in_view(self):
        """The nodes and edges in any view (asked of them: the scene's own index
        would list every port, title and heatmap too)."""
        found = {}   # in order, each once
        for view in self.views():
            rect = view.mapToScene(view.viewport().rect()).boundingRect()
            found.update(dict.fromkeys(item for item in (*self.nodes.values(),
                                                         *self.edges.values())
                                       if rect.intersects(item.sceneBoundingRect())))
        return list(found)

    def shown_node_ids(self):
        """The nodes in view now: a run prepares these first."""
        return {item.node_id for item in self._in_view() if isinstance(item, NodeItem)}

    def show_step(self, result, index):
        """Step mode: the traced `result` as it stood after step `index`, the step's
        node highlighted, nodes not reached yet dimmed, partial sums marked "k of n"."""
        step = result.trace[index]
        shown = trace.frame(result, index)
        self.show_result(shown)
        if step.phase == "forward":
            reached = set(shown.order)
        else:
            reached = {n for n in shown.order if shown.affects_target(n)}
        partial = trace.partial_sums(result.trace, index)
        for node_id, item in self.nodes.items():
            mark = "current" if node_id == step.node else \
                (None if node_id in reached else "pending")
            k, n = partial.get(node_id, (0, 0))
            item.set_step(mark, f"{k} of {n}" if n else "")

    def end_steps(self):
        for item in self.nodes.values():
            item.set_step()

    def clear_result(self):
        """Nothing to show (the graph is empty)."""
        self.result, self.legend, self.stale = None, None, False
        self.unpainted = set()
        self.update()

    def set_stale(self, stale):
        """Mark what the last run painted as not of the current graph (dimmed, a mark
        on each node and in the legend), or as current again."""
        if stale == self.stale:   # every run says "current": most often nothing changes
            return
        self.stale = stale
        for item in self.nodes.values():
            item.set_stale(stale)
        for item in self.edges.values():
            item.set_stale(stale)
        if self.legend is not None:
            self.legend["stale"] = stale
        self.update()

    def edge_tooltip(self, edge):
        """Shape and statistics of what an edge carries and of the gradient it returns
        (computed when hovered, not on every run)."""
        result = self.result
        if result is None or edge.dst not in result:
            return ""
        previews = Previews.of(result)
        value = previews.stats(edge.src, "value")
        grad = previews.edge_stats(edge.dst, edge.port)
        lines = [f"{self.title(edge.src)} → {self.title(edge.dst)}.{edge.port}",
                 f"carries {shape_text(value['shape'])} "
                 f"min {value['min']:.6g} max {value['max']:.6g} mean {value['mean']:.6g}"]
        if grad is None:
            lines.append("no gradient flows back (not upstream of the target)")
        else:
            lines.append(f"gradient back: RMS {grad['rms']:.6g}, L2 {grad['l2']:.6g}, "
                         f"min {grad['min']:.6g}, max {grad['max']:.6g}")
            bad = grad["nan"] + grad["posinf"] + grad["neginf"]
            if bad:
                lines.append(f"{grad['nan']} NaN, {grad['posinf']} +Inf, "
                             f"{grad['neginf']} -Inf")
        return "\n".join(lines)
