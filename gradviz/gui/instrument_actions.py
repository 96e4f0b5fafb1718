"""The instruments in the editor, mixed into the main window.

Run ▸ Check Gradients runs off the GUI thread with a progress dialog and Cancel; its
errors join the run they checked (the Gradient Check view) and each checked node
gets a verdict mark. Run ▸ Compare… runs the graph on two settings the same way and
shows the differences (the Compare view). Run ▸ Probe This Cell (P) opens the probe
on the heatmap cell last clicked."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QProgressDialog)

from ..core import check, compare
from ..core.devices import gpu_status
from ..core.errors import GradvizError
from ..core.graph import DTYPES
from .instrument_runner import InstrumentRunner
from .probe import ProbeDialog


class InstrumentActions:
    """Needs `document`, `scene`, `last_result`, `device`, `select_view` and
    `show_message` on the window it is mixed into."""

    def _build_instruments(self):
        self.instruments = InstrumentRunner(self)
        self.instruments.progress.connect(self._instrument_progress)
        self.instruments.finished.connect(self._instrument_done)
        self.instruments.failed.connect(self._instrument_failed)
        self.check_dialog = None
        self._on_done = None
        self._instrumented = None    # the run the instrument works on

    def _start(self, title, text, fn, *args, on_done, **kwargs):
        """Run an instrument on the current run, with a progress dialog and Cancel."""
        self.pause_training()    # instruments read the graph: its values, not training's
        self.leave_step_mode()   # the instrument's view shows the whole run
        result = self.last_result
        if result is None or result.revision != self.document.graph.revision:
            self.show_message(f"Run the graph first (F5): {title} works on the current run")
            return
        self._instrumented, self._on_done = result, on_done
        dialog = QProgressDialog(text, "Cancel", 0, 0, self)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.NonModal)   # the canvas stays usable
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.instruments.cancel)
        self.check_dialog = dialog
        self.instruments.start(fn, *args, **kwargs)
        dialog.show()

    def check_gradients(self):
        """Check the selected nodes' gradients, or every input's."""
        self._start("Check Gradients", "Checking gradients against central differences…",
                    check.check_gradients, self.document.graph.copy(),
                    self.scene.selected_node_ids() or None, device=self.device(),
                    on_done=self._check_done)

    def compare_settings(self):
        """Run ▸ Compare…: the graph on two settings, the differences per node."""
        dialog = CompareDialog(f"{self.device()}:{self.document.graph.dtype}", self)
        if dialog.exec():
            a, b = dialog.settings()
            try:
                settings = compare.parse_setting(a), compare.parse_setting(b)
            except GradvizError as e:
                self.show_message(f"Cannot compare: {e}")
                return
            self._compared = (a, b)
            self._start("Compare", f"Running on {a} and on {b}…", compare.differences,
                        self.document.graph.copy(), *settings, on_done=self._compare_done)

    def probe_cell(self):
        """Open the probe on the heatmap cell last clicked."""
        self.pause_training()
        picked = self.scene.picked_cell
        if picked is None or picked[0] not in self.document.graph.nodes:
            self.show_message("Click a heatmap cell first (one element, not a block "
                              "mean), then Probe This Cell (P)")
            return
        node_id, index = picked
        try:
            self.probe_dialog = ProbeDialog(self.document, node_id, index,
                                            self.scene.title(node_id), self.device(), self)
        except GradvizError as e:
            self.show_message(f"Cannot probe: {e}")
            return
        self.probe_dialog.show()

    def _instrument_progress(self, done, total):
        if self.check_dialog is not None:
            self.check_dialog.setMaximum(total)
            self.check_dialog.setValue(done)

    def _close_check_dialog(self):
        if self.check_dialog is not None:
            self.check_dialog.canceled.disconnect()
            self.check_dialog.close()
            self.check_dialog = None

    def _instrument_done(self, outcome):
        self._close_check_dialog()
        if self._instrumented is not self.last_result:
            self.show_message("Dropped: the graph ran again meanwhile")
            return
        self._on_done(outcome)

    def _instrument_failed(self, error):
        self._close_check_dialog()
        self.show_message(str(error))

    def _check_done(self, report):
        check.attach(self.last_result, report)
        self.select_view("check")
        bad = [c for c in report.values() if not c.ok]
        if bad:
            c = bad[0]
            i = c.worst
            self.show_message(f"Gradient check: {self.scene.title(c.node)} disagrees at "
                              f"{list(c.indices[i])}: analytic {c.analytic[i]:.6g}, "
                              f"numeric {c.numeric[i]:.6g}", 0)
        else:
            checked = sum(c.checked for c in report.values())
            kinks = sum(int(c.kink.sum()) for c in report.values())
            nodes = f"{len(report)} node{'s agree' if len(report) != 1 else ' agrees'}"
            note = (f"; {kinks} of them at a kink, not differentiable there: not verified"
                    if kinks else "")
            self.show_message(f"Gradient check: {nodes} ({checked} elements{note})")

    def _compare_done(self, outcome):
        arrays, _ = outcome
        compare.attach(self.last_result, arrays)
        self.select_view("compare")
        worst = max(((float(d[k].max(initial=0)), n, k) for n, d in arrays.items()
                     for k in compare.KINDS if d[k] is not None), default=(0.0, "", ""))
        a, b = self._compared
        self.show_message(f"{a} against {b}: largest difference {worst[0]:.3g} "
                          f"({self.scene.title(worst[1])}'s {worst[2]})" if worst[1] else
                          f"{a} against {b}: no difference")


class CompareDialog(QDialog):
    """Two settings, each a device and a precision."""

    def __init__(self, current, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Compare two settings")
        choices = [f"cpu:{dtype}" for dtype in DTYPES]
        if gpu_status()[0]:
            choices += [f"gpu:{dtype}" for dtype in DTYPES]
        form = QFormLayout(self)
        self.boxes = []
        for label, default in (("A", current), ("B", "cpu:float32")):
            box = QComboBox()
            box.addItems(choices)
            box.setCurrentText(default if default in choices else choices[0])
            self.boxes.append(box)
            form.addRow(label, box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settings(self):
        return tuple(box.currentText() for box in self.boxes)
