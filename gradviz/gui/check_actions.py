"""Run ▸ Check Gradients: the check runs off the GUI thread with a progress dialog
and Cancel; its errors join the run they checked (the Gradient Check view) and each
checked node gets a verdict mark. Run ▸ Probe This Cell (P) opens the probe on the
heatmap cell last clicked. Mixed into the main window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from ..core import check
from ..core.errors import GradvizError
from .instrument_runner import InstrumentRunner
from .probe import ProbeDialog


class CheckActions:
    """Needs `document`, `scene`, `last_result`, `device`, `select_view` and
    `show_message` on the window it is mixed into."""

    def _build_check(self):
        self.instruments = InstrumentRunner(self)
        self.instruments.progress.connect(self._check_progress)
        self.instruments.finished.connect(self._check_done)
        self.instruments.failed.connect(self._check_failed)
        self.check_dialog = None
        self._checking = None    # the run being checked

    def check_gradients(self):
        """Check the selected nodes' gradients, or every input's."""
        result = self.last_result
        if result is None or result.revision != self.document.graph.revision:
            self.show_message("Run the graph first (F5): the check tests the current run")
            return
        nodes = self.scene.selected_node_ids() or None
        self._checking = result
        dialog = QProgressDialog("Checking gradients against central differences…",
                                 "Cancel", 0, 0, self)
        dialog.setWindowTitle("Check Gradients")
        dialog.setWindowModality(Qt.WindowModality.NonModal)   # the canvas stays usable
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.instruments.cancel)
        self.check_dialog = dialog
        self.instruments.start(check.check_gradients, self.document.graph.copy(), nodes,
                               device=self.device())
        dialog.show()

    def probe_cell(self):
        """Open the probe on the heatmap cell last clicked."""
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

    def _check_progress(self, done, total):
        if self.check_dialog is not None:
            self.check_dialog.setMaximum(total)
            self.check_dialog.setValue(done)

    def _close_check_dialog(self):
        if self.check_dialog is not None:
            self.check_dialog.canceled.disconnect()
            self.check_dialog.close()
            self.check_dialog = None

    def _check_done(self, report):
        self._close_check_dialog()
        if self._checking is not self.last_result:
            self.show_message("Gradient check dropped: the graph ran again meanwhile")
            return
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
            self.show_message(f"Gradient check: {len(report)} nodes agree "
                              f"({checked} elements)")

    def _check_failed(self, error):
        self._close_check_dialog()
        self.show_message(f"Gradient check: {error}")
