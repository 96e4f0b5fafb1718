"""Training: gradient descent on a graph's trainable inputs.

A Trainer keeps the trained values on the run's device between steps and runs the
graph with them in place of the inputs' params, so the graph itself changes only when
the values are handed back (`trained_params`): the editor makes that one undo step,
`train` sets them directly. One step is forward, backward (the gradient of the
target's sum, the loss), then the optimizer's update of every trainable input that
reaches the target."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .devices import get_device
from .engine import Engine, RunResult
from .errors import GraphError
from .optim import TrainSettings, make_optimizer


def trainable_inputs(graph) -> list:
    return [n.id for n in graph.nodes.values() if n.op == "input" and n.params.get("trainable")]


@dataclass
class History:
    """What training produced, one entry per step: the loss before the step's update
    and each trainable input's gradient norm."""
    loss: list = field(default_factory=list)
    grad_norms: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.loss)


class Trainer:
    def __init__(self, graph, settings: TrainSettings | None = None, device="cpu",
                 target=None, memory_budget=None, going_on=None):
        """`going_on`: a Trainer whose training this one continues (its optimizer
        state and history), once its values are in `graph`."""
        self.graph, self.settings = graph, settings or graph.training
        self.device = get_device(device)
        self.trainable = trainable_inputs(graph)
        if not self.trainable:
            raise GraphError("nothing to train: no input is marked trainable")
        self._engine = Engine()
        self._run_args = dict(device=self.device, target=target, memory_budget=memory_budget)
        first = self._engine.run(graph, **self._run_args)
        self.reached = [k for k in self.trainable if first.affects_target(k)]
        if not self.reached:
            raise GraphError(f"the target {first.target!r} does not depend on any trainable "
                             f"input ({', '.join(self.trainable)}): its gradient cannot "
                             f"train them")
        self.revision = graph.revision
        self.values = {k: first.device_value(k) for k in self.trainable}
        self._initial = dict(self.values)
        if going_on is None or going_on.settings.optimizer != self.settings.optimizer:
            self.optimizer = make_optimizer(self.settings)
        else:
            self.optimizer = going_on.optimizer
            self.optimizer.settings = self.settings
        self.history = going_on.history if going_on else History()
        for k in self.trainable:
            self.history.grad_norms.setdefault(k, [math.nan] * len(self.history))
        self.last: RunResult = first    # the run at the current values
        self.diverged = None            # why training stopped by itself, once it has

    @property
    def steps(self):
        return len(self.history)

    def step(self) -> float:
        """One optimizer step; returns the loss before it. A loss that is NaN or
        infinite ends training (`diverged` says so): no step is taken from it."""
        if self.graph.revision != self.revision:
            raise GraphError("the graph changed since training started: start again")
        result = self.result()
        xp = self.device.xp
        grads = {k: result.device_grad(k) for k in self.trainable}
        with self.device.errstate():   # overflow shows as Inf in the numbers
            loss = float(xp.sum(result.device_value(result.target)))
            for k, g in grads.items():
                norm = 0.0 if g is None else math.sqrt(float(xp.sum(g * g)))
                self.history.grad_norms[k].append(norm)
            if math.isfinite(loss):
                self.values = self.optimizer.step(xp, self.values, grads)
        self.history.loss.append(loss)
        if math.isfinite(loss):
            self.last = None   # the values moved: the next run is at the new ones
        else:
            self.diverged = (f"the loss became {loss} at step {self.steps}; training "
                             f"stopped (a smaller learning rate may help)")
        return loss

    def run(self, steps, callback=None, stop=None):
        """Take `steps` steps; `callback(step, loss)` after each; `stop()` returning
        true ends early."""
        for _ in range(steps):
            if self.diverged or (stop is not None and stop()):
                break
            loss = self.step()
            if callback is not None:
                callback(self.steps, loss)

    def result(self) -> RunResult:
        """The run at the current values (forward and backward)."""
        if self.last is None:
            self.last = self._engine.run(self.graph, values=self.values, **self._run_args)
        return self.last

    def trained_params(self) -> dict:
        """node id → params that hold the trained values (explicit values), for the
        inputs training has changed; the others keep their source."""
        return {k: {**self.graph.nodes[k].params, "source": "value",
                    "value": self.device.to_host(v)}
                for k, v in self.values.items() if v is not self._initial[k]}


@dataclass
class TrainResult:
    loss: list            # the target's sum before each step's update
    grad_norms: dict      # trainable input id -> gradient norm per step
    steps: int
    seconds: float
    run: RunResult        # the graph run at the trained values
    stopped: str | None = None   # why it stopped early (a NaN or infinite loss)

    @property
    def final_loss(self):
        return float(self.run.value(self.run.target).sum())


def train(graph, steps=None, optimizer=None, lr=None, device="cpu", callback=None,
          target=None, memory_budget=None) -> TrainResult:
    """Train `graph`'s trainable inputs for `steps` steps (default: the graph's
    settings) with `optimizer` ("sgd", "momentum", "adam") at learning rate `lr`
    (defaults: the graph's settings). Afterwards the trainable inputs hold the trained
    values. Deterministic: the same graph and settings give the same numbers."""
    try:
        settings = graph.training.replace(optimizer=optimizer, lr=lr, steps=steps)
    except ValueError as e:
        raise GraphError(str(e)) from None
    started = time.perf_counter()
    trainer = Trainer(graph, settings, device, target, memory_budget)
    trainer.run(settings.steps, callback)
    for node_id, params in trainer.trained_params().items():
        graph.set_params(node_id, params)
    final = Engine().run(graph, device=device, target=target, memory_budget=memory_budget)
    return TrainResult(trainer.history.loss, trainer.history.grad_norms, trainer.steps,
                       time.perf_counter() - started, final, trainer.diverged)
