"""A traced run: forward steps, then backward steps from the target back, each with
what it received, what it sent through each edge and how far each sum has got."""
import numpy as np
import pytest

import gradviz
from gradviz.core.examples import example_names, example_path
from gradviz.core.trace import frame, partial_sums


def random_graph(seed):
    """Inputs of broadcastable shapes, mixed by binary and unary ops with fan-out."""
    rng = np.random.default_rng(seed)
    g = gradviz.Graph()
    shapes = [(3, 4), (4,), (1, 4), (3, 1)]
    ids = [g.add("input", value=rng.standard_normal(shapes[i % 4])) for i in range(4)]
    for _ in range(int(rng.integers(4, 9))):
        a, b = (ids[int(i)] for i in rng.integers(0, len(ids), 2))
        op = ["add", "mul", "sub"][int(rng.integers(0, 3))]
        node = g.add(op, a, b)
        if rng.random() < 0.4:
            node = g.add(["tanh", "square"][int(rng.integers(0, 2))], node)
        ids.append(node)
    g.set_target(g.add("sum", ids[-1]))
    return g


GRAPHS = [(name, lambda name=name: gradviz.load(example_path(name))) for name in example_names()]
GRAPHS += [(f"random{seed}", lambda seed=seed: random_graph(seed)) for seed in range(12)]


@pytest.mark.parametrize("name, make", GRAPHS, ids=[name for name, _ in GRAPHS])
def test_trace_invariants(name, make):
    graph = make()
    plain = gradviz.Engine().run(graph)
    r = gradviz.Engine().run(graph, trace=True)
    forward = [s for s in r.trace if s.phase == "forward"]
    backward = [s for s in r.trace if s.phase == "backward"]
    assert r.trace == forward + backward                       # forward, then backward
    assert [s.node for s in forward] == r.order
    for node_id in r.order:                                    # same numbers as a plain run
        np.testing.assert_array_equal(r.value(node_id), plain.value(node_id))
        np.testing.assert_array_equal(r.grad(node_id), plain.grad(node_id))
    assert backward[0].node == r.target
    done = set()
    last = {}
    for step in backward:
        consumers = {dst for src, dst, port in r.edges() if src == step.node}
        assert not (consumers & {s.node for s in backward}) - done   # consumers came first
        done.add(step.node)
        np.testing.assert_array_equal(step.grad, r.grad(step.node))
        for c in step.contributions:
            np.testing.assert_array_equal(c.array, r.edge_grad(c.src, step.node, c.port))
        for a in step.accumulated:
            assert 1 <= a.reported <= a.consumers
            last[a.src] = a
    for src, a in last.items():
        np.testing.assert_array_equal(a.array, r.grad(src))    # the sum is complete
        assert a.reported == a.consumers
    assert {s.node for s in backward} == {n for n in r.order if r.affects_target(n)}


def test_a_plain_run_records_nothing():
    assert gradviz.load(example_path("seed")).run().trace is None


def test_a_step_names_its_rule_and_the_arrays_it_uses():
    g = gradviz.load(example_path("seed"))
    r = g.run(trace=True)
    step = next(s for s in r.trace if s.phase == "backward" and s.node == "a")
    assert step.rule == "∂a = g·b, ∂b = g·a."
    assert set(step.operands) == {"g", "a", "b"}
    np.testing.assert_array_equal(step.operands["a"], r.value("x"))
    np.testing.assert_array_equal(step.operands["b"], r.value("y"))
    np.testing.assert_array_equal(step.contributions[0].array, r.grad("a") * r.value("y"))


def test_broadcasting_is_summed_back_and_says_over_which_axes():
    g = gradviz.Graph()
    g.add("input", id="m", value=np.ones((4, 3)))
    g.add("input", id="row", value=np.arange(3.0))
    g.add("input", id="col", value=np.ones((4, 1)))
    g.add("sum", g.add("mul", g.add("add", "m", "row", id="s"), "col", id="p"), id="t")
    r = g.run(trace=True)
    add = next(s for s in r.trace if s.phase == "backward" and s.node == "s")
    assert {c.src: c.unbroadcast for c in add.contributions} == {"m": (), "row": (0,)}
    mul = next(s for s in r.trace if s.phase == "backward" and s.node == "p")
    assert {c.src: c.unbroadcast for c in mul.contributions} == {"s": (), "col": (1,)}


def test_a_fan_out_adds_up_one_consumer_at_a_time():
    """x feeds both a = x*y and b = tanh(x): its gradient arrives in two parts, and
    the first partial sum is the first consumer's contribution alone."""
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.arange(6.0).reshape(2, 3))
    y = g.add("input", id="y", value=np.full((2, 3), 2.0))
    g.add("sum", g.add("add", g.add("mul", x, y, id="a"), g.add("tanh", x, id="b")), id="t")
    r = g.run(trace=True)
    arrivals = [(step, a) for step in r.trace if step.phase == "backward"
                for a in step.accumulated if a.src == "x"]
    assert [(a.reported, a.consumers) for _, a in arrivals] == [(1, 2), (2, 2)]
    (first_step, first), (second_step, second) = arrivals
    np.testing.assert_array_equal(first.array, r.edge_grad("x", first_step.node, "a"))
    np.testing.assert_array_equal(second.array, r.grad("x"))
    assert {first_step.node, second_step.node} == {"a", "b"}


def test_frames_show_the_run_as_it_stood_after_each_step():
    g = gradviz.load(example_path("seed"))
    r = g.run(trace=True)
    first = frame(r, 0)
    assert first.order == ["x"] and first.target is None
    forward_end = frame(r, len(r.order) - 1)
    assert forward_end.order == r.order and not forward_end.affects_target("x")
    after_b = frame(r, [s.node for s in r.trace].index("b", len(r.order)))
    assert after_b.affects_target("a") and after_b.affects_target("z")
    assert not after_b.affects_target("x")    # a has not sent its part yet
    np.testing.assert_array_equal(after_b.grad("a"), r.grad("a"))
    last = frame(r, -1)
    for node_id in r.order:
        np.testing.assert_array_equal(last.grad(node_id), r.grad(node_id))
    assert last.edges() == r.edges()


def test_partial_sums_name_the_gradients_still_adding_up():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.ones((2, 2)))
    g.add("sum", g.add("add", g.add("exp", x, id="a"), g.add("tanh", x, id="b")), id="t")
    r = g.run(trace=True)
    nodes = [s.node for s in r.trace]
    first = min(nodes.index("a", len(r.order)), nodes.index("b", len(r.order)))
    assert partial_sums(r.trace, first) == {"x": (1, 2)}
    assert partial_sums(r.trace, len(r.trace) - 1) == {}
