"""The properties panel: the selected node's name and params, built from the op's
declaration. Edits apply when a field is committed, each one undoable."""
from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from ..core.errors import GraphError
from ..core.ops import OPS


def parse(kind, text):
    """The param value a field's text means, or ValueError with the reason."""
    text = text.strip()
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)  # accepts nan, inf, -inf
    if kind == "axis":
        return None if text in ("", "all", "None") else int(text)
    if kind in ("shape", "ints"):
        parts = tuple(int(p) for p in re.split(r"[\s,x×]+", text.strip("()[] ")) if p)
        return None if kind == "ints" and not parts else parts
    if kind == "padding":
        return text if text in ("valid", "same") else int(text)
    return text


def show(kind, value):
    if kind == "axis":
        return "all" if value is None else str(value)
    if kind in ("shape", "ints"):
        return "" if value is None else ", ".join(map(str, value))
    if kind == "float":
        return repr(float(value))
    return "" if value is None else str(value)


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


class PropertiesPanel(QWidget):
    def __init__(self, document, status, parent=None):
        super().__init__(parent)
        self.document = document
        self.status = status            # callable(str) for the status bar
        self.node_id = None
        self._shown = None
        self._form_key = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(6, 6, 6, 6)
        self.body = None
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e5484d")
        self.layout_.addWidget(self.error)
        self.fields = {}
        document.edited.connect(self.refresh)
        self.set_node(None)

    def set_node(self, node_id):
        self.node_id = node_id
        self._shown = None
        self.error.clear()
        self.refresh()

    def refresh(self):
        graph = self.document.graph
        node = graph.nodes.get(self.node_id)
        state = (node.id, id(node.params), node.label) if node else None
        if state == self._shown and self.body is not None:
            return
        if node is not None and self._shown and self._shown[0] == node.id \
                and self._form_key == self._key(node):
            self._shown = state
            self._update_fields(node)   # same form: new values in place, focus kept
            return
        self._shown = state
        self._form_key = self._key(node) if node is not None else None
        if self.body is not None:
            self.body.deleteLater()
        self.body = QWidget(self)
        self.layout_.insertWidget(0, self.body, 1)
        self.fields = {}
        if node is None:
            layout = QVBoxLayout(self.body)
            hint = QLabel("Select a node to see its properties.")
            hint.setWordWrap(True)
            layout.addWidget(hint)
            layout.addStretch(1)
            return
        spec = OPS[node.op]
        form = QFormLayout(self.body)
        form.addRow("Node", QLabel(f"{node.id} · {spec.title}"))
        about = QLabel(spec.doc)
        about.setWordWrap(True)
        about.setStyleSheet("color: #9a9ca3")
        form.addRow(about)
        label = QLineEdit(node.label)
        label.setPlaceholderText(node.id)
        label.editingFinished.connect(lambda: self.document.rename(node.id, label.text()))
        form.addRow("Name", label)
        self.fields["label"] = label
        for param in spec.active_params(node.params):
            widget = self._field(node, param)
            self.fields[param.name] = widget
            form.addRow(param.name, widget)
            widget.setToolTip(param.doc)
        for port, src in zip(spec.inputs, graph.inputs_of(node.id)):
            known = src is not None and graph.shape(src) is not None
            where = f"{src} {tuple(graph.shape(src))}" if known else src or "not connected"
            form.addRow(f"in {port}", QLabel(where))
        shape = graph.shape(node.id)
        form.addRow("Output", QLabel("unknown" if shape is None else str(tuple(shape))))

    @staticmethod
    def _key(node):
        """What decides the form's layout: the params shown and any array's shape."""
        spec = OPS[node.op]
        return tuple((p.name, getattr(node.params.get(p.name), "shape", None))
                     for p in spec.active_params(node.params))

    def _update_fields(self, node):
        self.fields["label"].setText(node.label)
        for param in OPS[node.op].active_params(node.params):
            widget, value = self.fields[param.name], node.params.get(param.name)
            if param.kind == "choice":
                widget.blockSignals(True)
                widget.setCurrentText(str(value))
                widget.blockSignals(False)
            elif param.kind == "array":
                if value.ndim <= 2:
                    widget.table.model().set_array(value)
            elif param.kind == "path":
                widget.line.setText(show(param.kind, value))
            else:
                widget.setText(show(param.kind, value))

    def _field(self, node, param):
        value = node.params.get(param.name, param.default)
        if param.kind == "choice":
            box = QComboBox()
            box.addItems([str(c) for c in param.choices])
            box.setCurrentText(str(value))
            box.currentTextChanged.connect(lambda text: self._commit(node.id, param, text))
            return box
        if param.kind == "array":
            return self._array_field(node, param, value)
        line = QLineEdit(show(param.kind, value))
        line.editingFinished.connect(lambda: self._commit_text(node.id, param, line.text()))
        if param.kind != "path":
            return line
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(line, 1)
        browse = QPushButton("…")
        browse.setToolTip("Choose a .npy file")
        browse.clicked.connect(lambda: self._browse(node.id, param))
        layout.addWidget(browse)
        row.line = line
        return row

    def _array_field(self, node, param, value):
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        shape = QLineEdit(show("shape", value.shape))
        shape.setToolTip("Resize: new cells are 0")
        shape.editingFinished.connect(lambda: self._resize(node.id, param, shape.text()))
        layout.addWidget(shape)
        if value.ndim <= 2:
            table = QTableView()
            table.setModel(ArrayModel(value, lambda a: self._commit(node.id, param, a)))
            table.horizontalHeader().setDefaultSectionSize(84)
            table.verticalHeader().setDefaultSectionSize(22)
            table.setMinimumHeight(140)
            layout.addWidget(table)
            box.table = table
        else:
            layout.addWidget(QLabel(f"{value.ndim}-d arrays are edited in the file"))
        box.shape = shape
        return box

    # ---- committing ------------------------------------------------------------------
    def _commit_text(self, node_id, param, text):
        try:
            value = parse(param.kind, text)
        except ValueError:
            self._fail(f"{param.name}: {text!r} is not a valid {param.kind}")
            return
        self._commit(node_id, param, value)

    def _commit(self, node_id, param, value):
        node = self.document.graph.nodes.get(node_id)
        if node is None:
            return
        params = dict(node.params)
        params[param.name] = value
        if param.name == "source" and value == "value" and "value" not in params:
            params["value"] = self._current_array(node)
        try:
            self.document.set_params(node_id, params, what=param.name)
            self.error.clear()
        except GraphError as e:
            self._fail(str(e))

    def _resize(self, node_id, param, text):
        node = self.document.graph.nodes[node_id]
        try:
            shape = parse("shape", text)
            old = node.params[param.name]
            new = np.zeros(shape)
            common = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, shape))
            if old.ndim == new.ndim:
                new[common] = old[common]
        except (ValueError, MemoryError) as e:
            self._fail(f"{param.name} shape: {e}")
            return
        self._commit(node_id, param, new)

    def _current_array(self, node):
        """The array a randn/fill/npy source gives now, to start explicit values from."""
        try:
            return OPS[node.op].source(node.params, base_dir=self.document.graph.base_dir)
        except (ValueError, OSError):
            return np.zeros(tuple(node.params.get("shape", (4, 3))))

    def _browse(self, node_id, param):
        path, _ = QFileDialog.getOpenFileName(self, "Choose a .npy file", "",
                                              "NumPy arrays (*.npy)")
        if path:
            self._commit(node_id, param, path)

    def _fail(self, message):
        self.error.setText(message)
        self.status(message)
        self._shown = None
        self.refresh()
