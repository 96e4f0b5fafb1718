"""The canvas scene: mirrors the document's graph through its events. Items never
change the graph themselves; they ask the document, which pushes undoable commands."""
from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsScene, QToolTip

from ..core import events, notes
from ..core.errors import GradvizError, GraphError
from ..core.preview import Previews
from ..core.shapes import shape_text
from ..core.views import get_view
from . import display, layout, theme
from .interactions import ConnectDrag, FrameDrag
from .items.comment import CommentItem
from .items.edge import EdgeItem
from .items.frame import FrameItem
from .items.node import NodeItem
from .items.port import PortItem
from .items.reroute import RerouteItem
from .scene_results import ShowsResults


CANVAS_ROOM = 5000   # the canvas reaches this far past the graph on every side

# Grid steps around a wanted spot, nearest first (made once: free_spot runs per paste).
_NEAREST_FIRST = sorted(((dx, dy) for dx in range(-40, 41) for dy in range(-40, 41)),
                        key=lambda d: (d[0] ** 2 + d[1] ** 2, d[1], d[0]))


class GraphScene(ShowsResults, QGraphicsScene):
    message = Signal(str)              # for the status bar
    context_requested = Signal(object, object)   # (node, edge or reroute item, or None; screen pos)
    wire_dropped = Signal(object, QPointF)       # (the PortItem dragged from, scene pos)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple, EdgeItem] = {}
        self.notes: dict[str, FrameItem | CommentItem] = {}
        self._graph = None
        self._drag = None
        self._frame_drag = None
        self.view_mode = "both"  # a name from gradviz.core.views
        self.shared_scale = False
        self.robust_scale = False      # limits from the 99th percentile of |x|
        self.numbers_in_cells = True   # print numbers in cells big enough on screen
        self.result = None
        self.stale = False       # the result shown is not of the current graph
        self.detail = True       # False: zoomed out, nodes drawn compact
        self.picked_cell = None  # (node, index) of the heatmap cell last clicked
        self.legend = None       # {"limits": {kind: m or None}, "edge_top": float, "stale"}
        self._limit_of = {}      # {(node, kind): limit} of the result shown
        self._painting = None    # (Previews, view, edge magnitudes, top) of the result shown
        self.unpainted = set()   # node ids and edge keys waiting for the result shown
        self._handlers = {
            events.NodeAdded: lambda e: self._add_node(e.node),
            events.NodeRemoved: self._remove_node,
            events.EdgeAdded: lambda e: self._add_edge(e.edge),
            events.EdgeRemoved: lambda e: self._remove_edge(e.edge),
            events.EdgeRerouted: lambda e: self.edges[(e.edge.dst, e.edge.port)].set_points(
                self._graph.reroutes(e.edge.dst, e.edge.port)),
            events.NodeMoved: lambda e: self.nodes[e.node.id].setPos(*e.node.pos),
            events.NodeCollapsed: self._on_collapsed,
            events.NodeResized: lambda e: self.node_resized(self.nodes[e.node.id]),
            events.ParamsChanged: lambda e: self.nodes[e.node.id].refresh(),
            events.LabelChanged: lambda e: self.nodes[e.node.id].refresh(),
            events.TargetChanged: lambda e: self.mark_target(),
            events.DtypeChanged: lambda e: None,
            events.TrainingChanged: lambda e: None,
            events.NoteAdded: lambda e: self._add_note(e.note),
            events.NoteRemoved: lambda e: self.removeItem(self.notes.pop(e.note.id)),
            events.NoteChanged: lambda e: self.notes[e.note.id].set_note(e.note),
        }
        self._move_start = {}
        self.setSceneRect(QRectF(-CANVAS_ROOM, -CANVAS_ROOM, 2 * CANVAS_ROOM, 2 * CANVAS_ROOM))
        document.graph_replaced.connect(self.rebuild)
        self.rebuild(document.graph)

    # ---- mirroring the model ----------------------------------------------------------
    def rebuild(self, graph):
        if self._graph is not None:
            self._graph.unsubscribe(self._on_event)
        self._drag = self._frame_drag = None
        self.result, self.legend, self.stale = None, None, False
        self.unpainted = set()
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        self.notes.clear()
        self._graph = graph
        graph.subscribe(self._on_event)
        for note in (*graph.frames.values(), *graph.comments.values()):
            self._add_note(note)
        for node in graph.nodes.values():
            self._add_node(node, refresh=False)
        for edge in graph.edges:
            self._add_edge(edge, refresh=False)
        for item in self.nodes.values():   # once each, now that every shape is known
            item.refresh()
        bounds = QRectF()
        for item in self.nodes.values():
            bounds = bounds.united(item.sceneBoundingRect())
        self.make_room(bounds)
        self.mark_target()

    def set_detail(self, detail):
        """Full detail, or compact nodes (the view is zoomed out): only what is
        painted changes, nothing is recomputed."""
        self.detail = detail
        for item in self.nodes.values():
            item.set_detail(detail)
        for item in (*self.edges.values(), *self.notes.values()):
            item.set_detail(detail)

    def restyle(self):
        """After the theme changed: items that keep colors of their own take the new."""
        for item in self.notes.values():
            item.restyle()
        self.update()

    def _on_event(self, event):
        self._handlers[type(event)](event)

    def _add_node(self, node, refresh=True):
        item = NodeItem(node)
        item.set_stale(self.stale)
        item.set_detail(self.detail)
        self.nodes[node.id] = item
        self.addItem(item)
        if refresh:
            self.make_room(item.sceneBoundingRect())
            item.refresh()   # its size depends on its shape, known from the scene's graph

    def _remove_node(self, event):
        self.unpainted.discard(event.node.id)
        self.removeItem(self.nodes.pop(event.node.id))

    def _add_note(self, note):
        item = FrameItem(note) if note.kind == "frame" else CommentItem(note)
        item.set_detail(self.detail)
        self.notes[note.id] = item
        self.addItem(item)

    def _add_edge(self, edge, refresh=True):
        item = EdgeItem(edge, self.nodes[edge.src], self.nodes[edge.dst],
                        self._graph.reroutes(edge.dst, edge.port))
        item.set_detail(self.detail)
        self.edges[(edge.dst, edge.port)] = item
        self.addItem(item)
        if refresh:
            self.nodes[edge.dst].refresh()   # its shape may be known now

    def _remove_edge(self, edge):
        self.unpainted.discard((edge.dst, edge.port))
        self.removeItem(self.edges.pop((edge.dst, edge.port)))
        self.nodes[edge.dst].refresh()

    def _on_collapsed(self, event):
        item = self.nodes[event.node.id]
        item.refresh()
        self.node_moved(item)   # its edges end at its header now, or at its ports again

    def make_room(self, rect):
        """Grow the canvas to hold scene `rect` with room to spare around it: a graph
        wider than the canvas could not be scrolled to its far end."""
        wanted = rect.adjusted(-CANVAS_ROOM, -CANVAS_ROOM, CANVAS_ROOM, CANVAS_ROOM)
        if not self.sceneRect().contains(wanted):
            self.setSceneRect(self.sceneRect().united(wanted))

    def node_moved(self, item):
        self.make_room(item.sceneBoundingRect())
        for edge in self._graph.edges_of(item.node_id):
            edge_item = self.edges.get((edge.dst, edge.port))
            if edge_item:
                edge_item.update_path()

    def mark_target(self, target=None):
        graph = self._graph
        if target is None:
            try:
                target = graph.resolve_target()
            except GraphError:
                target = None
        for node_id, item in self.nodes.items():
            item.set_target(node_id == target)

    def node_shape(self, node_id):
        """The node's output shape, or None before it can be known."""
        return self._graph.shape(node_id) if node_id in self._graph.nodes else None

    def node_shape_text(self, node_id):
        """The node's output shape as shown in its header ('' before it can be known)."""
        shape = self.node_shape(node_id)
        return "" if shape is None else shape_text(shape)

    def free_spot(self, sizes, top_left):
        """The top-left corner nearest to `top_left` (on the grid) where a group of
        nodes, given as (dx, dy, width, height) from the corner, overlaps no node."""
        gap = layout.GRID
        x0, y0 = top_left
        for dx, dy in _NEAREST_FIRST:
            x, y = x0 + dx * gap, y0 + dy * gap
            if not any(self._occupied(QRectF(x + rx, y + ry, w, h).adjusted(-gap, -gap, gap, gap))
                       for rx, ry, w, h in sizes):
                return x, y
        return top_left

    def _occupied(self, rect):
        return any(isinstance(item, NodeItem) for item in self.items(rect))

    def describe_cell(self, node_id, panel, lead, row, col):
        if self.result is None or node_id not in self.result:
            return ""
        view = get_view(self.view_mode)
        return display.describe_cell(Previews.of(self.result), node_id, panel.kind, lead,
                                     row, col, view, self.title(node_id),
                                     self.nodes[node_id].room(len(view.arrays)))

    def title(self, node_id):
        """How the user knows a node: its label, else its id."""
        node = self._graph.nodes.get(node_id)
        return node.title if node else node_id

    def helpEvent(self, event):
        """Tooltips: a node tells what is under the pointer (`NodeItem.tip_at`); other
        items their own tooltip."""
        item = next(iter(self.items(event.scenePos())), None)
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if item is None:
            super().helpEvent(event)
            return
        text = item.tip_at(item.mapFromScene(event.scenePos()))
        if text:
            QToolTip.showText(event.screenPos(), text, event.widget())
        else:
            QToolTip.hideText()
        event.accept()

    def pick_cell(self, node_id, panel, lead, row, col):
        """Remember the cell last clicked (for the probe): (node, index) when it is one
        element, else None."""
        preview = panel.preview
        index = preview.source_index(lead, row, col) if preview is not None else None
        exact = index is not None and all(isinstance(i, int) for i in index)
        self.picked_cell = (node_id, index) if exact else None

    def show_error(self, error):
        for node_id, item in self.nodes.items():
            item.set_error(str(error) if node_id == getattr(error, "node", None) else None)

    def selected_node_ids(self):
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self):
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def selected_reroutes(self):
        """{(dst, port): indices} of the selected reroute points."""
        chosen = {}
        for item in self.selectedItems():
            if isinstance(item, RerouteItem):
                chosen.setdefault(item.key, []).append(item.index)
        return chosen

    def add_reroute(self, edge_item, pos):
        """A reroute point on the edge at scene point `pos` (one undo step)."""
        key = (edge_item.edge.dst, edge_item.edge.port)
        self.document.add_reroutes({key: (edge_item.stretch_at(pos), (pos.x(), pos.y()))})

    def selected_note_ids(self):
        """The selected frames and comments."""
        return [i.note_id for i in self.selectedItems()
                if isinstance(i, (FrameItem, CommentItem))]

    # ---- frames -------------------------------------------------------------------------
    def frame_contents(self, frame_id):
        """(node ids, frame and comment ids) of what lies inside the frame: the nodes
        and comments whose centre does, and the frames wholly inside it."""
        frame = self._graph.frames[frame_id]

        def inside(item):
            if isinstance(item, FrameItem):
                return notes.encloses(frame, item.frame)
            rect = item.sceneBoundingRect()
            return notes.centre_inside(frame, (rect.x(), rect.y(), rect.width(), rect.height()))
        return ([n for n, item in self.nodes.items() if inside(item)],
                [n for n, item in self.notes.items() if inside(item)])

    def selection_with_contents(self):
        """(node ids, note ids): the selection and what lies inside its frames (what
        a nudge moves)."""
        node_ids, note_ids = set(self.selected_node_ids()), set(self.selected_note_ids())
        for frame_id in note_ids & set(self._graph.frames):
            inner_nodes, inner_notes = self.frame_contents(frame_id)
            node_ids.update(inner_nodes)
            note_ids.update(inner_notes)
        return [n for n in self.nodes if n in node_ids], [n for n in self.notes if n in note_ids]

    def begin_frame_drag(self, frame_item, pos):
        self._frame_drag = FrameDrag(self, frame_item, pos)

    def drag_frame(self, pos):
        if self._frame_drag is not None:
            self._frame_drag.update(pos)

    def edit_note(self, note_id, changes):
        if note_id in self.notes:
            try:
                self.document.edit_note(note_id, changes)
            except GradvizError as e:
                self.message.emit(f"Not changed: {e}")

    # ---- connecting -----------------------------------------------------------------------
    def port_at(self, pos):
        r = layout.PORT_RADIUS + 4
        for item in self.items(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r)):
            if isinstance(item, PortItem):
                return item
        return None

    def collapsed_port_at(self, pos, wants_input):
        """A wire dropped on a collapsed node's header: its first free input (or its
        first input), or its output; None elsewhere."""
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.node.collapsed:
                if not wants_input:
                    return item.output
                ports = list(item.inputs.values())
                free = [p for p in ports if self._graph.input_edge(item.node_id, p.port) is None]
                return (free or ports or [None])[0]
        return None

    def begin_connection(self, port, pos):
        self._drag = ConnectDrag(self, port, pos)

    def drag_connection(self, pos):
        if self._drag:
            self._drag.update(pos)

    def end_connection(self, pos):
        drag, self._drag = self._drag, None
        if drag:
            drag.finish(pos)

    def keyPressEvent(self, event):
        if self._drag is not None and event.key() == Qt.Key.Key_Escape:
            self._drag.cancel()   # Escape drops a connection being dragged
            self._drag = None
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- moving (one undo step per drag) ------------------------------------------------
    def mousePressEvent(self, event):
        self._frame_drag = None
        super().mousePressEvent(event)   # a frame's title bar may begin a frame drag
        moving = [i for i in self.selectedItems() if isinstance(i, (NodeItem, CommentItem))]
        if self._frame_drag is not None:
            moving += self._frame_drag.items
        self._move_start = {item: item.pos() for item in moving}

    def mouseReleaseEvent(self, event):
        """A drag of nodes and reroute points is one undo step."""
        super().mouseReleaseEvent(event)
        start, self._move_start = self._move_start, {}
        frame_drag, self._frame_drag = self._frame_drag, None
        moves, note_moves = {}, {}
        for item, old in start.items():
            if item.scene() is self and item.pos() != old:
                where = ((old.x(), old.y()), (item.pos().x(), item.pos().y()))
                if isinstance(item, NodeItem):
                    moves[item.node_id] = where
                else:
                    note_moves[item.note_id] = where
        routes = {key: item.points() for key, item in self.edges.items()
                  if item.dots and item.points() != self._graph.reroutes(*key)}
        if moves or note_moves or routes:
            text = f"Move {frame_drag.frame.name}" if frame_drag is not None else None
            self.document.move(moves, text=text, routes=routes, notes=note_moves)

    def resize_node(self, node_id, size):
        """A node's corner was dragged to `size`: the document makes it a step (or, if
        nothing changed, the node shows its size again)."""
        item = self.nodes[node_id]
        if size == item.node.size:
            self.node_resized(item)
        else:
            self.document.resize_node(node_id, size)

    def rename_node(self, node_id, text):
        if node_id in self.nodes:
            self.document.rename(node_id, text)

    def contextMenuEvent(self, event):
        """Right-click selects what is under the pointer (a node, an edge, a reroute
        point, a frame's title bar or a comment) and asks the window for its menu."""
        item = self.itemAt(event.scenePos(), self.views()[0].transform()) if self.views() else None
        while item is not None and not isinstance(
                item, (NodeItem, EdgeItem, RerouteItem, FrameItem, CommentItem)):
            item = item.parentItem()
        if item is not None and not item.isSelected():
            self.clearSelection()
            item.setSelected(True)
        self.context_requested.emit(item, event.screenPos())
        event.accept()

    # ---- background ----------------------------------------------------------------------
    def drawBackground(self, painter, rect):
        """The grid over the exposed rect only, its spacing coarsened by fives until
        lines are at least 8 pixels apart: the line count stays bounded at any zoom."""
        painter.fillRect(rect, theme.CANVAS)
        step = layout.GRID
        scale = max(painter.worldTransform().m11(), 1e-12)
        while step * scale < 8:
            step *= 5
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        minor, major = [], []
        x = left
        while x < rect.right():
            (major if x % (step * 5) == 0 else minor).append(
                QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            (major if y % (step * 5) == 0 else minor).append(
                QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.setPen(QPen(theme.GRID_MINOR, 0))
        painter.drawLines(minor)
        painter.setPen(QPen(theme.GRID_MAJOR, 0))
        painter.drawLines(major)
