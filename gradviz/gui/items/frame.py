"""A frame on the canvas: a titled, colored rectangle behind a group of nodes."""
import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import layout, theme
from .inline_text import InlineText

FRAME_Z = -10.0   # behind edges (-1) and nodes (0 and up)


class FrameItem(QGraphicsItem):
    """Behind edges and nodes, and a smaller frame over a larger one, so that a frame
    inside another stays within reach. Only the title bar and the resize corner take
    the mouse: a click on the body reaches the canvas (rubber band, quick-add, the
    canvas's menu), as in ComfyUI. Dragging the title bar moves the frame with what
    lies inside it (the scene's `FrameDrag`); the bottom-right corner resizes it;
    double-click the title to rename it."""

    def __init__(self, frame):
        super().__init__()
        self.note_id = frame.id
        self.frame = frame
        self.detail = True
        self._size = None
        self._band = layout.FRAME_TITLE   # the title bar's height, as last painted
        self._resize_from = None          # (press position, size) while resizing
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.title = InlineText(self, self._rename, self._show_title)
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setDefaultTextColor(theme.HEADER_TEXT)
        self.title.setPos(6, (layout.FRAME_TITLE - self.title.boundingRect().height()) / 2)
        self.set_note(frame)

    # ---- from the model ---------------------------------------------------------------
    def set_note(self, frame):
        self.frame = frame
        x, y, width, height = frame.rect
        self.setPos(x, y)
        self._resize((width, height))
        self.setZValue(FRAME_Z - width * height * 1e-12)   # larger ones further back
        self._show_title()

    def _resize(self, size):
        if size != self._size:
            self.prepareGeometryChange()
            self._size = size

    def _show_title(self):
        if not self.title.editing:
            room = self._size[0] - 2 * layout.FRAME_GRIP
            text = QFontMetricsF(self.title.font()).elidedText(
                self.frame.title, Qt.TextElideMode.ElideRight, max(room, 0))
            if text != self.title.toPlainText():
                self.title.setPlainText(text)
        self.update()

    def _rename(self, text):
        if self.scene():
            self.scene().edit_note(self.note_id, {"title": " ".join(text.split())})

    def start_renaming(self):
        self.title.start_editing(self.frame.title)

    def restyle(self):
        """Take the colors of the theme now in use (read as it paints)."""
        self.update()

    def set_detail(self, detail):
        """Zoomed out, the title is painted large (readable on screen) instead."""
        self.detail = detail
        self.title.setVisible(detail)
        self.update()

    # ---- geometry -----------------------------------------------------------------------
    def boundingRect(self):
        return QRectF(0, 0, *self._size).adjusted(-2, -2, 2, 2)

    def _grip(self):
        width, height = self._size
        grip = layout.FRAME_GRIP
        return QRectF(width - grip, height - grip, grip, grip)

    def shape(self):
        """The title bar and the resize corner: the body lets the mouse through."""
        path = QPainterPath()
        path.addRect(QRectF(0, 0, self._size[0], min(self._band, self._size[1])))
        path.addRect(self._grip())
        return path

    # ---- painting -----------------------------------------------------------------------
    def _title_font(self, zoom):
        """The title's font, large enough zoomed out to be TITLE_MIN_PX on screen."""
        font = QFont(self.title.font())
        if not self.detail:
            font.setPixelSize(max(13, math.ceil(layout.TITLE_MIN_PX * 1.2 / zoom)))
        return font

    def paint(self, painter, option, widget=None):
        width, height = self._size
        zoom = max(painter.worldTransform().m11(), 1e-3)
        font = self._title_font(zoom)
        band = layout.FRAME_TITLE if self.detail else \
            max(layout.FRAME_TITLE, QFontMetricsF(font).height() * 1.3)
        self._band = band = min(band, height)
        bar, body = theme.frame_colors(self.frame.color)
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        outline = QPainterPath()
        outline.addRoundedRect(QRectF(0, 0, width, height), 6, 6)
        painter.fillPath(outline, body)
        header = QPainterPath()
        header.addRoundedRect(QRectF(0, 0, width, band), 6, 6)
        header.addRect(QRectF(0, band / 2, width, band / 2))
        header.setFillRule(Qt.FillRule.WindingFill)
        painter.fillPath(header.simplified(), bar)
        if not self.detail:
            painter.setFont(font)
            painter.setPen(theme.HEADER_TEXT)
            room = QRectF(8 / zoom, 0, width - 16 / zoom, band)
            title = QFontMetricsF(font).elidedText(self.frame.title,
                                                   Qt.TextElideMode.ElideRight, room.width())
            painter.drawText(room, Qt.AlignmentFlag.AlignVCenter, title)
        grip = self._grip()
        painter.setPen(QPen(bar, 1.5 / zoom))
        for step in (4, 8, 12):   # three short diagonal lines in the corner
            painter.drawLine(grip.right() - step, grip.bottom() - 2,
                             grip.right() - 2, grip.bottom() - step)
        selected = self.isSelected()
        painter.setPen(QPen(theme.NODE_SELECTED if selected else bar,
                            (2 if selected else 1) / min(zoom, 1)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(outline)

    # ---- interaction --------------------------------------------------------------------
    def hoverMoveEvent(self, event):
        grip = self._grip().contains(event.pos())
        self.setCursor(Qt.CursorShape.SizeFDiagCursor if grip else Qt.CursorShape.ArrowCursor)

    def mousePressEvent(self, event):
        super().mousePressEvent(event)   # selection
        if event.button() != Qt.MouseButton.LeftButton or self.scene() is None:
            return
        if self._grip().contains(event.pos()):
            self._resize_from = (event.scenePos(), self._size)
        else:
            self.scene().begin_frame_drag(self, event.scenePos())
        event.accept()

    def mouseMoveEvent(self, event):
        if self._resize_from is not None:
            start, (width, height) = self._resize_from
            delta = event.scenePos() - start
            self._resize((max(layout.FRAME_MIN[0], width + delta.x()),
                          max(layout.FRAME_MIN[1], height + delta.y())))
            self._show_title()
        elif self.scene() is not None:
            self.scene().drag_frame(event.scenePos())

    def mouseReleaseEvent(self, event):
        super().mouseReleaseEvent(event)
        if self._resize_from is not None:
            self._resize_from = None
            if self._size != self.frame.rect[2:] and self.scene() is not None:
                self.scene().edit_note(self.note_id, {"rect": (*self.frame.rect[:2],
                                                               *self._size)})
            self.set_note(self.frame)   # as the model has it, even if it refused

    def mouseDoubleClickEvent(self, event):
        if event.pos().y() <= self._band and not self._grip().contains(event.pos()):
            self.start_renaming()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)
