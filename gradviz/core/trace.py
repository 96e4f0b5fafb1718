"""A run recorded step by step, to replay the chain rule as the notebook derived it:
the forward steps in order, then the backward steps from the target back to the
inputs, each with what it received, what it sent back through each input edge, and
how far each receiver's gradient has added up. Arrays are referenced, never copied:
the engine never writes into an array it has handed out."""
from __future__ import annotations

import re
from typing import NamedTuple

from .errors import GradvizError

PHASES = ("forward", "backward", "both")


class Contribution(NamedTuple):
    """What a backward step sends back through one input edge: `array`, already summed
    back to the source's shape over the axes `unbroadcast` (empty when none)."""
    src: str
    port: str
    array: object
    unbroadcast: tuple


class Accumulated(NamedTuple):
    """A source's gradient so far, after `reported` of its `consumers` sent theirs."""
    src: str
    array: object
    reported: int
    consumers: int


class Step(NamedTuple):
    """One step of a traced run. Backward steps also carry the gradient `grad`
    arriving at the node, the op's backward `rule` with the `operands` it names
    ({name: array}), the `contributions` sent back and the sums `accumulated`."""
    phase: str                      # "forward" or "backward"
    node: str
    grad: object = None
    rule: str = ""
    operands: dict = {}
    contributions: tuple = ()
    accumulated: tuple = ()


def rule_of(spec):
    """The op's backward rule, as its declaration states it ("∂a = g·b, ∂b = g·a")."""
    _, _, rule = spec.doc.partition("Backward:")
    return rule.strip()


def operands_of(spec, rule, g, out, inputs):
    """{name: array} of the names the rule uses (g, out, the op's input ports), not
    counting the gradients it defines (∂a)."""
    named = {"g": g, "out": out, **dict(zip(spec.inputs, inputs))}
    words = set(re.findall(r"[A-Za-z_]+", re.sub(r"∂\w+", "", rule)))
    return {name: array for name, array in named.items() if name in words}


def summed_axes(shape, target):
    """The axes `sum_to` sums to take an array of `shape` back to `target`."""
    shape, target = tuple(shape), tuple(target)
    if shape == target:
        return ()
    lead = len(shape) - len(target)
    return tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                      if d == 1 and shape[lead + i] != 1)


class Recorder:
    """Collects the steps of one run; the engine calls it as it goes."""

    def __init__(self, plan):
        self.steps = []
        self.plan = plan
        self._reported = {}
        self._consumers = None

    def forward(self, node_id):
        self.steps.append(Step("forward", node_id))

    def backward(self, step, g, out, inputs, parts):
        """`parts`: (src, port, array as the vjp gave it, array summed back, the
        source's gradient so far) per input edge that took a gradient."""
        if self._consumers is None:
            self._consumers = self._count_consumers()
        rule = rule_of(step.spec)
        contributions, accumulated = [], []
        for src, port, raw, part, total in parts:
            contributions.append(Contribution(src, port, part,
                                              summed_axes(raw.shape, part.shape)))
            self._reported[src] = self._reported.get(src, 0) + 1
            accumulated.append(Accumulated(src, total, self._reported[src],
                                           self._consumers[src]))
        self.steps.append(Step("backward", step.node_id, g, rule,
                               operands_of(step.spec, rule, g, out, inputs),
                               tuple(contributions), tuple(accumulated)))

    def _count_consumers(self):
        """How many input edges will send each source a gradient: those into nodes
        upstream of the target (the target included) that take one."""
        upstream, counts = {self.plan.target}, {}
        for step in reversed(self.plan.steps):
            if step.node_id not in upstream:
                continue
            for src, port in zip(step.inputs, step.spec.inputs):
                if port not in step.spec.no_grad:
                    upstream.add(src)
                    counts[src] = counts.get(src, 0) + 1
        return counts


def frame(result, index):
    """The traced run `result` as it stood after step `index` (negative: from the end):
    during forward, the values computed so far; during backward, every value, the
    gradients that have arrived (a node fed by several consumers holds its partial
    sum) and the contributions sent so far. A RunResult, shown like any run."""
    steps = result.trace
    index = range(len(steps))[index]
    done = steps[:index + 1]
    forward = [s.node for s in done if s.phase == "forward"]
    if steps[index].phase == "forward":
        values = {n: result.device_value(n) for n in forward}
        return result.with_arrays(forward, values, {}, {}, None)
    grads, edge_grads = {}, {}
    for step in done:
        if step.phase == "backward":
            grads[step.node] = step.grad
            for c in step.contributions:
                edge_grads[(step.node, c.port)] = c.array
            for a in step.accumulated:
                grads[a.src] = a.array
    values = {n: result.device_value(n) for n in result.order}
    return result.with_arrays(result.order, values, grads, edge_grads, result.target)


def describe(step, name_of=str):
    """One line saying what a step does, for a timeline; `name_of(node)` is how the
    reader knows a node (its label)."""
    if step.phase == "forward":
        return f"forward: {name_of(step.node)}"
    parts = ", ".join(f"∂{c.port} → {name_of(c.src)}" for c in step.contributions)
    return f"backward: {name_of(step.node)}" + (f" sends {parts}" if parts else " (an input)")


def partial_sums(steps, index):
    """{source: (reported, consumers)} of the gradients still being summed after step
    `index`: some but not all of the source's consumers have sent their part."""
    last = {}
    for step in steps[:index + 1]:
        for a in step.accumulated:
            last[a.src] = (a.reported, a.consumers)
    return {src: kn for src, kn in last.items() if kn[0] < kn[1]}


def step_index(trace, step):
    """`step` (counted from 0; negative: from the end) as an index into `trace`."""
    count = len(trace)
    if not -count <= step < count:
        raise GradvizError(f"no step {step}: this run has {count} steps, 0 to {count - 1} "
                           f"(or -{count} to -1 from the end)")
    return step % count


def phase_steps(trace, phase):
    """The indices of the steps of `phase` ("forward", "backward" or "both"): a run
    (of a whole graph) has steps of each."""
    return [i for i, step in enumerate(trace) if phase in ("both", step.phase)]


def caption(steps, index, name_of=str):
    """Where a step sits and what it does: "step 8 of 12 · backward: b sends …"."""
    return f"step {index + 1} of {len(steps)} · {describe(steps[index], name_of)}"
