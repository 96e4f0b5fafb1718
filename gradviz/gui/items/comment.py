"""A comment on the canvas: a text note, word-wrapped at its width."""
import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import layout, theme
from .inline_text import InlineText

COMMENT_Z = -0.5   # over edges (-1), under nodes (0 and up)
EMPTY = "Empty comment: double-click to write"


class CommentItem(QGraphicsItem):
    """Dragged and selected like a node; double-click to edit the text (Enter starts
    a new line, Ctrl+Enter or a click elsewhere commits, Escape cancels). Zoomed out,
    its first line is painted large enough to read."""

    def __init__(self, comment):
        super().__init__()
        self.note_id = comment.id
        self.comment = comment
        self.detail = True
        self._size = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(COMMENT_Z)
        self.text = InlineText(self, self._commit, self._show_text, multiline=True)
        margin = self.text.document().documentMargin()
        self.text.setPos(layout.COMMENT_PADDING - margin, layout.COMMENT_PADDING - margin)
        self.text.document().contentsChanged.connect(self._fit)
        self.restyle()
        self.set_note(comment)

    def restyle(self):
        """Take the colors of the theme now in use."""
        self.text.setDefaultTextColor(theme.TEXT)
        self.update()

    def set_note(self, comment):
        self.comment = comment
        self.setPos(*comment.pos)
        margin = self.text.document().documentMargin()
        self.text.setTextWidth(comment.width - 2 * (layout.COMMENT_PADDING - margin))
        self._show_text()

    def _show_text(self):
        if not self.text.editing and self.text.toPlainText() != self.comment.text:
            self.text.setPlainText(self.comment.text)
        self._fit()

    def _fit(self):
        """The note's height follows its text, also while it is typed."""
        margin = self.text.document().documentMargin()
        text_height = self.text.boundingRect().height() - 2 * margin
        size = (self.comment.width, max(text_height, 18) + 2 * layout.COMMENT_PADDING)
        if size != self._size:
            self.prepareGeometryChange()
            self._size = size
        self.update()

    def _commit(self, text):
        if self.scene():
            self.scene().edit_note(self.note_id, {"text": text})

    def start_editing(self):
        self.text.start_editing(self.comment.text)

    def set_detail(self, detail):
        self.detail = detail
        self.text.setVisible(detail)
        self.update()

    def boundingRect(self):
        return QRectF(0, 0, *self._size).adjusted(-2, -2, 2, 2)

    def paint(self, painter, option, widget=None):
        zoom = max(painter.worldTransform().m11(), 1e-3)
        rect = QRectF(0, 0, *self._size)
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        selected = self.isSelected()
        painter.setPen(QPen(theme.NODE_SELECTED if selected else theme.COMMENT_BORDER,
                            (2 if selected else 1) / min(zoom, 1)))
        painter.setBrush(theme.COMMENT)
        painter.drawRoundedRect(rect, 4, 4)
        pad = layout.COMMENT_PADDING
        if not self.detail:
            font = QFont()   # on screen TITLE_MIN_PX high, as far as the note has room
            font.setPixelSize(max(1, min(math.ceil(layout.TITLE_MIN_PX / zoom),
                                         math.floor((rect.height() - pad) / 1.25))))
            metrics = QFontMetricsF(font)
            line = (self.comment.text.strip().splitlines() or [""])[0]
            room = QRectF(pad, 0, rect.width() - 2 * pad, rect.height())
            painter.setFont(font)
            painter.setPen(theme.TEXT)
            painter.drawText(room, Qt.AlignmentFlag.AlignVCenter,  # the first line
                             metrics.elidedText(line, Qt.TextElideMode.ElideRight, room.width()))
        elif not self.comment.text and not self.text.editing:
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(rect.adjusted(pad, pad, -pad, -pad),
                             Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, EMPTY)

    def mouseDoubleClickEvent(self, event):
        self.start_editing()
        event.accept()
