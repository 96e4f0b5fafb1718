"""The properties panel: the selected node's name and params, built from the op's
declaration. Edits apply when a field is committed, each one undoable."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ..core.errors import GraphError
from ..core.ops import OPS
from ..core.shapes import shape_text
from .param_editors import FieldEdit, editor_for


class PropertiesPanel(QWidget):
    def __init__(self, document, status, parent=None):
        super().__init__(parent)
        self.document = document
        self.status = status            # callable(str) for the status bar
        self.node_id = None
        self._shown = None
        self._shown_node = None
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
        """Follow the document: every edit, undo and redo of the selected node (or of
        what feeds it) shows at once; a node that no longer exists clears the panel."""
        graph = self.document.graph
        node = graph.nodes.get(self.node_id)
        if node is None:
            self.node_id = None
        state = (node.rev, node.label, graph.revision) if node else None
        same_node = node is not None and node is self._shown_node
        showing_hint = self._shown_node is None
        if self.body is not None and (same_node and state == self._shown or
                                      node is None and showing_hint):
            return
        self._shown, self._shown_node = state, node
        if same_node and self._form_key == self._key(node):
            self._update_fields(node)   # same form: new values in place, focus kept
            return
        self._form_key = self._key(node) if node is not None else None
        if self.body is not None:   # out of the panel now, not at the next event loop
            self.layout_.removeWidget(self.body)
            self.body.hide()        # (hidden, not reparented: the window keeps the focus)
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
        self.info = {"node": QLabel()}
        form.addRow("Node", self.info["node"])
        about = QLabel(spec.doc)
        about.setWordWrap(True)
        about.setStyleSheet("color: #9a9ca3")
        form.addRow(about)
        label = FieldEdit(node.label)
        label.setPlaceholderText(node.id)
        label.editingFinished.connect(lambda: (label.committed(),
                                               self.document.rename(node.id, label.text())))
        form.addRow("Name", label)
        self.fields["label"] = label
        for param in spec.active_params(node.params):
            widget = editor_for(param, node.params.get(param.name, param.default),
                                lambda value, p=param: self._commit(node.id, p, value),
                                self._fail)
            self.fields[param.name] = widget
            form.addRow(param.name, widget)
            widget.setToolTip(param.doc)
        for port in spec.inputs:
            self.info[port] = QLabel()
            form.addRow(f"in {port}", self.info[port])
        self.info["output"] = QLabel()
        form.addRow("Output", self.info["output"])
        self._update_info(node)

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
        self._update_info(node)

    def _update_info(self, node):
        """The rows that depend on the rest of the graph: inputs and output shape."""
        graph = self.document.graph
        spec = OPS[node.op]
        name = f"{node.title} ({node.id})" if node.label else node.id
        self.info["node"].setText(f"{name} · {spec.title}")
        for port, src in zip(spec.inputs, graph.inputs_of(node.id)):
            if src is None:
                text = "not connected"
            else:
                shape = graph.shape(src)
                text = graph.nodes[src].title + ("" if shape is None else f" {shape_text(shape)}")
            self.info[port].setText(text)
        shape = graph.shape(node.id)
        self.info["output"].setText("unknown" if shape is None else shape_text(shape))

    # ---- committing ------------------------------------------------------------------
    def _commit(self, node_id, param, value):
        self.document.settle()   # trained values first: the edit starts from them
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
