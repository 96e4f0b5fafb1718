"""Reverse-mode engine: forward in topological order, backward in reverse.

Every node gets its value and its gradient (of the sum of the target node), and every
edge its own gradient contribution, so a fan-out shows how the gradient splits.
An Engine remembers its last forward pass and recomputes only what a change reaches."""
from __future__ import annotations

import copy
import itertools
import time
from typing import NamedTuple

import numpy as np

from .budget import ENV, default_budget, format_size, run_bytes
from .devices import get_device
from .errors import GradvizError, GraphError
from .ops import OpSpec, get_op
from .shapes import sum_to
from .trace import Recorder

_tokens = itertools.count(1)


class _Step(NamedTuple):
    """One node of a plan: what its forward and backward need."""
    node_id: str
    spec: OpSpec
    inputs: tuple        # source node ids, in port order
    params: dict
    rev: int


class _Cached(NamedTuple):
    """A node's value from the last forward pass, valid while its params (`rev`) and
    its inputs (their `token`s) are unchanged."""
    rev: int
    input_tokens: tuple
    value: object
    token: int


class _Plan:
    """What a graph revision needs for running: steps in order, shapes, target."""

    def __init__(self, graph, target, partial):
        if partial:
            shapes, self.target, self.waiting, self.no_target = graph.validate_ready(target)
        else:
            (shapes, self.target), self.waiting = graph.validate(target), []
            self.no_target = None
        self.shapes = shapes
        # The graph as planned (a copy: arrays shared, never mutated), for pictures of
        # its runs after later edits; copied once per revision, not per run.
        self.graph = graph.copy()
        self.steps = []
        for node_id in graph.topo_order():
            if node_id not in shapes:
                continue
            node = graph.nodes[node_id]
            spec = get_op(node.op)
            ins = tuple(graph.input_edge(node_id, p).src for p in spec.inputs)
            self.steps.append(_Step(node_id, spec, ins, node.params, node.rev))
        self.order = [step.node_id for step in self.steps]
        self.inputs = {step.node_id: step.inputs for step in self.steps}
        self.ports = {step.node_id: step.spec.inputs for step in self.steps}
        self.elements = run_bytes({n: shapes[n] for n in self.order}, self.inputs, 1)

    def check_budget(self, dtype, budget):
        need = self.elements * np.dtype(dtype).itemsize
        if need > budget:
            raise GraphError(
                f"the run needs about {format_size(need)} (values, gradients and "
                f"temporaries of {len(self.order)} nodes in {dtype}), over the memory "
                f"budget of {format_size(budget)}; make arrays smaller or raise the "
                f"budget (Run ▸ Memory Budget, --memory-budget, {ENV})")


class Engine:
    def __init__(self):
        self._plan = None
        self._plan_key = None
        self._cache = {}          # node id -> _Cached
        self._cache_key = None    # (device name, dtype) the cache was computed with

    def run(self, graph, device="cpu", target=None, reuse=True, partial=False,
            memory_budget=None, trace=False, backward=True, values=None) -> RunResult:
        """Forward and backward of `graph` on `device`. `target` defaults to the graph's
        target, else its single sink. reuse=False recomputes every node. partial=True
        (an editor's graph under construction) runs what is connected and lists the
        rest in `RunResult.waiting` instead of failing. A run whose estimated memory
        exceeds `memory_budget` bytes (default: `budget.default_budget()`) is refused
        before it starts. trace=True records the run step by step in
        `RunResult.trace` (see `gradviz.core.trace`); backward=False runs forward
        only (the instruments that probe the target's value). `values` (node id →
        array on the device) replaces what those source nodes' params give (training
        steps its inputs without editing the graph)."""
        started = time.perf_counter()
        device = get_device(device)
        key = (graph.revision, target, partial)
        if key != self._plan_key:
            self._plan, self._plan_key = _Plan(graph, target, partial), key
        plan = self._plan
        plan.check_budget(graph.dtype, memory_budget or default_budget())
        cache_key = (device.name, graph.dtype)
        if not reuse or cache_key != self._cache_key:
            self._cache, self._cache_key = {}, cache_key
        recorder = Recorder(plan) if trace else None
        with device.errstate():
            values, recomputed = self._forward(plan, device, graph, recorder, values or {})
            grads, edge_grads = (self._backward(plan, device, values, recorder) if backward
                                 else ({}, {}))
        result = RunResult(device, graph.dtype, plan, values, grads, edge_grads, recomputed,
                           time.perf_counter() - started, graph.revision)
        result.trace = recorder.steps if recorder else None
        return result

    def _forward(self, plan, device, graph, recorder, given):
        xp, dtype, base_dir = device.xp, graph.dtype, graph.base_dir
        old, cache = self._cache, {}
        values, tokens, recomputed = {}, {}, []
        node_id = spec = None
        try:
            for node_id, spec, ins, params, rev in plan.steps:
                in_tokens = tuple(map(tokens.__getitem__, ins))
                hit, value = old.pop(node_id, None), given.get(node_id)
                if (hit is not None and hit.rev == rev and hit.input_tokens == in_tokens
                        and (value is None or hit.value is value)):
                    cache[node_id] = hit
                    values[node_id], tokens[node_id] = hit.value, hit.token
                    if recorder:
                        recorder.forward(node_id)
                    continue
                if value is not None:
                    out = value
                elif spec.source:
                    out = device.asarray(spec.source(params, base_dir=base_dir), dtype)
                else:
                    out = spec.forward(xp, *map(values.__getitem__, ins), **params)
                token = next(_tokens)
                cache[node_id] = _Cached(rev, in_tokens, out, token)
                values[node_id], tokens[node_id] = out, token
                recomputed.append(node_id)
                if recorder:
                    recorder.forward(node_id)
        except Exception as e:
            self._cache = {}
            raise _failure(e, node_id, spec, "forward") from e
        self._cache = cache
        return values, recomputed

    @staticmethod
    def _backward(plan, device, values, recorder=None):
        xp, shapes = device.xp, plan.shapes
        if plan.target is None:   # a graph under construction: values only
            return {}, {}
        target = values[plan.target]
        grads = {plan.target: xp.ones_like(target)}
        edge_grads = {}
        node_id = spec = None
        try:
            for step in reversed(plan.steps):
                node_id, spec, ins, params, _ = step
                g = grads.get(node_id)
                if g is None:
                    continue
                inputs = tuple(map(values.__getitem__, ins))
                parts = spec.vjp(xp, g, values[node_id], *inputs, **params) if ins else ()
                sent = []
                for src, port, raw in zip(ins, spec.inputs, parts):
                    if raw is None or port in spec.no_grad:
                        continue
                    part = raw if raw.shape == shapes[src] else sum_to(xp, raw, shapes[src])
                    edge_grads[(node_id, port)] = part
                    total = grads.get(src)
                    grads[src] = part if total is None else total + part
                    sent.append((src, port, raw, part, grads[src]))
                if recorder:
                    recorder.backward(step, g, values[node_id], inputs, sent)
        except Exception as e:
            raise _failure(e, node_id, spec, "backward") from e
        return grads, edge_grads


def _failure(error, node_id, spec, phase):
    """Any error inside an op becomes a GraphError on that node (out of memory, a lost
    GPU, a .npy that vanished), so callers report it instead of crashing."""
    if isinstance(error, GradvizError):
        return error
    where = f"node {node_id!r} ({spec.name})" if spec else "the run"
    if isinstance(error, MemoryError):
        return GraphError(f"{where}: out of memory in the {phase} pass", node=node_id)
    message = str(error) or type(error).__name__
    return GraphError(f"{where}: {phase} failed: {message}", node=node_id)


def _readonly(array):
    if isinstance(array, np.ndarray) and array.flags.writeable:
        array = array.view()
        array.flags.writeable = False
    return array


class RunResult:
    """Values and gradients of one run. Arrays stay on the run's device; `value`, `grad`
    and `edge_grad` bring one to the host (read-only NumPy arrays). `derived` is where
    readers keep what they compute from the run (display previews), so it is computed
    once and goes away with the run. `revision` is the graph revision it was computed
    from: a reader compares it with the graph's to tell current results from stale."""

    def __init__(self, device, dtype, plan, values, grads, edge_grads, recomputed, seconds,
                 revision):
        self.device = device
        self.revision = revision
        self.dtype = dtype
        self.target = plan.target   # None in a partial run with no target yet
        self.no_target = plan.no_target   # then: why, in a sentence
        self.shapes = plan.shapes
        self.order, self.inputs, self.ports = plan.order, plan.inputs, plan.ports
        self.waiting = plan.waiting   # nodes left out of a partial run
        self.complete = True          # False for a frame of a step-by-step replay
        self.recomputed = recomputed
        self.seconds = seconds
        self.graph = plan.graph   # the graph as it was run (a copy), for its picture
        self._values = values
        self._grads = grads
        self._edge_grads = edge_grads
        self.derived = {}

    def with_arrays(self, order, values, grads, edge_grads, target):
        """A copy of this run that holds only the given arrays (nodes `order`): a
        frame of a step-by-step replay, which readers show like any run."""
        other = copy.copy(self)
        other.order, other.target = list(order), target
        other.complete = False   # gradients still missing are on their way, not zero
        other._values, other._grads, other._edge_grads = values, grads, edge_grads
        other.derived = {}
        return other

    def __contains__(self, node_id):
        return node_id in self._values

    def affects_target(self, node_id):
        """Whether the node lies upstream of the target (else its gradient is zero)."""
        return node_id in self._grads

    def device_value(self, node_id):
        return self._values[self._check(node_id)]

    def device_grad(self, node_id):
        """The gradient on the device, or None where the node does not reach the target."""
        return self._grads.get(self._check(node_id))

    def value(self, node_id) -> np.ndarray:
        return _readonly(self.device.to_host(self.device_value(node_id)))

    def grad(self, node_id) -> np.ndarray:
        g = self.device_grad(node_id)
        if g is None:
            return self._zeros(self.shapes[node_id])
        return _readonly(self.device.to_host(g))

    def device_edge_grad(self, dst, port):
        """The gradient flowing back through dst.port on the device, or None."""
        return self._edge_grads.get((dst, port))

    def edge_grad(self, src, dst, port) -> np.ndarray:
        """The gradient that flows back from dst.port to src: src's share through this edge."""
        self._check(dst)
        if port not in self.ports[dst]:
            raise GraphError(f"node {dst!r} has no input {port!r}", node=dst, port=port)
        actual = self.inputs[dst][self.ports[dst].index(port)]
        if actual != src:
            raise GraphError(f"{dst}.{port} is fed by {actual!r}, not {src!r}",
                             node=dst, port=port)
        g = self._edge_grads.get((dst, port))
        if g is None:
            return self._zeros(self.shapes[src])
        return _readonly(self.device.to_host(g))

    def edges(self):
        """(src, dst, port) of every edge, in run order."""
        return [(src, dst, port) for dst in self.order
                for src, port in zip(self.inputs[dst], self.ports[dst])]

    def _zeros(self, shape):
        return _readonly(np.zeros(shape, dtype=self.dtype))

    def _check(self, node_id):
        if node_id not in self._values:
            raise GraphError(f"no node {node_id!r} in this run", node=node_id)
        return node_id
