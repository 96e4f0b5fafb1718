"""The perturbation probe: nudge one element by ε and compare the target's actual
change with the gradient's prediction, g·ε. The slider re-runs live on a copy of the
graph (only what the element reaches is recomputed) and springs back when released;
nothing changes the document unless Apply is clicked (one undo step)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QSlider)

from ..core.check import ProbeSession
from ..core.ops import get_op

SLIDER_STEPS = 100   # the slider spans ±10 ε in this many steps each way (0: ε itself)


class ProbeDialog(QDialog):
    def __init__(self, document, node_id, index, name, device="cpu", parent=None):
        super().__init__(parent)
        self.document, self.node_id, self.index = document, node_id, tuple(index)
        self.session = ProbeSession(document.graph, node_id, index, device=device)
        self.revision = document.graph.revision
        self.setWindowTitle("Probe")
        where = f"{name}[{', '.join(map(str, self.index))}]" if self.index else name
        form = QFormLayout(self)
        form.addRow("Element", QLabel(f"{where} = {self.session.value!r}"))
        form.addRow("Gradient g", QLabel(repr(self.session.grad)))
        self.eps = QDoubleSpinBox()
        self.eps.setDecimals(8)
        self.eps.setRange(-1e6, 1e6)
        self.eps.setSingleStep(self.session.default_eps)
        self.eps.setValue(self.session.default_eps)
        self.eps.setToolTip("The nudge added to the element")
        form.addRow("Nudge ε", self.eps)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(-SLIDER_STEPS, SLIDER_STEPS)
        self.slider.setToolTip("Drag to nudge by up to ±10 ε live; it springs back on release")
        form.addRow("Live", self.slider)
        self.labels = {name: QLabel() for name in ("used", "predicted", "actual",
                                                   "difference")}
        form.addRow("Nudge used", self.labels["used"])
        form.addRow("Predicted g·ε", self.labels["predicted"])
        form.addRow("Actual change", self.labels["actual"])
        form.addRow("Difference", self.labels["difference"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Close)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setToolTip("Add ε to the element in the graph (undoable)")
        if get_op(document.graph.nodes[node_id].op).source is None:
            self.apply_button.setEnabled(False)
            self.apply_button.setToolTip("Only an input's values can be changed")
        self.apply_button.clicked.connect(self.apply)
        buttons.rejected.connect(self.close)
        form.addRow(buttons)
        self.eps.valueChanged.connect(lambda _: self.show_probe(self.eps.value()))
        self.slider.valueChanged.connect(self._slid)
        self.slider.sliderReleased.connect(lambda: self.slider.setValue(0))
        self.show_probe(self.eps.value())

    def _slid(self, step):
        self.show_probe(self.eps.value() * 10 * step / SLIDER_STEPS if step else self.eps.value())

    def show_probe(self, eps):
        self.last = p = self.session.at(eps)
        self.labels["used"].setText(f"{p.eps:.6g}")
        self.labels["predicted"].setText(f"{p.predicted:.10g}")
        self.labels["actual"].setText(f"{p.actual:.10g}")
        self.labels["difference"].setText(f"{p.difference:.3g}")

    def apply(self):
        """The element + ε, as the node's explicit values: one undo step."""
        graph = self.document.graph
        if graph.revision != self.revision:
            self.labels["difference"].setText("the graph changed: probe again")
            return
        array = self.session.f.base[self.node_id].copy()
        array[self.index] += self.eps.value()
        self.document.set_params(self.node_id, {"value": array}, what="value (probe)")
        self.close()
