"""The properties panel: the selected node's name and params, built from the op's
declaration. Edits apply when a field is committed, each one undoable."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..core.errors import GraphError
from ..core.ops import OPS
from .param_editors import editor_for


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
            widget = editor_for(param, node.params.get(param.name, param.default),
                                lambda value, p=param: self._commit(node.id, p, value),
                                self._fail)
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
            self.fields[param.name].set_value(node.params.get(param.name))

    # ---- committing ------------------------------------------------------------------
    def _commit(self, node_id, param, value):
        node = self.document.graph.nodes.get(node_id)
        if node is None:
            return
        params = {**node.params, param.name: value}
        spec = OPS[node.op]
        if spec.adjust:
            params = spec.adjust(node.params, params, self.document.graph.base_dir)
        try:
            self.document.set_params(node_id, params, what=param.name)
            self.error.clear()
        except GraphError as e:
            self._fail(str(e))

    def _fail(self, message):
        self.error.setText(message)
        self.status(message)
        self._shown = None
        self.refresh()
