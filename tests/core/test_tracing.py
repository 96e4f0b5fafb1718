"""Building graphs from NumPy-style code: `with gradviz.build() as t:`."""
import inspect

import numpy as np
import pytest

import gradviz
from gradviz.core.errors import GraphError
from gradviz.core.examples import example_names, example_path
from gradviz.core.ops import OPS


def same_numbers(a, b, names):
    ra, rb = a.run(), b.run()
    for name in names:
        np.testing.assert_array_equal(ra.value(name), rb.value(name))
        np.testing.assert_array_equal(ra.grad(name), rb.grad(name))


def test_the_seed_graph_in_five_lines():
    with gradviz.build() as t:
        x = t.input(source="randn", seed=0, offset=110, shape=(4, 3))
        y = t.input(source="randn", seed=0, offset=122, shape=(4, 3))
        z = t.input(source="randn", seed=0, offset=134, shape=(4, 3))
        c = t.sum(x * y + z)
    assert c.shape == () and {"x", "y", "z", "c"} <= set(t.graph.nodes)
    same_numbers(t.graph, gradviz.load(example_path("seed")), "xyzc")


@pytest.mark.parametrize("name", example_names())
def test_every_example_traced_op_by_op_gives_the_same_numbers(name):
    """Each node of the example recorded through the tracer's method for its op."""
    example = gradviz.load(example_path(name))
    made = {}
    with gradviz.build() as t:
        for node_id in example.topo_order():
            node = example.nodes[node_id]
            if node.op == "input":
                made[node_id] = t.input(name=node_id, **node.params)
            else:
                ins = [made[src] for src in example.inputs_of(node_id)]
                made[node_id] = getattr(t, node.op)(*ins, name=node_id, **node.params)
    t.graph.set_target(example.resolve_target())
    same_numbers(t.graph, example, list(example.nodes))


def test_operators_follow_numpy():
    a = np.arange(1.0, 7.0).reshape(2, 3)
    w = np.linspace(-1, 1, 12).reshape(3, 4)
    with gradviz.build() as t:
        x = t.input(a)
        m = t.input(w)
        out = t.sum(((-x + 1.0) * 2 - x / (x ** 3)) @ m + np.ones(4) * 0.5)
    got = t.graph.run().value(t.graph.resolve_target())
    expected = np.sum(((-a + 1.0) * 2 - a / (a ** 3)) @ w + np.ones(4) * 0.5)
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert out.shape == ()


def test_names_come_from_variables_then_name_then_fresh_ids():
    with gradviz.build() as t:
        x = t.input(np.ones((2, 2)))
        hidden = t.tanh(x, name="h")
        t.relu(hidden)                  # held by no variable
        total = t.sum(hidden)
    g = t.graph
    assert {"x", "h", "total"} <= set(g.nodes) and "hidden" not in g.nodes
    assert any(n.startswith("relu") for n in g.nodes)
    assert total.op == "sum" and g.nodes["total"].op == "sum"


def test_the_layout_runs_left_to_right_by_depth():
    with gradviz.build() as t:
        x = t.input(np.ones(3))
        y = t.input(np.ones(3))
        s = t.sum(t.exp(x) + y)
    g = t.graph
    for edge in g.edges:
        assert g.nodes[edge.src].pos[0] < g.nodes[edge.dst].pos[0]
    assert g.nodes["x"].pos != g.nodes["y"].pos and s.shape == ()


def test_a_shape_that_does_not_broadcast_names_the_line():
    with pytest.raises(GraphError) as info:
        with gradviz.build() as t:
            x = t.input(np.ones((4, 3)))
            bad_line = inspect.currentframe().f_lineno + 1
            t.sum(x + t.input(np.ones(5)))
    assert f"line {bad_line}: add:" in str(info.value) and "do not broadcast" in str(info.value)


def test_what_cannot_be_traced_says_so():
    with pytest.raises(GraphError, match="cannot trace a str"):
        with gradviz.build() as t:
            t.input(np.ones(2)) + "two"
    with pytest.raises(GraphError, match=r"\*\* takes a number on the right"):
        with gradviz.build() as t:
            x = t.input(np.ones(2))
            x ** x
    with pytest.raises(AttributeError, match="no op 'softmax'"):
        with gradviz.build() as t:
            t.softmax(t.input(np.ones(2)))


def test_every_operator_is_declared_in_the_op_table():
    declared = {spec.operator for spec in OPS.values() if spec.operator}
    assert declared == {"+", "-", "*", "/", "@", "**", "unary -"}
