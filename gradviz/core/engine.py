"""Reverse-mode engine: forward in topological order, backward in reverse.

Every node gets its value and its gradient (of the sum of the target node), and every
edge its own gradient contribution, so a fan-out shows how the gradient splits.
An Engine remembers its last forward pass and recomputes only what a change reaches."""
from __future__ import annotations

import itertools
import math
import time

import numpy as np

from .devices import get_device
from .errors import GradvizError, GraphError
from .ops import get_op
from .preview import make_preview
from .shapes import sum_to

_tokens = itertools.count(1)


class _Plan:
    """What a graph revision needs for running: steps in order, shapes, target."""

    def __init__(self, graph, target, partial):
        if partial:
            shapes, self.target, self.waiting = graph.validate_ready(target)
        else:
            (shapes, self.target), self.waiting = graph.validate(target), []
        self.shapes = shapes
        self.steps = []
        for node_id in graph.topo_order():
            if node_id not in shapes:
                continue
            node = graph.nodes[node_id]
            spec = get_op(node.op)
            ins = tuple(graph.input_edge(node_id, p).src for p in spec.inputs)
            self.steps.append((node_id, spec, ins, node.params, node.rev))
        self.order = [step[0] for step in self.steps]
        self.inputs = {step[0]: step[2] for step in self.steps}
        self.ports = {step[0]: step[1].inputs for step in self.steps}


class Engine:
    def __init__(self):
        self._plan = None
        self._plan_key = None
        self._cache = {}          # node id -> (rev, input tokens, value, token)
        self._cache_key = None    # (device name, dtype) the cache was computed with

    def run(self, graph, device="cpu", target=None, reuse=True, partial=False) -> RunResult:
        """Forward and backward of `graph` on `device`. `target` defaults to the graph's
        target, else its single sink. reuse=False recomputes every node. partial=True
        (an editor's graph under construction) runs what is connected and lists the
        rest in `RunResult.waiting` instead of failing."""
        started = time.perf_counter()
        device = get_device(device)
        key = (graph.revision, target, partial)
        if key != self._plan_key:
            self._plan, self._plan_key = _Plan(graph, target, partial), key
        plan = self._plan
        cache_key = (device.name, graph.dtype)
        if not reuse or cache_key != self._cache_key:
            self._cache, self._cache_key = {}, cache_key
        with device.errstate():
            values, recomputed = self._forward(plan, device, graph)
            grads, edge_grads = self._backward(plan, device, values)
        return RunResult(device, graph.dtype, plan, values, grads, edge_grads, recomputed,
                         time.perf_counter() - started)

    def _forward(self, plan, device, graph):
        xp, dtype, base_dir = device.xp, graph.dtype, graph.base_dir
        old, cache = self._cache, {}
        values, tokens, recomputed = {}, {}, []
        node_id = spec = None
        try:
            for node_id, spec, ins, params, rev in plan.steps:
                in_tokens = tuple(map(tokens.__getitem__, ins))
                hit = old.pop(node_id, None)
                if hit is not None and hit[0] == rev and hit[1] == in_tokens:
                    cache[node_id] = hit
                    values[node_id], tokens[node_id] = hit[2], hit[3]
                    continue
                if spec.source:
                    out = device.asarray(spec.source(params, base_dir=base_dir), dtype)
                else:
                    out = spec.forward(xp, *map(values.__getitem__, ins), **params)
                token = next(_tokens)
                cache[node_id] = (rev, in_tokens, out, token)
                values[node_id], tokens[node_id] = out, token
                recomputed.append(node_id)
        except Exception as e:
            self._cache = {}
            raise _failure(e, node_id, spec, "forward") from e
        self._cache = cache
        return values, recomputed

    @staticmethod
    def _backward(plan, device, values):
        xp, shapes = device.xp, plan.shapes
        target = values[plan.target]
        grads = {plan.target: xp.ones_like(target)}
        edge_grads = {}
        node_id = spec = None
        try:
            for node_id, spec, ins, params, _ in reversed(plan.steps):
                g = grads.get(node_id)
                if g is None or not ins:
                    continue
                parts = spec.vjp(xp, g, values[node_id], *map(values.__getitem__, ins), **params)
                for src, port, part in zip(ins, spec.inputs, parts):
                    if part is None:
                        continue
                    if part.shape != shapes[src]:
                        part = sum_to(xp, part, shapes[src])
                    edge_grads[(node_id, port)] = part
                    total = grads.get(src)
                    grads[src] = part if total is None else total + part
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
    and `edge_grad` bring one to the host (read-only NumPy arrays)."""

    def __init__(self, device, dtype, plan, values, grads, edge_grads, recomputed, seconds):
        self.device = device
        self.dtype = dtype
        self.target = plan.target
        self.shapes = plan.shapes
        self.order, self.inputs, self.ports = plan.order, plan.inputs, plan.ports
        self.waiting = plan.waiting   # nodes left out of a partial run
        self.recomputed = recomputed
        self.seconds = seconds
        self._values = values
        self._grads = grads
        self._edge_grads = edge_grads
        self._previews = {}
        self._stats = {}

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

    # ---- display: only reductions cross to the host ---------------------------------
    def device_array(self, node_id, kind):
        """kind 'value' or 'grad'; None for the gradient of a node off the target path."""
        return self.device_value(node_id) if kind == "value" else self.device_grad(node_id)

    def preview(self, node_id, kind, max_rows, max_cols):
        """A Preview of the node's value or gradient, reduced on the device (cached)."""
        key = (node_id, kind, max_rows, max_cols)
        if key not in self._previews:
            array = self.device_array(node_id, kind)
            self._previews[key] = None if array is None else self._preview(
                array, max_rows, max_cols)
        return self._previews[key]

    def _preview(self, array, max_rows, max_cols):
        with self.device.errstate():
            return make_preview(self.device.xp, self.device.to_host, array, max_rows, max_cols)

    def edge_preview(self, dst, port, max_rows, max_cols):
        key = ("edge", dst, port, max_rows, max_cols)
        if key not in self._previews:
            array = self._edge_grads.get((dst, port))
            self._previews[key] = None if array is None else self._preview(
                array, max_rows, max_cols)
        return self._previews[key]

    def stats(self, node_id, kind):
        """Statistics of the node's value or gradient (None off the target path)."""
        key = (node_id, kind)
        if key not in self._stats:
            array = self.device_array(node_id, kind)
            self._stats[key] = None if array is None else array_stats(self.device, array)
        return self._stats[key]

    def edge_stats(self, dst, port):
        key = ("edge", dst, port)
        if key not in self._stats:
            array = self._edge_grads.get((dst, port))
            self._stats[key] = None if array is None else array_stats(self.device, array)
        return self._stats[key]

    def edge_rms(self, dst, port):
        """Root mean square of the gradient flowing back through dst.port (one reduction
        on the device); None where no gradient flows, NaN where it holds NaN or Inf."""
        key = ("rms", dst, port)
        if key not in self._stats:
            g = self._edge_grads.get((dst, port))
            if g is None:
                self._stats[key] = None
            elif math.prod(g.shape) == 0:
                self._stats[key] = 0.0
            else:
                xp = self.device.xp
                with self.device.errstate():
                    norm = float(self.device.to_host(xp.linalg.vector_norm(g)))
                self._stats[key] = norm / math.sqrt(math.prod(g.shape))
        return self._stats[key]

    def element(self, node_id, kind, index):
        """One element as a Python float (only that element crosses to the host)."""
        array = self.device_array(node_id, kind)
        if array is None:
            return 0.0
        return float(self.device.to_host(array[tuple(index)]))

    def _zeros(self, shape):
        return _readonly(np.zeros(shape, dtype=self.dtype))

    def _check(self, node_id):
        if node_id not in self._values:
            raise GraphError(f"no node {node_id!r} in this run", node=node_id)
        return node_id


def array_stats(device, array):
    """min, max, mean, absmax, rms, l2 over the finite elements, and the NaN/±Inf counts:
    reduced on the device, then a handful of scalars cross to the host."""
    with device.errstate():
        return _array_stats(device, device.xp, array)


def _array_stats(device, xp, array):
    size = math.prod(array.shape)
    finite = xp.isfinite(array)
    n_finite = int(device.to_host(xp.sum(finite)))
    nan = int(device.to_host(xp.sum(xp.isnan(array))))
    posinf = int(device.to_host(xp.sum(array == xp.inf)))
    out = {"shape": tuple(array.shape), "dtype": str(array.dtype), "size": size,
           "nan": nan, "posinf": posinf, "neginf": size - n_finite - nan - posinf,
           "min": math.nan, "max": math.nan, "mean": math.nan, "absmax": 0.0,
           "rms": 0.0, "l2": 0.0}
    if n_finite:
        clean = xp.where(finite, array, xp.zeros_like(array)) if n_finite < size else array
        big = xp.where(finite, array, xp.full_like(array, -xp.inf)) if n_finite < size else array
        small = xp.where(finite, array, xp.full_like(array, xp.inf)) if n_finite < size else array
        total = float(device.to_host(xp.sum(clean)))
        squares = float(device.to_host(xp.sum(clean * clean)))
        out.update(min=float(device.to_host(xp.min(small))),
                   max=float(device.to_host(xp.max(big))),
                   mean=total / n_finite, l2=math.sqrt(squares),
                   rms=math.sqrt(squares / n_finite))
        out["absmax"] = max(abs(out["min"]), abs(out["max"]))
    return out
