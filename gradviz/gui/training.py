"""Training in the editor, mixed into the main window: the Train dock, Train (F9,
which also pauses), Step (F10), Pause and Reset.

The core Trainer steps a snapshot of the graph in a thread of its own; the canvas
shows its runs as they come (at most train_runner.FRAME_RATE a second) and the dock
plots its history. The graph itself changes when training stops (Pause, the steps
done, or any edit, which pauses first): the trained values go in as one undo step,
and training that goes on without other edits in between joins that same step
("Train 700 steps"). Reset puts back the values from before the session."""
from __future__ import annotations

import itertools
import time

from ..core.errors import GradvizError
from ..core.train import Trainer, trainable_inputs
from .train_panel import TrainPanel
from .train_runner import TrainRunner

_sessions = itertools.count(1)
# The curves redraw at most this often while training runs: a plot's repaint (its axes
# rescale with every point) costs as much as the whole canvas's.
PLOT_INTERVAL = 0.2


class Training:
    """Needs `document`, `scene`, `inspector`, `device`, `memory_budget`,
    `schedule_run`, `leave_step_mode`, `show_message` and `settings`."""

    def _build_training(self):
        self.train_runner = TrainRunner(self)
        self.trainer = None            # the session's latest Trainer
        self._train_session = None     # undo merge key of the session's steps
        self._train_before = {}        # input id -> params before the session
        self._train_revision = None    # the graph revision the session left
        self._plotted_at = 0.0
        self._frame_unpainted = False
        self._committed_steps = 0      # the session's steps already in the graph
        self._steps_in_undo = 0        # steps in the session's last undo step
        # F9 trains, and pauses while training runs: only one of the two is enabled.
        self.act_train = self._train_action("Train", "Train", "F9", self.train,
                                            "Train the trainable inputs")
        self.act_pause = self._train_action("Pause Training", "Pause", "F9",
                                            self.pause_training,
                                            "Stop after the step in progress")
        self.act_train_step = self._train_action("Train One Step", "Step", "F10",
                                                 lambda: self.train(1), "One optimizer step")
        self.act_train_reset = self._train_action(
            "Reset Training", "Reset", None, self.reset_training,
            "Put back the trainable inputs' values from before training, and clear the "
            "curves")
        self.train_panel = TrainPanel([self.act_train, self.act_pause, self.act_train_step,
                                       self.act_train_reset], self)
        self.train_dock = self.add_tabbed_dock("Train", "train", self.train_panel,
                                               beside="inspector")
        self.train_runner.frame.connect(self._on_train_frame)
        self.view.painted.connect(self._on_view_painted)
        self.train_runner.finished.connect(self._on_train_finished)
        self.train_panel.settings_edited.connect(self.document.set_training)
        self.document.about_to_edit.connect(self.pause_training)
        self._refresh_training()

    def _train_action(self, text, button_text, key, slot, tip):
        action = self._action(text, slot, [key] if key else (),
                              f"{tip} ({key})" if key else tip)
        action.setIconText(button_text)   # what its button in the dock says
        action.setToolTip(action.statusTip())
        return action

    # ---- the buttons ------------------------------------------------------------------
    def train(self, steps=None):
        """Take `steps` steps (default: the graph's setting) in the background."""
        if self.train_runner.running:
            return
        self.leave_step_mode()
        graph = self.document.graph
        going_on = self.trainer if self._train_revision == graph.revision else None
        try:
            trainer = Trainer(graph.copy(), graph.training, self.device(),
                              memory_budget=self.memory_budget(), going_on=going_on)
        except GradvizError as e:
            self.train_panel.show_status(f"Cannot train: {e}", error=True)
            self.show_message(f"Cannot train: {e}")
            return
        if going_on is None:   # a new session
            self._train_session = ("train", next(_sessions))
            self._train_before = {k: graph.nodes[k].params for k in trainable_inputs(graph)}
            self._committed_steps = 0
            self.train_panel.clear_history()
        self.trainer = trainer
        self.train_dock.raise_()
        self.train_runner.start(trainer, steps or graph.training.steps, self.display_prepare())
        self._refresh_training()

    def pause_training(self):
        """Stop training (a no-op when none runs) and put its values into the graph."""
        if self.train_runner.running:
            self.train_runner.stop()
            self._commit_training()

    def reset_training(self):
        self.pause_training()
        graph = self.document.graph
        before = {k: p for k, p in self._train_before.items()
                  if k in graph.nodes and graph.nodes[k].params is not p}
        if before:
            self.document.set_inputs(before, "Reset training")
        self.forget_training()

    # ---- while it runs ----------------------------------------------------------------
    def _on_train_frame(self, result):
        if result.revision != self.document.graph.revision:
            self.train_runner.frame_drawn()
            return   # a frame of a training the graph has moved on from
        self.last_result, self.last_error = result, None
        self.scene.show_result(result)
        self.inspector.set_result(result)
        if time.monotonic() - self._plotted_at >= PLOT_INTERVAL:
            self._show_history()
            self.train_panel.show_status(self._training_status())
        if self.view.isVisible():
            self._frame_unpainted = True   # training waits for the paint: see TrainRunner
        else:
            self.train_runner.frame_drawn()

    def _on_view_painted(self):
        if self._frame_unpainted:
            self._frame_unpainted = False
            self.train_runner.frame_drawn()

    def _on_train_finished(self, error):
        self._commit_training()
        why = error if error is not None else self.trainer.diverged
        if why is not None:
            self.train_panel.show_status(f"Training stopped: {why}", error=True)
            self.show_message(f"Training stopped: {why}")

    def _commit_training(self):
        """The trained values into the graph: one undo step for the session."""
        trainer = self.trainer
        self._show_history()
        changes = trainer.trained_params()
        if changes:
            # Steps join the undo step before only if it is this session's last one.
            stack = self.document.undo_stack
            top = stack.command(stack.index() - 1) if stack.index() else None
            joins = getattr(top, "merge_key", None) == self._train_session
            self._steps_in_undo = (self._steps_in_undo if joins else 0) + \
                trainer.steps - self._committed_steps
            steps = self._steps_in_undo
            self.document.set_inputs(changes, f"Train {steps:,} step{'s' * (steps != 1)}",
                                     merge_key=self._train_session)
        self._committed_steps = trainer.steps
        self._train_revision = self.document.graph.revision
        self.schedule_run()   # the graph as it now is, instead of the trainer's frames
        self._refresh_training()

    def _show_history(self):
        self._plotted_at = time.monotonic()
        if self.trainer is not None:
            names = {k: self.document.graph.nodes[k].title
                     for k in self.trainer.trainable if k in self.document.graph.nodes}
            self.train_panel.show_history(self.trainer.history, names)

    def _refresh_training(self):
        """Buttons and the status line for the current state."""
        running = self.train_runner.running
        self.act_train.setEnabled(not running)
        self.act_pause.setEnabled(running)
        self.act_train_step.setEnabled(not running)
        self.act_train_reset.setEnabled(bool(self._train_before))
        self.train_panel.show_status(self._training_status())

    def _training_status(self):
        trainer, graph = self.trainer, self.document.graph
        if trainer is None or not trainer.steps:
            count = len(trainable_inputs(graph))
            if not count:
                return "Mark inputs trainable (Properties), then Train."
            return f"{count} trainable input{'s' * (count > 1)}: Train (F9) to start."
        loss = trainer.history.loss[-1]
        text = f"step {trainer.steps:,}, loss {loss:.6g}"
        if self.train_runner.running:
            text = f"Training with {trainer.settings.describe()}: {text}"
        elif self._train_revision != graph.revision:
            text += ". The graph changed since: Train starts a new session"
        left_out = [graph.nodes[k].title for k in trainer.trainable
                    if k in graph.nodes and k not in trainer.reached]
        if left_out:
            text += (f". Not trained (they do not reach the target): "
                     f"{', '.join(left_out)}")
        return text + "."

    def show_training_settings(self):
        """After an edit, undo or redo: the document's settings and the state."""
        self.train_panel.show_settings(self.document.graph.training)
        self._refresh_training()

    def forget_training(self):
        """Another document: its training starts from nothing."""
        self.trainer, self._train_before, self._train_revision = None, {}, None
        self.train_panel.clear_history()
        self.show_training_settings()
