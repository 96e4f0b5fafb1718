"""A port: the round handle on a node's edge where edges start and end."""
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem

from .. import layout, theme


class PortItem(QGraphicsEllipseItem):
    """`port` is the input's name, or None for the node's output."""

    def __init__(self, node_item, port, pos):
        r = layout.PORT_RADIUS
        super().__init__(QRectF(-r, -r, 2 * r, 2 * r), node_item)
        self.node_item = node_item
        self.port = port
        self.setPos(pos)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        self.set_state(None)

    @property
    def node_id(self):
        return self.node_item.node_id

    @property
    def is_output(self):
        return self.port is None

    def set_state(self, ok):
        """None: normal; True/False: a drag may/may not end here."""
        color = {None: theme.PORT, True: theme.PORT_OK, False: theme.PORT_BAD}[ok]
        self.setBrush(QBrush(color))
        self.setPen(QPen(theme.NODE_BORDER, 1.5))

    def hoverEnterEvent(self, event):
        self.setScale(1.3)

    def hoverLeaveEvent(self, event):
        self.setScale(1.0)

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self.scene().begin_connection(self, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event):
        self.scene().drag_connection(event.scenePos())

    def mouseReleaseEvent(self, event):
        self.scene().end_connection(event.scenePos())
