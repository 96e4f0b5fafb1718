"""Drag-to-connect: from a port to a port of the other kind, in either direction."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSimpleTextItem

from ..core.errors import GraphError
from . import theme
from .items.edge import curve


class ConnectDrag:
    def __init__(self, scene, port, pos):
        self.scene = scene
        self.start = port
        self.candidate = None
        self.reason = None
        self.line = QGraphicsPathItem()
        self.line.setPen(QPen(theme.EDGE, 2, Qt.PenStyle.DashLine))
        self.line.setZValue(5)
        self.hint = QGraphicsSimpleTextItem()
        self.hint.setBrush(theme.PORT_BAD)
        self.hint.setZValue(6)
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
        port = self.scene.port_at(pos)
        edge = self._edge_to(port)
        if edge is None:
            self._set_candidate(None, None)
        else:
            self._set_candidate(port, self.scene.document.check_connect(*edge))
        anchor = self.start.scenePos()
        end = port.scenePos() if edge else pos
        self.line.setPath(curve(anchor, end) if self.start.is_output else curve(end, anchor))
        self.hint.setText(self.reason or "")
        self.hint.setPos(pos.x() + 14, pos.y() + 10)

    def cancel(self):
        self._set_candidate(None, None)
        self.scene.removeItem(self.line)
        self.scene.removeItem(self.hint)

    def finish(self, pos):
        self.update(pos)
        port, reason = self.candidate, self.reason
        self.cancel()
        edge = self._edge_to(port)
        if edge is None:
            return  # dropped on empty canvas: nothing changes
        if reason:
            self.scene.message.emit(f"Not connected: {reason}")
            return
        try:
            self.scene.document.connect(*edge)
        except GraphError as e:
            self.scene.message.emit(f"Not connected: {e}")
