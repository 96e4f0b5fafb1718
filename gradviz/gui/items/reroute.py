"""A reroute point: a dot on an edge that the edge passes through (Blender's reroute, as
a point of the edge rather than a node). Drag it to move it; double-click it, or select
it and press Delete, to remove it. It asks the scene; the model is changed there."""
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from .. import layout, theme


class RerouteItem(QGraphicsEllipseItem):
    def __init__(self, edge_item, pos):
        r = layout.REROUTE_RADIUS
        super().__init__(QRectF(-r, -r, 2 * r, 2 * r), edge_item)
        self.edge_item = edge_item
        self.setPen(QPen(theme.EDGE_SELECTED, 2))   # the widest it is drawn (bounding rect)
        self.setPos(pos)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setToolTip("Reroute point: drag to move, double-click to remove")

    @property
    def key(self):
        """(dst, port) of its edge."""
        return self.edge_item.edge.dst, self.edge_item.edge.port

    @property
    def index(self):
        """Its place among its edge's points."""
        return self.edge_item.dots.index(self)

    def paint(self, painter, option, widget=None):
        """A dot of the edge's color; ringed in the selection color when selected."""
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setBrush(QColor(self.edge_item.color))   # dimmed with its edge when stale
        painter.setPen(QPen(theme.EDGE_SELECTED, 2) if self.isSelected()
                       else QPen(theme.NODE_BORDER, 1.5))
        painter.drawEllipse(self.rect())

    def hoverEnterEvent(self, event):
        self.setScale(1.3)

    def hoverLeaveEvent(self, event):
        self.setScale(1.0)

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.edge_item.update_path()   # follows the dot while it is dragged
        return super().itemChange(change, value)

    def mouseDoubleClickEvent(self, event):
        # Removing it deletes this item: done once its own event handler has returned.
        scene, key, index = self.scene(), self.key, self.index
        if scene is not None:
            QTimer.singleShot(0, lambda: scene.document.delete(reroutes={key: [index]}))
        event.accept()
