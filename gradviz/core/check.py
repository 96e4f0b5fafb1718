"""Instruments that test a gradient against the function itself, Qt-free: the
gradient check (central differences, element by element, against the analytic
gradient) and the perturbation probe (nudge one element, compare the target's actual
change with the gradient's prediction). Both work on a float64 copy of the graph
whose nodes under test are turned into inputs holding their values."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .engine import Engine
from .errors import GraphError
from .preview import Previews

EPS = 1e-6            # the step, relative to the element's size (at least 1)
TOLERANCE = 1e-5      # agree when |analytic - numeric| <= TOLERANCE * max(1, |a|, |n|)
MAX_ELEMENTS = 4096   # per node; larger arrays are checked on a seeded random sample


class NodeCheck(NamedTuple):
    """The check of one node's gradient. `indices` are the elements checked (all of
    them, or a sample); `analytic`, `numeric`, `error` (|a - n| on the tolerance's
    scale) and `kink` (the one-sided slopes differ: a non-differentiable point such
    as relu at 0 or a tie in max) are per checked element."""
    node: str
    shape: tuple
    total: int
    indices: list
    analytic: np.ndarray
    numeric: np.ndarray
    error: np.ndarray
    kink: np.ndarray

    @property
    def checked(self):
        return len(self.indices)

    @property
    def bad(self):
        """Elements that disagree and are not at a kink."""
        return (self.error > TOLERANCE) & ~self.kink

    @property
    def ok(self):
        return not self.bad.any()

    @property
    def worst(self):
        """Position (in `indices`) of the largest error, kinks last."""
        if not self.checked:
            return None
        return int(np.argmax(np.where(self.kink, -1.0, self.error)))

    def describe(self, separator):
        """The verdict in words: how many elements agree, kinks, the worst one."""
        s = self.summary()
        parts = [f"{'agrees' if self.ok else 'DISAGREES'} on {s['checked']} of {s['of']} "
                 f"elements{separator}largest error {s['max_rel_error']:.2g}"]
        if s["kinks"]:
            parts.append(f"{s['kinks']} at a kink (not differentiable there)")
        if not self.ok:
            i = self.worst
            parts.append(f"worst at {list(self.indices[i])}: analytic {self.analytic[i]!r}, "
                         f"numeric {self.numeric[i]!r}")
        return separator.join(parts)

    def summary(self):
        worst = self.worst
        out = {"checked": self.checked, "of": self.total, "ok": self.ok,
               "max_abs_error": float(np.abs(self.analytic - self.numeric).max(initial=0)),
               "max_rel_error": float(self.error.max(initial=0)),
               "kinks": int(self.kink.sum()),
               "worst_index": list(self.indices[worst]) if worst is not None else None}
        return out


class Probe(NamedTuple):
    node: str
    index: tuple
    value: float
    grad: float
    eps: float
    predicted: float     # grad * eps
    actual: float        # target(x + eps) - target(x)

    @property
    def difference(self):
        return self.actual - self.predicted


class _Function:
    """The target's value as a function of the nodes under test: a float64 copy of
    the graph in which each of them is an input holding its value."""

    def __init__(self, graph, nodes, result, device):
        self.result, self.target = result, result.target
        self.graph = _cut(graph, nodes, result)
        self.graph.set_target(self.target)
        self.engine, self.device = Engine(), device
        self.base = {n: np.array(self.result.value(n), dtype=np.float64) for n in nodes}

    def __call__(self, node_id, index, value):
        """The target's sum with element `index` of `node_id` set to `value`."""
        array = self.base[node_id].copy()
        array[index] = value
        self.graph.set_params(node_id, {"source": "value", "value": array})
        try:
            return self.unperturbed()
        finally:   # the other nodes under test must see this one unperturbed
            self.graph.set_params(node_id, {"source": "value", "value": self.base[node_id]})

    def unperturbed(self):
        """The target's sum as the graph stands."""
        out = self.engine.run(self.graph, device=self.device, target=self.target,
                              backward=False).value(self.target)
        return float(np.sum(out, dtype=np.float64))


def _cut(graph, nodes, result):
    """A float64 copy of `graph` where each of `nodes` is an input holding its value
    in `result` (what fed it is disconnected)."""
    copy = graph.copy()
    copy.dtype = "float64"
    for node_id in nodes:
        node = copy.nodes[node_id]
        consumers = [(e.dst, e.port) for e in copy.out_edges(node_id)]
        copy.remove(node_id)
        copy.add("input", id=node_id, label=node.label, pos=node.pos, source="value",
                 value=np.array(result.value(node_id), dtype=np.float64))
        for dst, port in consumers:
            copy.connect(node_id, dst, port)
    return copy


def default_nodes(result):
    """The inputs whose gradient the target depends on."""
    return [n for n in result.order if not result.inputs[n] and result.affects_target(n)]


def check_gradients(graph, nodes=None, eps=EPS, max_elements=MAX_ELEMENTS, seed=0,
                    target=None, device="cpu", progress=None):
    """Check the analytic gradient of each of `nodes` (default: every input the
    target depends on) element by element against central differences in float64.
    `progress(done, total)` is called as elements are checked; if it returns False
    the check stops and GraphError("cancelled") is raised. Returns {node: NodeCheck}."""
    first = graph.run(device=device, target=target)
    nodes = list(nodes) if nodes is not None else default_nodes(first)
    for node_id in nodes:
        if node_id not in first:
            raise GraphError(f"no node {node_id!r} in this run", node=node_id)
    rng = np.random.default_rng(seed)
    chosen = {n: _sample(first.shapes[n], max_elements, rng) for n in nodes}
    total, done = sum(map(len, chosen.values())), 0
    report = {}
    for node_id in nodes:   # one at a time: a node cut out of the graph cuts its inputs off
        f = _Function(graph, [node_id], first, device)
        analytic = first.grad(node_id)
        center = f.unperturbed()
        columns = [[], [], [], []]   # analytic, numeric, error, kink
        for index in chosen[node_id]:
            x = f.base[node_id][index]
            h = eps * max(1.0, abs(x))
            up, down = f(node_id, index, x + h), f(node_id, index, x - h)
            for column, item in zip(columns, _compare(analytic[index], up, down, center, h)):
                column.append(item)
            done += 1
            if progress is not None and progress(done, total) is False:
                raise GraphError("gradient check cancelled")
        base = f.base[node_id]
        report[node_id] = NodeCheck(node_id, base.shape, base.size, chosen[node_id],
                                    *(np.array(c, dtype=bool if i == 3 else float)
                                      for i, c in enumerate(columns)))
    return report


def _sample(shape, cap, rng):
    """Every index of `shape`, or `cap` of them drawn at random (in order)."""
    size = math.prod(shape)
    flat = np.arange(size) if size <= cap else np.sort(rng.choice(size, cap, replace=False))
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat]


def _compare(analytic, up, down, center, h):
    numeric = (up - down) / (2 * h)
    scale = max(1.0, abs(analytic), abs(numeric))
    error = abs(analytic - numeric) / scale
    right, left = (up - center) / h, (center - down) / h
    kink = abs(right - left) / max(1.0, abs(right), abs(left)) > 100 * TOLERANCE
    return float(analytic), numeric, error, kink


class ProbeSession:
    """One element of one node, nudged again and again (a slider): each `at(eps)`
    re-runs only what the element reaches."""

    def __init__(self, graph, node_id, index, target=None, device="cpu"):
        first = graph.run(device=device, target=target)
        if node_id not in first:
            raise GraphError(f"no node {node_id!r} in this run", node=node_id)
        self.f = _Function(graph, [node_id], first, device)
        self.node, self.index = node_id, tuple(index)
        base = self.f.base[node_id]
        try:
            self.value = float(base[self.index])
        except (IndexError, TypeError):
            raise GraphError(f"{node_id} has shape {base.shape}: no element {self.index}",
                             node=node_id) from None
        self.scale = max(float(np.abs(base).max(initial=0)), 1e-3)
        self.default_eps = 1e-3 * self.scale
        self.grad = float(first.grad(node_id)[self.index])
        self.center = self.f.unperturbed()

    def at(self, eps):
        actual = self.f(self.node, self.index, self.value + eps) - self.center
        return Probe(self.node, self.index, self.value, self.grad, eps, self.grad * eps,
                     actual)


def probe(graph, node_id, index, eps=None, target=None, device="cpu"):
    """Nudge element `index` of `node_id`'s value by `eps` (default: 1e-3 of the
    value's scale) and compare the target's actual change with grad * eps."""
    session = ProbeSession(graph, node_id, index, target, device)
    return session.at(session.default_eps if eps is None else eps)


def attach(result, report):
    """Keep the check's errors with the run it checked, for the check view: each
    checked element's error on the tolerance's scale (elements left out of a sample
    show 0), on the run's device."""
    arrays = result.derived.setdefault("arrays", {})
    for node_id, c in report.items():
        error = np.zeros(c.shape)
        for index, value in zip(c.indices, c.error):
            error[index] = value
        arrays[(node_id, "error")] = result.device.asarray(error, "float64")
    result.derived["check"] = report
    Previews.of(result).forget("error")   # shown before the check: "not checked"
