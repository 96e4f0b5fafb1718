"""Step mode: replay a traced run on the canvas, one forward or backward step at a
time, with the local-derivative card beside it. Mixed into the main window."""
from __future__ import annotations

from PySide6.QtWidgets import QDockWidget

from .card import DerivativeCard, step_of
from .stepper import StepBar


class StepMode:
    """Needs `document`, `scene`, `view`, `runner`, `last_result`, `run_now` and the
    actions act_step, act_step_next and act_step_back on the window it is mixed into."""

    def _build_step_mode(self):
        """The timeline (the window puts it under the canvas) and the card's dock."""
        self.stepbar = StepBar(self.scene.title, self)
        self.stepbar.index_changed.connect(self._show_step)
        self.stepbar.hide()
        self.card = DerivativeCard(self.scene.title, self)
        self.add_tabbed_dock("Derivative", "derivative", self.card, beside="properties")
        self.stepping = False

    def toggle_step_mode(self):
        if not self.act_step.isChecked():
            self.leave_step_mode()
        elif not self.document.graph.nodes:
            self.act_step.setChecked(False)
            self.show_message("Nothing to step through: the graph is empty")
        else:
            self.stepping = True
            self.run_now(trace=True)   # the steps arrive with the run

    def steps_arrived(self, result):
        """A traced run came in: show its first step."""
        self.stepbar.show()
        self.findChild(QDockWidget, "derivative").raise_()
        for action in (self.act_step_next, self.act_step_back):
            action.setEnabled(True)
        self.stepbar.set_steps(result.trace, 0)

    def leave_step_mode(self):
        if not self.stepping:
            return
        self.stepping = False
        self.act_step.setChecked(False)
        for action in (self.act_step_next, self.act_step_back):
            action.setEnabled(False)
        self.stepbar.stop()
        self.stepbar.hide()
        self.scene.end_steps()
        if self.last_result is not None:
            self.scene.show_result(self.last_result)
        self.findChild(QDockWidget, "properties").raise_()
        self.show_card()

    def _show_step(self, index):
        result = self.last_result
        self.scene.show_step(result, index)
        step = result.trace[index]
        op = self.document.graph.nodes[step.node].op
        if step.phase == "backward":
            self.card.show_step(step, op, result.device.to_host)
        else:
            self.card.show_forward(step.node, op)

    def show_card(self):
        """Outside step mode: the selected node's backward step, from the last run."""
        if self.stepping:
            return
        ids = self.scene.selected_node_ids()
        result = self.last_result
        if len(ids) != 1 or result is None or ids[0] not in result:
            self.card.show_text()
            return
        op = self.document.graph.nodes[ids[0]].op
        step = step_of(result, ids[0], op)
        if step is None:
            self.card.show_text(f"No gradient reaches {self.scene.title(ids[0])}: it is not "
                                "upstream of the node differentiated.")
        else:
            self.card.show_step(step, op, result.device.to_host)
