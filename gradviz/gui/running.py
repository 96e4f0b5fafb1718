"""Running the document's graph and keeping what the window shows current: runs
after edits (coalesced), their results and errors, stale marks, the status bar's
right side, the view settings that repaint a run, the memory budget and the health
thresholds. Mixed into the main window."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ..core.budget import DEFAULT_FRACTION, default_budget, format_size, parse_size
from ..core.health import health
from ..core.views import get_view
from . import display, theme
from .health_dialog import ThresholdsDialog, health_thresholds

STATUS_WIDTH = 480     # pixels: the right of the status bar elides what is longer
STALE_DELAY_MS = 250   # with Auto-run on, a run usually replaces stale results sooner


class Running:
    """Needs the window's document, scene, view, runner, inspector, properties,
    settings, status_label, the view and run actions, and `leave_step_mode`."""

    # ---- runs ---------------------------------------------------------------------------
    def device(self):
        return self.device_box.currentData()

    def _on_edited(self):
        if self.last_result is None or \
                self.last_result.revision != self.document.graph.revision:
            self.leave_step_mode()   # the steps were of the graph before the edit
        elif self.stepping:
            self.stepbar.show_caption()   # a renamed node reads its new name
        self._refresh_targets()
        self.dtype_box.setCurrentText(self.document.graph.dtype)
        self.show_training_settings()
        self._show_run_status()   # a renamed target reads its new name
        self.inspector.show_title()
        self._follow_staleness()
        if self.act_auto.isChecked():
            self.schedule_run()

    # ---- what is shown belongs to the current graph, or is marked stale ------------
    def results_current(self):
        """Whether the results on screen were computed from the graph as it is now."""
        result = self.scene.result
        return result is not None and result.revision == self.document.graph.revision

    def _follow_staleness(self):
        """After an edit: results of the previous graph are marked stale, at once when
        no run is coming, else only if the run has not replaced them shortly."""
        if self.scene.result is None or self.results_current():
            return
        if self.act_auto.isChecked() and self.last_error is None:
            self._stale_timer.start()
        else:
            self._mark_stale()

    def _mark_stale(self):
        if self.scene.result is not None and not self.results_current():
            self.scene.set_stale(True)
            self.inspector.set_stale(True)
            self._show_run_status()

    def _show_run_status(self):
        """The right of the status bar: what the results on screen are."""
        result = self.scene.result
        self.status_label.setToolTip(f"Cannot run: {self.last_error}" if self.last_error
                                     else "")
        if self.last_error is not None:   # kept here: menus' tips clear the left side
            text = self.status_label.fontMetrics().elidedText(
                f"Cannot run: {self.last_error}", Qt.TextElideMode.ElideRight, STATUS_WIDTH)
        elif result is None:
            text = ""
        elif self.scene.stale:
            text = "stale: the graph changed since this run (F5 runs it)"
        elif result.target is None:
            text = (f"values only: {result.no_target} (right-click a node ▸ "
                    "Differentiate This Node)")
        else:
            text = (f"∂ sum({self.scene.title(result.target)}) · {result.device.name} · "
                    f"{self._run_ms:.1f} ms")
        self.status_label.setText(text)
        color = theme.NODE_ERROR if self.last_error else theme.STALE if self.scene.stale \
            else None
        self.status_label.setStyleSheet(f"color: {color.name()}" if color else "")
        self.fit_message()   # the message on the left makes room for the label's new text

    def schedule_run(self):
        """Run once the current burst of edits is over (coalesced in the event loop)."""
        if not self._run_scheduled:
            self._run_scheduled = True
            QTimer.singleShot(0, self.run_now)

    def run_now(self, trace=False):
        """Run the document's graph now (`trace`: recorded step by step). While
        training runs, its frames are the graph's runs (a run follows when it stops);
        stepping through a run stops it."""
        self._run_scheduled = False
        if self.train_runner.running:
            if not trace:
                return
            self.pause_training()
        if not self.document.graph.nodes:
            self.last_result = self.last_error = None
            self.scene.clear_result()
            self._clear_run_error()
            self.status_label.setText("empty graph")
            return
        self._run_started = time.perf_counter()
        self.status_label.setText("running…")
        self.runner.request(self.document.graph, self.device(), prepare=self.display_prepare(),
                            memory_budget=self.memory_budget(), trace=trace)

    def display_prepare(self):
        """`prepare(result)`, for the thread a run (or training) happens in: the
        display's reductions and the health flags, for the view and graph as they are."""
        scene = self.scene
        view = get_view(scene.view_mode)
        rooms, shown = scene.rooms(view), scene.shown_node_ids()
        scale = display.ColorScale(scene.shared_scale, scene.robust_scale)
        ops = {node_id: node.op for node_id, node in self.document.graph.nodes.items()}
        thresholds = health_thresholds(self.settings)

        def prepare(result):
            display.prepare(result, view, rooms, shown, scale)
            result.derived["health"] = health(result, ops, thresholds)
        return prepare

    def run_requested(self):
        """Run (F5): training, if it runs, stops first."""
        self.pause_training()
        self.run_now()

    def select_view(self, name):
        """Show the view `name`, as its menu entry or key would."""
        self.act_views[name].setChecked(True)
        self.scene.set_view(mode=name)

    def _toggle_numbers(self):
        self.settings.setValue("numbers_in_cells", self.act_numbers.isChecked())
        self.scene.set_view(numbers=self.act_numbers.isChecked())

    def ask_health_thresholds(self):
        if ThresholdsDialog(self.settings, self).exec():
            self.schedule_run()

    def memory_budget(self):
        """Bytes a run may use: the Run ▸ Memory Budget setting, else the default."""
        text = self.settings.value("memory_budget", "")
        try:
            return parse_size(text) if text else None
        except ValueError:
            return None

    def ask_memory_budget(self):
        current = self.settings.value("memory_budget", "") or \
            f"{DEFAULT_FRACTION:.0%} ({format_size(default_budget())})"
        text, ok = QInputDialog.getText(
            self, "Memory budget", "Refuse runs estimated to need more than (a size such "
            "as 8G or 512M, or a share of this machine's memory such as 50%; empty for "
            "the default):", text=self.settings.value("memory_budget", ""))
        if not ok:
            return
        try:
            if text.strip():
                parse_size(text.strip())
        except ValueError as e:
            QMessageBox.warning(self, "Memory budget", str(e))
            return
        self.settings.setValue("memory_budget", text.strip())
        self.show_message(f"Memory budget: {text.strip() or current}")
        self.schedule_run()

    def _on_result(self, result):
        self.last_result, self.last_error = result, None
        self._stale_timer.stop()
        self.scene.show_result(result)
        self.inspector.set_result(result)
        self.properties.refresh()
        self._run_ms = (time.perf_counter() - self._run_started) * 1000
        self._clear_run_error()
        self._show_run_status()
        if not self.results_current():   # edited while it ran: another run is coming
            self._follow_staleness()
        if self.stepping and result.trace is not None:
            self.steps_arrived(result)
        self.show_card()

    def _on_failure(self, error):
        self.leave_step_mode()
        self.last_error = error
        self.scene.show_error(error)
        self._mark_stale()
        self._show_run_status()
        self._run_error = self.show_message(f"Cannot run: {error}", 0)

    def _clear_run_error(self):
        """The left of the status bar keeps a run's error only until the next run."""
        if self._run_error and self.statusBar().currentMessage() == self._run_error:
            self.statusBar().clearMessage()
        self._run_error = None
