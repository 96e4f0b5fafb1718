"""Text edited in place on the canvas: a node's or a frame's title, a comment."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QGraphicsTextItem


class InlineText(QGraphicsTextItem):
    """`start_editing(text)` selects it all for typing over; Enter commits (`multiline`:
    Enter starts a new line and Ctrl+Enter commits), so does clicking elsewhere;
    Escape cancels. `commit(text)` gets what was typed, `done()` follows either."""

    def __init__(self, parent, commit, done, multiline=False):
        super().__init__(parent)
        self._commit, self._done, self.multiline = commit, done, multiline
        self.editing = False

    def start_editing(self, text):
        self.editing = True
        self.setPlainText(text)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cursor)

    def finish(self, commit):
        if not self.editing:
            return
        self.editing = False
        text = self.toPlainText()
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        if self.scene() and self.scene().focusItem() is self:
            self.scene().setFocusItem(None)
        if commit:
            self._commit(text)
        self._done()

    def keyPressEvent(self, event):
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if enter and (ctrl or not self.multiline):
            self.finish(True)
        elif event.key() == Qt.Key.Key_Escape:
            self.finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        self.finish(True)
