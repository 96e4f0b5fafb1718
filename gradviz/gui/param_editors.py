"""The properties panel's editor for each param kind: a table from kind name to widget
class. Each editor shows a value (`set_value`) and hands a checked edit to `commit`,
or a message to `fail`; what a text means is the kind's own `parse`."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from ..core.ops.params import KINDS


class FieldEdit(QLineEdit):
    """A field of the properties panel. Once its text is committed (Enter), Undo and
    Redo are the document's again, as in any desktop app; while typing they undo the
    typing."""

    def event(self, event):
        if event.type() == QEvent.Type.ShortcutOverride and not self.isModified() and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)):
            return True   # not accepted: the window's Undo or Redo action gets the key
        return super().event(event)

    def committed(self):
        self.setModified(False)


class TextEditor(FieldEdit):
    """A line of text, read by the param kind (int, float, axis, shape, ...)."""

    def __init__(self, param, value, commit, fail):
        super().__init__()
        self.param = param
        self.set_value(value)
        self.editingFinished.connect(lambda: self._commit(commit, fail))

    def _commit(self, commit, fail):
        try:
            value = self.param.kind.parse(self.text())
        except ValueError:
            fail(f"{self.param.name}: {self.text()!r} is not a valid {self.param.kind.name}")
            return
        self.committed()
        commit(value)

    def set_value(self, value):
        self.setText(self.param.kind.format(value))


class ChoiceEditor(QComboBox):
    def __init__(self, param, value, commit, fail):
        super().__init__()
        self.addItems([str(c) for c in param.choices])
        self.set_value(value)
        self.currentTextChanged.connect(commit)

    def set_value(self, value):
        self.blockSignals(True)
        self.setCurrentText(str(value))
        self.blockSignals(False)


class BoolEditor(QWidget):
    """A checkbox, with what the param does written under it."""

    def __init__(self, param, value, commit, fail):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.box = QCheckBox()
        self.box.toggled.connect(commit)
        layout.addWidget(self.box)
        about = QLabel(param.doc)
        about.setWordWrap(True)
        about.setStyleSheet("color: #9a9ca3")
        layout.addWidget(about)
        self.set_value(value)

    def set_value(self, value):
        self.box.blockSignals(True)
        self.box.setChecked(bool(value))
        self.box.blockSignals(False)


class PathEditor(QWidget):
    """A path, typed or chosen with a file dialog."""

    def __init__(self, param, value, commit, fail):
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line = TextEditor(param, value, commit, fail)
        layout.addWidget(self.line, 1)
        browse = QPushButton("…")
        browse.setToolTip("Choose a .npy file")
        browse.clicked.connect(lambda: self._browse(commit))
        layout.addWidget(browse)

    def _browse(self, commit):
        path, _ = QFileDialog.getOpenFileName(self, "Choose a .npy file", "",
                                              "NumPy arrays (*.npy)")
        if path:
            commit(path)

    def set_value(self, value):
        self.line.set_value(value)


class ArrayModel(QAbstractTableModel):
    """An editable 0-, 1- or 2-d array; `on_edit(new_array)` receives each cell edit."""

    def __init__(self, array, on_edit):
        super().__init__()
        self.on_edit = on_edit
        self.set_array(array)

    def set_array(self, array):
        """Show another array of the same layout (the table keeps its scroll and focus)."""
        self.beginResetModel()
        self.array = np.asarray(array)
        self.grid = self.array.reshape(1, -1) if self.array.ndim < 2 else self.array
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return self.grid.shape[0]

    def columnCount(self, parent=QModelIndex()):
        return self.grid.shape[1]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        value = float(self.grid[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{value:.6g}"
        if role in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            return repr(value)  # edited and hovered at full precision
        return None

    def flags(self, index):
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        grid = np.array(self.grid)
        grid[index.row(), index.column()] = number
        self.on_edit(grid.reshape(self.array.shape))
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section)
        return None


class ArrayEditor(QWidget):
    """An array's shape (typing a new one resizes it, new cells 0) and, up to 2-d, its
    values in an editable table."""

    def __init__(self, param, value, commit, fail):
        super().__init__()
        self.value = value
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.shape = QLineEdit(", ".join(map(str, value.shape)))
        self.shape.setToolTip("Resize: new cells are 0")
        self.shape.editingFinished.connect(lambda: self._resize(commit, fail))
        layout.addWidget(self.shape)
        self.table = None
        if value.ndim <= 2:
            self.table = QTableView()
            self.table.setModel(ArrayModel(value, commit))
            self.table.horizontalHeader().setDefaultSectionSize(84)
            self.table.verticalHeader().setDefaultSectionSize(22)
            self.table.setMinimumHeight(140)
            layout.addWidget(self.table)
        else:
            layout.addWidget(QLabel(f"{value.ndim}-d arrays are edited in the file"))

    def _resize(self, commit, fail):
        try:
            shape = KINDS["shape"].parse(self.shape.text())
            new = np.zeros(shape)
            common = tuple(slice(0, min(a, b)) for a, b in zip(self.value.shape, shape))
            if self.value.ndim == new.ndim:
                new[common] = self.value[common]
        except (ValueError, MemoryError) as e:
            fail(f"shape: {e}")
            return
        commit(new)

    def set_value(self, value):
        self.value = value
        if self.table is not None:
            self.table.model().set_array(value)


EDITORS = {"choice": ChoiceEditor, "bool": BoolEditor, "path": PathEditor,
           "array": ArrayEditor}


def editor_for(param, value, commit, fail):
    """The editor widget of `param`'s kind, showing `value`."""
    return EDITORS.get(param.kind.name, TextEditor)(param, value, commit, fail)
