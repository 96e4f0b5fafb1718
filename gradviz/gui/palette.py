"""The op palette and the quick-add popup, both built from the op table: a new op
appears here without any GUI change."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (QFrame, QLineEdit, QListWidget, QListWidgetItem, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from ..core.ops import CATEGORIES, OPS
from .view import OP_MIME

OP_ROLE = Qt.ItemDataRole.UserRole


def ops_by_category():
    """(category, specs) in the op table's category order."""
    groups = {category: [] for category in CATEGORIES}
    for spec in OPS.values():
        groups[spec.category].append(spec)
    return [(category, specs) for category, specs in groups.items() if specs]


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
                item = QTreeWidgetItem(group, [f"{spec.title}   ({spec.name})"])
                item.setData(0, OP_ROLE, spec.name)
                item.setToolTip(0, spec.doc)
        self.expandAll()
        self.itemActivated.connect(self._activated)

    def item_for(self, op):
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, OP_ROLE) == op:
                    return group.child(j)
        return None

    def _activated(self, item):
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
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ops…")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(240, 260)
        for spec in OPS.values():
            item = QListWidgetItem(f"{spec.title}   ({spec.name})")
            item.setData(OP_ROLE, spec.name)
            item.setToolTip(spec.doc)
            self.list.addItem(item)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._choose_current)
        self.list.itemActivated.connect(self._choose)
        self.search.installEventFilter(self)

    def popup(self, global_pos):
        self.search.clear()
        self.move(global_pos)
        self.show()
        self.search.setFocus()

    def _filter(self, text):
        """Show the ops whose name or title contains the text; preselect the best one
        (a name or title that starts with it)."""
        text = text.strip().lower()
        best, best_rank = None, None
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(OP_ROLE)
            hidden = bool(text) and text not in item.text().lower()
            item.setHidden(hidden)
            if hidden:
                continue
            rank = (not name.startswith(text), not item.text().lower().startswith(text), i)
            if best_rank is None or rank < best_rank:
                best, best_rank = item, rank
        self.list.setCurrentItem(best)

    def eventFilter(self, obj, event):
        # Up/Down in the search field move through the list.
        if event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Up,
                                                                   Qt.Key.Key_Down):
            self.list.keyPressEvent(event)
            return True
        return super().eventFilter(obj, event)

    def _choose_current(self):
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self._choose(item)

    def _choose(self, item):
        self.hide()
        self.op_chosen.emit(item.data(OP_ROLE))
