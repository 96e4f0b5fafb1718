"""An edge: a curve from an output port to an input port through its reroute points,
colored by the gradient that flows back through it, with a small heatmap badge of the
tensor it carries."""
import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from .. import layout, theme
from ..heatmap import Heatmap
from .reroute import RerouteItem

PORT_REACH = 40.0   # the least a wire reaches out of a port before it bends


def stretches(start: QPointF, points, end: QPointF):
    """From `start` through `points` to `end`, one cubic per stretch, each leaving and
    entering horizontally (as in most node editors, and through Blender's reroutes):
    its handles reach half the stretch's width across, at least PORT_REACH at a port,
    so points one above the other are joined by a straight line. Each stretch as
    (from, handle, handle, to)."""
    stops = [start, *points, end]
    last = len(stops) - 2
    for i, (a, b) in enumerate(zip(stops, stops[1:])):
        reach = abs(b.x() - a.x()) * 0.5
        out = max(reach, PORT_REACH) if i == 0 else reach
        into = max(reach, PORT_REACH) if i == last else reach
        yield a, QPointF(a.x() + out, a.y()), QPointF(b.x() - into, b.y()), b


def curve(start: QPointF, end: QPointF, points=()) -> QPainterPath:
    """The edge's path through its reroute points."""
    path = QPainterPath(start)
    for _, *handles_and_end in stretches(start, points, end):
        path.cubicTo(*handles_and_end)
    return path


def _cubic(a, c1, c2, b):
    path = QPainterPath(a)
    path.cubicTo(c1, c2, b)
    return path


def _flattened(path):
    """A stretch's path as (bounding rect, polyline); a stretch of no length (two
    points at one spot) as that spot, twice."""
    polygon = (path.toSubpathPolygons() or [QPolygonF([path.currentPosition()] * 2)])[0]
    return polygon.boundingRect().adjusted(-1, -1, 1, 1), list(polygon)


def _distance(p, a, b):
    """From point p to the line segment a-b."""
    d = b - a
    length = QPointF.dotProduct(d, d)
    t = 0.0 if length == 0 else max(0.0, min(1.0, QPointF.dotProduct(p - a, d) / length))
    q = a + d * t
    return math.hypot(p.x() - q.x(), p.y() - q.y())


def _crossing(a, b, c, d):
    """Where segment a-b crosses segment c-d, as the fraction of the way from a to b;
    None if they do not cross."""
    r, s, ca = b - a, d - c, c - a
    denominator = r.x() * s.y() - r.y() * s.x()
    if denominator == 0:   # parallel
        return None
    t = (ca.x() * s.y() - ca.y() * s.x()) / denominator
    u = (ca.x() * r.y() - ca.y() * r.x()) / denominator
    return t if 0 <= t <= 1 and 0 <= u <= 1 else None


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge, src_item, dst_item, points=()):
        super().__init__()
        self.edge = edge
        self.key = (edge.dst, edge.port)   # the scene's key: an input has one edge
        self.src_item, self.dst_item = src_item, dst_item
        self.color = QColor(theme.EDGE)
        self.width = 2.0
        self.detail = True        # False: zoomed out, the badge is left out
        self.has_badge = False
        self._pending = None      # the badge's next preview, while zoomed out
        self._badge = None        # made when first shown: a thousand edges open faster
        self._lines = None        # each stretch flattened to a polyline, when first asked
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)
        self.setAcceptHoverEvents(True)
        self.dots = [RerouteItem(self, QPointF(*p)) for p in points]
        self.update_path()

    def update_path(self):
        self.prepareGeometryChange()
        start, end = self.src_item.output_pos(), self.dst_item.input_pos(self.edge.port)
        self.setPath(curve(start, end, [dot.pos() for dot in self.dots]))
        self._lines = None
        self._place_badge()

    def set_points(self, points):
        """Pass through these reroute points now (the model's): the dots are moved where
        there are as many as before (a drag keeps them selected), else made anew."""
        if len(points) != len(self.dots):
            for dot in self.dots:
                dot.setParentItem(None)
                if dot.scene() is not None:
                    dot.scene().removeItem(dot)
            self.dots = [RerouteItem(self, QPointF(*p)) for p in points]
        for dot, (x, y) in zip(self.dots, points):
            dot.setPos(x, y)
        self.update_path()

    def points(self):
        """Where its dots are, as the model keeps them."""
        return tuple((dot.pos().x(), dot.pos().y()) for dot in self.dots)

    def _stretch_paths(self):
        start, end = self.src_item.output_pos(), self.dst_item.input_pos(self.edge.port)
        return [_cubic(*stretch) for stretch in
                stretches(start, [dot.pos() for dot in self.dots], end)]

    def _polylines(self):
        """Each stretch flattened: [(bounding rect, polyline)], made when first asked."""
        if self._lines is None:
            self._lines = [_flattened(path) for path in self._stretch_paths()]
        return self._lines

    def stretch_at(self, pos):
        """The index of the stretch nearest to scene point `pos`: a point added there
        goes before the points from this index on."""
        def distance(stretch):
            line = stretch[1]
            return min(_distance(pos, a, b) for a, b in zip(line, line[1:]))
        lines = self._polylines()
        return min(range(len(lines)), key=lambda i: distance(lines[i]))

    def crossing(self, stroke):
        """Where the polyline `stroke` (scene points) first crosses the edge, as
        (stretch index, point), or None."""
        for a, b in zip(stroke, stroke[1:]):
            box = QRectF(a, b).normalized().adjusted(-1, -1, 1, 1)
            found = [(t, index) for index, (rect, line) in enumerate(self._polylines())
                     if rect.intersects(box)
                     for c, d in zip(line, line[1:])
                     if (t := _crossing(a, b, c, d)) is not None]
            if found:
                t, index = min(found)
                return index, a + (b - a) * t
        return None

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
        """At the middle of the edge's longest stretch (not on a reroute point)."""
        if self._badge is not None and self._badge.isVisible():
            w, h = self.badge.pixel_size()
            longest = max(self._stretch_paths(), key=QPainterPath.length)
            mid = longest.pointAtPercent(0.5)
            self.badge.setPos(mid.x() - w / 2, mid.y() - h / 2)

    def set_stale(self, stale):
        """Dim the flow color, the badge and the reroute points (the edge's opacity is
        theirs too): they show a run of an earlier graph."""
        self.setOpacity(theme.STALE_OPACITY if stale else 1.0)

    def set_flow(self, rgb, width):
        self.color = QColor(*rgb)
        self.width = width
        self.update()
        for dot in self.dots:   # drawn in the edge's color
            dot.update()

    def hoverEnterEvent(self, event):
        if self.scene():
            self.setToolTip(self.scene().edge_tooltip(self.edge))
        super().hoverEnterEvent(event)

    def mouseDoubleClickEvent(self, event):
        """A reroute point where the edge was double-clicked."""
        if self.scene() and event.button() == Qt.MouseButton.LeftButton:
            self.scene().add_reroute(self, event.scenePos())
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)

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
