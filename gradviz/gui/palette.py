"""The op palette and the quick-add popup, both built from the op table: a new op
appears here without any GUI change."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QFrame, QLineEdit, QListWidget, QListWidgetItem, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from ..core.ops import CATEGORIES, OPS
from .view import OP_MIME

OP_ROLE = Qt.ItemDataRole.UserRole
QUICK_ADD_ROWS = 14    # entries the quick-add popup shows without scrolling


def ops_by_category():
    """(category, specs) in the op table's category order."""
    groups = {category: [] for category in CATEGORIES}
    for spec in OPS.values():
        groups[spec.category].append(spec)
    return [(category, specs) for category, specs in groups.items() if specs]


def entry_text(spec):
    return f"{spec.title}   ({spec.name})"


def match_rank(spec, query):
    """How well an op matches a lower-case query: 0 when its name or title is the query,
    1 when one starts with it, 2 when one contains it, 3 when only its doc does; None
    when nothing does. An empty query matches every op alike."""
    names = (spec.name.lower(), spec.title.lower())
    if query in names:
        return 0
    if any(name.startswith(query) for name in names):
        return 1
    if any(query in name for name in names):
        return 2
    if query in spec.doc.lower():
        return 3
    return None


def ops_matching(text):
    """The ops that match the text, best first, then in category order, then in the
    order they are declared."""
    query = text.strip().lower()
    ranks = {spec.name: match_rank(spec, query) for spec in OPS.values()}
    matches = [spec for spec in OPS.values() if ranks[spec.name] is not None]
    return sorted(matches, key=lambda spec: (ranks[spec.name],
                                             CATEGORIES.index(spec.category)))


class Palette(QTreeWidget):
    """Double-click or Enter adds the op at the centre of the canvas; drag it to place it."""
    op_chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        for category, specs in ops_by_category():
            group = QTreeWidgetItem(self, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in specs:
                item = QTreeWidgetItem(group, [entry_text(spec)])
                item.setData(0, OP_ROLE, spec.name)
                item.setToolTip(0, spec.doc)
        self.expandAll()
        self.itemActivated.connect(self.activate)

    def filter(self, text):
        """Show only the ops matching `text` (as quick-add matches), and their
        categories; the first match becomes current, so Enter adds it."""
        shown = {spec.name for spec in ops_matching(text)}
        first = None
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            visible = 0
            for j in range(group.childCount()):
                item = group.child(j)
                item.setHidden(item.data(0, OP_ROLE) not in shown)
                visible += not item.isHidden()
            group.setHidden(visible == 0)
        best = ops_matching(text)
        if best and text.strip():
            first = self.item_for(best[0].name)
        self.setCurrentItem(first)

    def item_for(self, op):
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, OP_ROLE) == op:
                    return group.child(j)
        return None

    def activate(self, item):
        """Add the op of `item` (a category heading adds nothing)."""
        op = item.data(0, OP_ROLE)
        if op:
            self.op_chosen.emit(op)

    def mimeData(self, items):
        mime = QMimeData()
        ops = [i.data(0, OP_ROLE) for i in items if i.data(0, OP_ROLE)]
        if ops:
            mime.setData(OP_MIME, ops[0].encode())
        return mime

    def mimeTypes(self):
        return [OP_MIME]


class QuickAdd(QFrame):
    """A search popup (Tab or double-click on the canvas): type, then Enter."""
    op_chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.allowed = None   # op names to list (a wire dropped on the canvas), or all
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ops…")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self._show_matches("")
        self._fit_to_entries()
        self.search.textChanged.connect(self._show_matches)
        self.search.returnPressed.connect(self._choose_current)
        self.list.itemActivated.connect(self._choose)
        self.search.installEventFilter(self)

    def _fit_to_entries(self):
        """Wide enough for the longest entry, tall enough for QUICK_ADD_ROWS of them."""
        frame = 2 * self.list.frameWidth()
        width = self.list.sizeHintForColumn(0) + self.list.verticalScrollBar().sizeHint().width()
        rows = min(QUICK_ADD_ROWS, self.list.count())
        self.list.setFixedSize(width + frame, rows * self.list.sizeHintForRow(0) + frame)
        self.adjustSize()

    def popup(self, global_pos, allowed=None):
        """Open at `global_pos`, listing every op, or only those named in `allowed`."""
        self.allowed = allowed
        self.search.clear()
        self._show_matches("")
        self.show()   # first: the window's frame is known once shown
        self.move(self._on_screen(global_pos))
        self.search.setFocus()

    def _on_screen(self, global_pos):
        """Where the popup goes to open at `global_pos`, moved into the screen if need be."""
        area = (QGuiApplication.screenAt(global_pos) or self.screen()).availableGeometry()
        size = self.frameGeometry().size()
        return QPoint(max(area.left(), min(global_pos.x(), area.right() + 1 - size.width())),
                      max(area.top(), min(global_pos.y(), area.bottom() + 1 - size.height())))

    def _show_matches(self, text):
        """List the ops that match the text, best first, and preselect the best."""
        self.list.clear()
        for spec in ops_matching(text):
            if self.allowed is not None and spec.name not in self.allowed:
                continue
            item = QListWidgetItem(entry_text(spec))
            item.setData(OP_ROLE, spec.name)
            item.setToolTip(spec.doc)
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def eventFilter(self, obj, event):
        # Up/Down in the search field move through the list.
        if event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Up,
                                                                   Qt.Key.Key_Down):
            self.list.keyPressEvent(event)
            return True
        return super().eventFilter(obj, event)

    def hideEvent(self, event):
        # Keys go back to the window (its shortcuts need it active), window manager
        # or not.
        super().hideEvent(event)
        if self.parentWidget() is not None:
            self.parentWidget().activateWindow()

    def _choose_current(self):
        item = self.list.currentItem()
        if item is not None:
            self._choose(item)

    def _choose(self, item):
        self.hide()
        self.op_chosen.emit(item.data(OP_ROLE))
