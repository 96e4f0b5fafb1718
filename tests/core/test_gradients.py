"""Every op's VJP against central finite differences in float64, over broadcasting
shapes; also on array-api-strict devices (no NumPy behind the namespace's back)."""
import numpy as np
import pytest

from gradviz.core.engine import Engine
from gradviz.core.shapes import broadcast_shapes
from tests.helpers import differentiable_ops, numeric_grad, op_graph, strict_device

BROADCAST_PAIRS = [((4, 3), (4, 3)), ((3, 4), (1, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)),
                   ((), (3,)), ((1,), ()), ((2, 1), (2,)), ((3, 1, 2), (1, 3, 2)),
                   ((0,), (1,)), ((3, 0), (3, 1))]

# (shapes, params) per op. Every differentiable op in the table must appear here.
CASES = {
    "mul": [(pair, {}) for pair in BROADCAST_PAIRS] + [(p[::-1], {}) for p in BROADCAST_PAIRS],
    "add": [(pair, {}) for pair in BROADCAST_PAIRS] + [(p[::-1], {}) for p in BROADCAST_PAIRS],
    "sum": [(((4, 3),), {"axis": None}), (((4, 3),), {"axis": 0}), (((4, 3),), {"axis": 1}),
            (((2, 3, 4),), {"axis": -1}), (((),), {"axis": None}), (((5,),), {"axis": 0}),
            (((0, 3),), {"axis": 0})],
}


def all_cases():
    return [pytest.param(op, shapes, params, id=f"{op}-{shapes}-{params}")
            for op in differentiable_ops() for shapes, params in CASES.get(op, [])]


def test_every_op_has_gradient_cases():
    missing = [op for op in differentiable_ops() if op not in CASES]
    assert not missing, f"ops without gradient checks: {missing}"


@pytest.mark.parametrize("op, shapes, params", all_cases())
def test_vjp_matches_finite_differences(op, shapes, params):
    graph, ids = op_graph(op, shapes, params)
    r = graph.run(target="out")
    for node_id, shape in zip(ids, shapes):
        analytic = r.grad(node_id)
        assert analytic.shape == tuple(shape) and analytic.dtype == np.float64
        numeric = numeric_grad(graph, node_id)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("op, shapes, params", all_cases())
def test_edge_contributions_sum_to_node_grad(op, shapes, params):
    graph, ids = op_graph(op, shapes, params)
    r = graph.run(target="out")
    for edge in graph.edges:
        assert r.edge_grad(edge.src, edge.dst, edge.port).shape == r.shapes[edge.src]
    for node_id in ids:
        parts = [r.edge_grad(e.src, e.dst, e.port) for e in graph.out_edges(node_id)]
        np.testing.assert_array_equal(sum(parts), r.grad(node_id))


@pytest.mark.parametrize("device_name", ["device1", "device2"])
@pytest.mark.parametrize("op, shapes, params", all_cases())
def test_ops_on_strict_device_agree_with_numpy(op, shapes, params, device_name):
    """array-api-strict refuses NumPy arrays and cross-device mixing, and device2
    defaults to float32: a missing dtype= or a stray np. call fails here."""
    graph, ids = op_graph(op, shapes, params)
    expected = graph.run(target="out")
    result = Engine().run(graph, device=strict_device(device_name), target="out")
    for node_id in [*ids, "out"]:
        for get in (lambda r: r.value(node_id), lambda r: r.grad(node_id)):
            got, want = get(result), get(expected)
            assert got.dtype == np.float64 and got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_float32_graph_stays_float32():
    graph, ids = op_graph("mul", ((3, 4), (1, 4)))
    graph.set_dtype("float32")
    r = graph.run(target="out")
    assert r.value("out").dtype == np.float32
    assert r.grad(ids[1]).dtype == np.float32 and r.grad(ids[1]).shape == (1, 4)


def test_broadcast_shapes_matches_numpy():
    for a, b in BROADCAST_PAIRS:
        assert broadcast_shapes(a, b) == np.broadcast_shapes(a, b)
    with pytest.raises(ValueError, match=r"\(4, 3\) and \(2, 3\)"):
        broadcast_shapes((4, 3), (2, 3))
