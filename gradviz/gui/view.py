"""The canvas view: zoom around the cursor, pan with the middle button or Space+drag,
rubber-band selection, quick-add on Tab or double-click, reroute points by
Shift+right-drag across edges, and drops."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView

from . import layout, minimap
from .interactions import RerouteStroke
from .legend import WIDTH as LEGEND_WIDTH
from .legend import paint_legend
from .minimap import Minimap

OP_MIME = "application/x-gradviz-op"
# Fit All keeps nodes out of the right-hand strip where the legend and minimap sit.
OVERLAY_STRIP = max(LEGEND_WIDTH, minimap.SIZE[0]) + 2 * minimap.MARGIN
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0


class GraphView(QGraphicsView):
    quick_add_requested = Signal(QPointF)      # scene position for the new node
    nudge_requested = Signal(float, float)
    files_dropped = Signal(list)
    op_dropped = Signal(str, QPointF)
    painted = Signal()                         # after each paint of the canvas
    # pyqtgraph items (the heatmaps) connect to these on any view they are shown in.
    sigDeviceRangeChanged = Signal(object, object)
    sigDeviceTransformChanged = Signal(object)

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from = None
        self._space = False
        self._stroke = None    # a Shift+right-drag in progress (RerouteStroke)
        # The overlays are drawn over the scene: repaint them when the scene changes.
        scene.changed.connect(lambda _: self.viewport().update())
        self._pointer = None   # last mouse position over the viewport, None once it left
        self._fitted = False   # after Fit All, until the user zooms, pans or clicks
        self.minimap = Minimap(self)

    # ---- zoom -------------------------------------------------------------------------
    def paintEvent(self, event):
        self._follow_zoom()   # for zooms made by other means than the methods below
        self.scene().paint_in(self.mapToScene(event.rect()).boundingRect())
        super().paintEvent(event)
        self.painted.emit()

    def _follow_zoom(self):
        """Nodes drawn in full detail, or compact below DETAIL_ZOOM."""
        detail = self.zoom() >= layout.DETAIL_ZOOM
        if getattr(self.scene(), "detail", detail) != detail:
            self.scene().set_detail(detail)

    def zoom(self):
        return self.transform().m11()

    def zoom_by(self, factor, anchor=None):
        """Scale by `factor`, keeping the scene point under viewport point `anchor`
        (default: the centre) where it is."""
        self._fitted = False
        factor = max(MIN_ZOOM / self.zoom(), min(MAX_ZOOM / self.zoom(), factor))
        anchor = anchor if anchor is not None else QPointF(self.viewport().rect().center())
        fixed = self.mapToScene(anchor.toPoint())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor, factor)
        moved = self.mapToScene(anchor.toPoint())
        self.translate(moved.x() - fixed.x(), moved.y() - fixed.y())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._follow_zoom()

    def wheelEvent(self, event):
        self.zoom_by(1.0015 ** event.angleDelta().y(), event.position())

    def fit_all(self):
        """Show every node, frame and comment, at most at 150 %, in the part of the
        canvas that the legend and the minimap (in the right-hand strip) leave free.
        The fit follows the window's size (at start-up the window manager may resize
        it more than once) until the user zooms, pans or clicks."""
        self._fitted = True
        items = QRectF()
        scene = self.scene()
        for item in (*scene.nodes.values(), *scene.notes.values()):
            items = items.united(item.sceneBoundingRect())
        if items.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            self._follow_zoom()
            return
        items = items.adjusted(-40, -40, 40, 40)
        viewport = QRectF(self.viewport().rect())
        area = viewport.adjusted(0, 0, -OVERLAY_STRIP, 0) \
            if viewport.width() > 2 * OVERLAY_STRIP else viewport
        scale = min(area.width() / items.width(), area.height() / items.height(), 1.5)
        self.resetTransform()
        self.scale(scale, scale)
        # Centre the items in `area`: the view's centre lies right of theirs.
        shift = (viewport.center().x() - area.center().x()) / scale
        self.centerOn(items.center() + QPointF(shift, 0))
        self._follow_zoom()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._fitted:
            self.fit_all()

    def stop_fitting(self):
        """Keep the view where it is when the window's size changes (after an edit:
        a node added by hand stays under the pointer, not refitted away)."""
        self._fitted = False

    def zoom_100(self):
        """Zoom to 100 % around the selected nodes, else around the view's centre."""
        self._fitted = False
        center = self.mapToScene(self.viewport().rect().center())
        chosen = QRectF()
        for item in self.scene().selectedItems():
            chosen = chosen.united(item.sceneBoundingRect())
        if not chosen.isEmpty():
            center = chosen.center()
        self.resetTransform()
        self.centerOn(center)
        self._follow_zoom()

    def pointer_scene_pos(self):
        """Where the mouse pointer is on the canvas, or None when it is elsewhere."""
        return None if self._pointer is None else self.mapToScene(self._pointer)

    def cursor_scene_pos(self):
        """The pointer's scene position, else the centre of the view."""
        pointer = self.pointer_scene_pos()
        return pointer if pointer is not None else self.mapToScene(
            self.viewport().rect().center())

    def leaveEvent(self, event):
        self._pointer = None
        super().leaveEvent(event)

    # ---- pan ---------------------------------------------------------------------------
    def mousePressEvent(self, event):
        self._fitted = False
        target = self.minimap.scene_point(event.position())
        if target is not None and event.button() == Qt.MouseButton.LeftButton:
            self.centerOn(target)
            event.accept()
            return
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.RightButton and \
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._stroke = RerouteStroke(self.scene(), self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        self._pointer = event.position().toPoint()
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self._stroke is not None:
            self._stroke.update(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        if event.button() == Qt.MouseButton.RightButton and self._stroke is not None:
            stroke, self._stroke = self._stroke, None
            stroke.finish(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event):
        """Shift+right-click is the reroute gesture's, never the menu's (the menu comes
        on press on some platforms, on release on others)."""
        if self._stroke is not None or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            event.accept()
            return
        super().contextMenuEvent(event)

    def mouseDoubleClickEvent(self, event):
        if self.itemAt(event.position().toPoint()) is None:
            self.quick_add_requested.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # ---- keys -------------------------------------------------------------------------
    def event(self, event):
        # Tab would move the focus; here it opens the quick-add popup, as in Blender.
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab \
                and not self._editing_text():
            self.quick_add_requested.emit(self.cursor_scene_pos())
            return True
        return super().event(event)

    def _editing_text(self):
        focus = self.scene().focusItem()
        return focus is not None and bool(focus.flags() & focus.GraphicsItemFlag.ItemIsFocusable)

    def keyPressEvent(self, event):
        if self._stroke is not None and event.key() == Qt.Key.Key_Escape:
            self._stroke.cancel()   # Escape drops the reroute stroke
            self._stroke = None
            return
        step = 1.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 10.0
        arrows = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0),
                  Qt.Key.Key_Up: (0, -step), Qt.Key.Key_Down: (0, step)}
        if event.key() in arrows and not self._editing_text():
            self.nudge_requested.emit(*arrows[event.key()])
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() \
                and not self._editing_text():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space:
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            return
        super().keyReleaseEvent(event)

    def drawForeground(self, painter, rect):
        super().drawForeground(painter, rect)
        paint_legend(painter, self.viewport().rect(), self.scene().legend)
        self.minimap.paint(painter)

    def scrollContentsBy(self, dx, dy):
        super().scrollContentsBy(dx, dy)
        self.viewport().update()  # the legend stays put while the canvas scrolls

    # ---- drops --------------------------------------------------------------------------
    def _accepts(self, mime):
        return mime.hasFormat(OP_MIME) or any(
            u.isLocalFile() and u.toLocalFile().endswith(".gradviz") for u in mime.urls())

    def dragEnterEvent(self, event):
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event):
        mime = event.mimeData()
        if mime.hasFormat(OP_MIME):
            op = bytes(mime.data(OP_MIME)).decode()
            self.op_dropped.emit(op, self.mapToScene(event.position().toPoint()))
        else:
            self.files_dropped.emit([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])
        event.acceptProposedAction()
