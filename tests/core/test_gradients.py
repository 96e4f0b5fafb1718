"""Every op's VJP against central finite differences in float64 (a random projection
vᵀJ, element by element for small inputs), over broadcasting shapes, odd sizes, strides
and padding; and on array-api-strict devices (no NumPy behind the namespace's back)."""
import numpy as np
import pytest

from gradviz.core.engine import Engine
from gradviz.core.ops import OPS
from gradviz.core.shapes import broadcast_shapes
from tests.helpers import Case, check_gradient, differentiable_ops, op_graph, strict_device

BROADCAST_PAIRS = [((4, 3), (4, 3)), ((3, 4), (1, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)),
                   ((), (3,)), ((1,), ()), ((2, 1), (2,)), ((3, 1, 2), (1, 3, 2)),
                   ((0,), (1,)), ((3, 0), (3, 1))]


def pairs(inputs=None):
    both = BROADCAST_PAIRS + [p[::-1] for p in BROADCAST_PAIRS]
    return [Case(p, inputs=inputs) for p in both]


UNARY_SHAPES = [(4, 3), (), (5,), (2, 3, 2)]
LABELS = {1: np.array([2.0, 0.0, 1.0, 2.0])}

# Every differentiable op in the table must appear here.
CASES = {
    "add": pairs(), "sub": pairs(), "mul": pairs(),
    "div": pairs({1: "away"}),
    "neg": [Case([s]) for s in UNARY_SHAPES],
    "exp": [Case([s]) for s in UNARY_SHAPES],
    "log": [Case([s], inputs={0: (0.2, 3.0)}) for s in UNARY_SHAPES],
    "square": [Case([s]) for s in UNARY_SHAPES],
    "tanh": [Case([s]) for s in UNARY_SHAPES],
    "sigmoid": [Case([s], inputs={0: (-6.0, 6.0)}) for s in UNARY_SHAPES],
    "relu": [Case([s], inputs={0: "away"}) for s in UNARY_SHAPES],
    "pow": [Case([(4, 3)], {"exponent": 3.0}), Case([(5,)], {"exponent": 0.5},
                                                    inputs={0: (0.2, 2.0)}),
            Case([(2, 2)], {"exponent": -1.5}, inputs={0: (0.5, 2.0)}),
            Case([(3,)], {"exponent": 0.0})],
    "sum": [Case([(4, 3)], {"axis": None}), Case([(4, 3)], {"axis": 0}),
            Case([(4, 3)], {"axis": 1}), Case([(2, 3, 4)], {"axis": -1}),
            Case([()], {"axis": None}), Case([(5,)], {"axis": 0}), Case([(0, 3)], {"axis": 0})],
    "mean": [Case([(4, 3)], {"axis": None}), Case([(4, 3)], {"axis": 0}),
             Case([(2, 3, 4)], {"axis": -2}), Case([(5,)], {"axis": None})],
    "max": [Case([(4, 3)], {"axis": 0}), Case([(4, 3)], {"axis": -1}),
            Case([(2, 3, 4)], {"axis": 1}), Case([(5,)], {"axis": 0})],
    "reshape": [Case([(4, 3)], {"shape": (2, 6)}), Case([(2, 3, 4)], {"shape": (-1, 4)}),
                Case([(6,)], {"shape": (3, 2)})],
    "transpose": [Case([(4, 3)]), Case([(2, 3, 4)], {"axes": (1, 2, 0)}),
                  Case([(2, 3, 4)], {"axes": (0, 2, 1)})],
    "flatten": [Case([(2, 3, 4)]), Case([(2, 1, 3, 3)], {"start_axis": 1}),
                Case([(2, 3)], {"start_axis": 0})],
    "matmul": [Case([(3, 4), (4, 5)]), Case([(2, 3, 4), (4, 5)]), Case([(1, 3, 4), (2, 4, 5)]),
               Case([(3, 4), (2, 4, 5)]), Case([(4,), (2, 4, 5)]), Case([(2, 3, 4), (4,)]),
               Case([(4,), (4,)]), Case([(1, 4), (4, 1)])],
    "conv2d": [Case([(1, 1, 5, 5), (1, 1, 3, 3)]),
               Case([(2, 2, 5, 6), (3, 2, 3, 3)], {"padding": "same"}),
               Case([(1, 2, 7, 7), (2, 2, 3, 3)], {"stride": 2, "padding": 1}),
               Case([(1, 1, 6, 5), (2, 1, 2, 3)], {"stride": 2}),
               Case([(1, 3, 4, 4), (2, 3, 1, 1)])],
    "maxpool2d": [Case([(1, 2, 4, 4)], {"kernel": 2}), Case([(2, 1, 5, 5)], {"kernel": 3,
                                                                             "stride": 2}),
                  Case([(1, 1, 4, 6)], {"kernel": 2, "stride": 1})],
    "avgpool2d": [Case([(1, 2, 4, 4)], {"kernel": 2}), Case([(2, 1, 5, 5)], {"kernel": 3,
                                                                             "stride": 2}),
                  Case([(1, 1, 3, 4)], {"kernel": 2, "stride": 1})],
    "softmax_cross_entropy": [Case([(4, 3), (4,)], inputs=LABELS),
                              Case([(1, 5), (1,)], inputs={1: np.array([4.0])})],
    "mse": [Case([(4, 3), (4, 3)]), Case([(4, 3), (1, 3)]), Case([(5,), ()])],
}


def all_cases():
    return [pytest.param(op, case, id=f"{op}-{case}")
            for op in differentiable_ops() for case in CASES.get(op, [])]


def test_every_op_has_gradient_cases():
    missing = [op for op in differentiable_ops() if op not in CASES]
    assert not missing, f"ops without gradient checks: {missing}"


@pytest.mark.parametrize("op, case", all_cases())
def test_vjp_matches_finite_differences(op, case):
    graph, ids = op_graph(op, case)
    r = graph.run()
    for i, (node_id, shape) in enumerate(zip(ids, case.shapes)):
        analytic = r.grad(node_id)
        assert analytic.shape == shape and analytic.dtype == np.float64
        if OPS[op].inputs[i] in OPS[op].no_grad:
            np.testing.assert_array_equal(analytic, 0.0)   # declared: no gradient
        else:
            check_gradient(graph, node_id, analytic)


@pytest.mark.parametrize("op, case", all_cases())
def test_edge_contributions_sum_to_node_grad(op, case):
    graph, ids = op_graph(op, case)
    r = graph.run()
    for edge in graph.edges:
        assert r.edge_grad(edge.src, edge.dst, edge.port).shape == r.shapes[edge.src]
    for node_id in ids:
        parts = [r.edge_grad(e.src, e.dst, e.port) for e in graph.out_edges(node_id)]
        np.testing.assert_array_equal(sum(parts), r.grad(node_id))


@pytest.mark.parametrize("device_name", ["device1", "device2"])
@pytest.mark.parametrize("op, case", all_cases())
def test_ops_on_strict_device_agree_with_numpy(op, case, device_name):
    """array-api-strict refuses NumPy arrays and cross-device mixing, and device2
    defaults to float32: a missing dtype= or a stray np. call fails here."""
    graph, ids = op_graph(op, case)
    expected = graph.run()
    result = Engine().run(graph, device=strict_device(device_name))
    for node_id in [*ids, "out"]:
        for get in (lambda r: r.value(node_id), lambda r: r.grad(node_id)):
            got, want = get(result), get(expected)
            assert got.dtype == np.float64 and got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_float32_graph_stays_float32():
    graph, ids = op_graph("mul", Case([(3, 4), (1, 4)]))
    graph.set_dtype("float32")
    r = graph.run()
    assert r.value("out").dtype == np.float32
    assert r.grad(ids[1]).dtype == np.float32 and r.grad(ids[1]).shape == (1, 4)


def test_broadcast_shapes_matches_numpy():
    for a, b in BROADCAST_PAIRS:
        assert broadcast_shapes(a, b) == np.broadcast_shapes(a, b)
    with pytest.raises(ValueError, match=r"\(4, 3\) and \(2, 3\)"):
        broadcast_shapes((4, 3), (2, 3))
