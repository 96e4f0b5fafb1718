"""Drag-to-connect: from a port to a port of the other kind, in either direction; and
Shift+right-drag across edges to put reroute points on them."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from ..core.errors import GraphError
from . import theme
from .items.edge import curve


class RefusalLabel(QGraphicsPathItem):
    """Why the connection under the pointer cannot be made: light text in a rounded box
    of the canvas's color with a red border, beside the pointer, the same size at any
    zoom (so it stays readable over heatmaps and when zoomed out)."""
    OFFSET = QPointF(14, 10)    # from the pointer, in pixels
    PADDING = 4
    RADIUS = 4

    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setBrush(theme.CANVAS)
        self.setPen(QPen(theme.PORT_BAD, 1))
        self.setZValue(6)
        self._text = QGraphicsSimpleTextItem(self)
        self._text.setBrush(theme.TEXT)
        self._text.setPos(self.OFFSET + QPointF(self.PADDING, self.PADDING))
        self.setVisible(False)

    def text(self):
        return self._text.text()

    def set_text(self, text):
        self._text.setText(text)
        self.setVisible(bool(text))
        pad = self.PADDING
        box = QPainterPath()
        box.addRoundedRect(self._text.mapRectToParent(self._text.boundingRect())
                           .adjusted(-pad, -pad, pad, pad), self.RADIUS, self.RADIUS)
        self.setPath(box)


class ConnectDrag:
    def __init__(self, scene, port, pos):
        self.scene = scene
        self.start = port
        self.candidate = None
        self.reason = None
        self.line = QGraphicsPathItem()
        self.line.setPen(QPen(theme.EDGE, 2, Qt.PenStyle.DashLine))
        self.line.setZValue(5)
        self.hint = RefusalLabel()
        scene.addItem(self.line)
        scene.addItem(self.hint)
        self.update(pos)

    def _edge_to(self, port):
        """(src, dst, input port) if the drag would end at `port`, else None."""
        if port is None or port.node_id == self.start.node_id or \
                port.is_output == self.start.is_output:
            return None
        out, inp = (self.start, port) if self.start.is_output else (port, self.start)
        return out.node_id, inp.node_id, inp.port

    def _set_candidate(self, port, reason):
        if self.candidate is not None and self.candidate is not port:
            self.candidate.set_state(None)
        self.candidate, self.reason = port, reason
        if port is not None:
            port.set_state(reason is None)

    def update(self, pos):
        port = self.scene.port_at(pos) or \
            self.scene.collapsed_port_at(pos, wants_input=self.start.is_output)
        edge = self._edge_to(port)
        if edge is None:
            self._set_candidate(None, None)
        else:
            self._set_candidate(port, self.scene.document.check_connect(*edge))
        anchor = self.start.scenePos()
        end = port.scenePos() if edge else pos
        self.line.setPath(curve(anchor, end) if self.start.is_output else curve(end, anchor))
        self.hint.set_text(self.reason or "")
        self.hint.setPos(pos)

    def cancel(self):
        self._set_candidate(None, None)
        self.scene.removeItem(self.line)
        self.scene.removeItem(self.hint)

    def finish(self, pos):
        self.update(pos)
        port, reason = self.candidate, self.reason
        self.cancel()
        edge = self._edge_to(port)
        if edge is None:   # dropped on the canvas: offer the ops that can take the wire
            if port is None:
                self.scene.wire_dropped.emit(self.start, pos)
            return
        if reason:
            self.scene.message.emit(f"Not connected: {reason}")
            return
        try:
            self.scene.document.connect(*edge)
        except GraphError as e:
            self.scene.message.emit(f"Not connected: {e}")


class RerouteStroke:
    """Shift+right-drag, as in Blender: a dashed line follows the pointer; on release
    each edge it crosses gets a reroute point where it first crosses, as one undo step."""

    def __init__(self, scene, pos):
        self.scene = scene
        self.stroke = [pos]
        self.line = QGraphicsPathItem()
        pen = QPen(theme.EDGE_SELECTED, 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)   # as thin on screen at any zoom
        self.line.setPen(pen)
        self.line.setZValue(5)
        scene.addItem(self.line)

    def update(self, pos):
        self.stroke.append(pos)
        path = QPainterPath()
        path.addPolygon(QPolygonF(self.stroke))
        self.line.setPath(path)

    def cancel(self):
        self.scene.removeItem(self.line)

    def finish(self, pos):
        self.update(pos)
        self.cancel()
        area = self.line.path().boundingRect().adjusted(-1, -1, 1, 1)
        points = {}
        for key, item in self.scene.edges.items():
            if item.sceneBoundingRect().intersects(area) and \
                    (found := item.crossing(self.stroke)) is not None:
                index, point = found
                points[key] = (index, (point.x(), point.y()))
        try:
            self.scene.document.add_reroutes(points)
        except GraphError as e:   # an edge with as many points as it may have
            self.scene.message.emit(f"No reroute points added: {e}")


class FrameDrag:
    """A frame dragged by its title bar carries what lies inside it when the drag
    starts (`GraphScene.frame_contents`), as ComfyUI's groups do; the scene makes one
    undo step of all their moves when the button is released."""

    def __init__(self, scene, frame_item, pos):
        self.frame = frame_item.frame
        self.start = pos
        node_ids, note_ids = scene.frame_contents(frame_item.note_id)
        self.items = [frame_item, *(scene.nodes[n] for n in node_ids),
                      *(scene.notes[n] for n in note_ids)]
        self.origins = [item.pos() for item in self.items]

    def update(self, pos):
        delta = pos - self.start
        for item, origin in zip(self.items, self.origins):
            item.setPos(origin + delta)
