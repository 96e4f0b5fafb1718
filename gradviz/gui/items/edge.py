"""An edge: a curve from an output port to an input port."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from .. import theme


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """A cubic leaving and entering horizontally, as in most node editors."""
    path = QPainterPath(start)
    dx = max(abs(end.x() - start.x()) * 0.5, 40.0)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge, src_item, dst_item):
        super().__init__()
        self.edge = edge
        self.src_item, self.dst_item = src_item, dst_item
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)
        self.setAcceptHoverEvents(True)
        self.update_path()

    def update_path(self):
        self.prepareGeometryChange()
        self.setPath(curve(self.src_item.output_pos(), self.dst_item.input_pos(self.edge.port)))

    def shape(self):
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter, option, widget=None):
        color = theme.EDGE_SELECTED if self.isSelected() else theme.EDGE
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 2.5 if self.isSelected() else 2.0,
                            Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPath(self.path())
