"""An edge: a curve from an output port to an input port, colored by the gradient that
flows back through it, with a small heatmap badge of the tensor it carries."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from .. import layout, theme
from ..heatmap import Heatmap


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
        self.key = (edge.dst, edge.port)   # the scene's key: an input has one edge
        self.src_item, self.dst_item = src_item, dst_item
        self.color = QColor(theme.EDGE)
        self.width = 2.0
        self.stale = False
        self.detail = True        # False: zoomed out, the badge is left out
        self.has_badge = False
        self._pending = None      # the badge's next preview, while zoomed out
        self._badge = None        # made when first shown: a thousand edges open faster
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)
        self.setAcceptHoverEvents(True)
        self.update_path()

    def update_path(self):
        self.prepareGeometryChange()
        self.setPath(curve(self.src_item.output_pos(), self.dst_item.input_pos(self.edge.port)))
        self._place_badge()

    @property
    def badge(self):
        """The heatmap of what the edge carries, as of the result shown (a run paints
        the edges in view at once, the others when they are needed)."""
        scene = self.scene()
        if scene is not None and self.key in scene.unpainted:
            scene.paint_items([self])
        if self._badge is None:
            self._badge = Heatmap(self)
            self._badge.setVisible(False)
            self._badge.setZValue(1)
        return self._badge

    def _place_badge(self):
        if self._badge is not None and self._badge.isVisible():
            w, h = self.badge.pixel_size()
            mid = self.path().pointAtPercent(0.5)
            self.badge.setPos(mid.x() - w / 2, mid.y() - h / 2)

    def set_stale(self, stale):
        """Dim the flow color and the badge: they show a run of an earlier graph. (The
        edge's own opacity: setting the badge's, a pyqtgraph item, costs a Python call
        into pyqtgraph per edge.)"""
        self.stale = stale
        self.setOpacity(theme.STALE_OPACITY if stale else 1.0)

    def set_flow(self, rgb, width):
        self.color = QColor(*rgb)
        self.width = width
        self.update()

    def hoverEnterEvent(self, event):
        if self.scene():
            self.setToolTip(self.scene().edge_tooltip(self.edge))
        super().hoverEnterEvent(event)

    def set_badge(self, preview, low, high, table):
        """Show what the edge carries; zoomed out (no badges drawn), only once the
        canvas is zoomed in again."""
        self.has_badge = preview is not None and preview.data.size > 0
        self._pending = (preview, low, high, table) if self.has_badge else None
        if self.detail:
            self._show_badge()
        elif self._badge is not None:
            self._badge.setVisible(False)

    def _show_badge(self):
        if self._pending is not None:
            self.badge.set_preview(*self._pending, layout.BADGE, layout.BADGE, layout.MAX_CELL)
            self._pending = None
        if self._badge is not None:
            self._badge.setVisible(self.has_badge)
        self._place_badge()

    def set_detail(self, detail):
        """Zoomed out: no badge, and the edge kept as a pixmap (see NodeItem)."""
        self.detail = detail
        self.setCacheMode(QGraphicsItem.CacheMode.NoCache if detail
                          else QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if detail:
            self._show_badge()
        elif self._badge is not None:
            self._badge.setVisible(False)

    def shape(self):
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        if self.isSelected():
            painter.setPen(QPen(theme.EDGE_SELECTED, self.width + 3, Qt.PenStyle.SolidLine,
                                Qt.PenCapStyle.RoundCap))
            painter.drawPath(self.path())
        painter.setPen(QPen(self.color, self.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPath(self.path())
