"""Convolution against a direct loop written here, and the conventions at points where
a derivative is not defined (PyTorch's)."""
import numpy as np
import pytest

import gradviz
from gradviz import GraphError


def direct_conv2d(x, w, stride, pad):
    """Cross-correlation by explicit loops over every output pixel."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad))
    xp[:, :, pad:pad + h, pad:pad + wd] = x
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for b in range(n):
        for f in range(o):
            for i in range(oh):
                for j in range(ow):
                    patch = xp[b, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[b, f, i, j] = np.sum(patch * w[f])
    return out


def run_op(op, *arrays, **params):
    g = gradviz.Graph()
    ids = [g.add("input", id=f"in{i}", value=a) for i, a in enumerate(arrays)]
    g.add(op, *ids, id="out", **params)
    return g.run(target="out"), ids


@pytest.mark.parametrize("shape_x, shape_w, stride, padding, pad", [
    ((1, 1, 5, 5), (1, 1, 3, 3), 1, "valid", 0),
    ((2, 3, 6, 7), (4, 3, 3, 3), 1, "same", 1),
    ((1, 2, 7, 7), (3, 2, 3, 3), 2, 1, 1),
    ((1, 1, 8, 8), (2, 1, 5, 5), 3, 2, 2),
    ((1, 2, 4, 4), (1, 2, 1, 1), 1, "valid", 0),
])
def test_conv2d_forward_matches_direct_loops(shape_x, shape_w, stride, padding, pad):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(shape_x), rng.standard_normal(shape_w)
    r, _ = run_op("conv2d", x, w, stride=stride, padding=padding)
    np.testing.assert_allclose(r.value("out"), direct_conv2d(x, w, stride, pad), atol=1e-12)


def test_conv2d_shape_errors_name_both_shapes():
    with pytest.raises(GraphError, match=r"x: \(1, 2, 5, 5\), w: \(1, 3, 3, 3\).*2 channels"):
        run_op("conv2d", np.ones((1, 2, 5, 5)), np.ones((1, 3, 3, 3)))
    with pytest.raises(GraphError, match="does not fit"):
        run_op("conv2d", np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)))


def test_relu_derivative_at_zero_is_zero():
    r, ids = run_op("relu", np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(r.grad(ids[0]), [0.0, 0.0, 1.0])


def test_max_ties_send_the_gradient_to_the_first():
    r, ids = run_op("max", np.array([[3.0, 1.0, 3.0], [0.0, 2.0, 2.0]]), axis=1)
    np.testing.assert_array_equal(r.value("out"), [3.0, 2.0])
    np.testing.assert_array_equal(r.grad(ids[0]), [[1, 0, 0], [0, 1, 0]])


def test_maxpool_ties_send_the_gradient_to_the_first():
    x = np.array([[[[1.0, 5.0], [5.0, 0.0]]]])
    r, ids = run_op("maxpool2d", x, kernel=2)
    np.testing.assert_array_equal(r.grad(ids[0]), [[[[0, 1], [0, 0]]]])


def test_log_of_non_positive_follows_pytorch():
    r, ids = run_op("log", np.array([0.0, -1.0, 1.0]))
    value, grad = r.value("out"), r.grad(ids[0])
    assert value[0] == -np.inf and np.isnan(value[1]) and value[2] == 0.0
    np.testing.assert_array_equal(grad, [np.inf, -1.0, 1.0])


def test_cross_entropy_checks_its_labels():
    with pytest.raises(GraphError, match="labels must be class indices 0 to 2"):
        run_op("softmax_cross_entropy", np.zeros((2, 3)), np.array([0.0, 3.0]))
    with pytest.raises(GraphError, match=r"labels must be one class index per row: shape"):
        run_op("softmax_cross_entropy", np.zeros((2, 3)), np.zeros((3,)))


def test_cross_entropy_against_a_direct_formula():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    labels = np.array([0.0, 1.0])
    r, ids = run_op("softmax_cross_entropy", logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert float(r.value("out")) == pytest.approx(-np.mean(np.log(p[[0, 1], [0, 1]])))
    onehot = np.eye(3)[[0, 1]]
    np.testing.assert_allclose(r.grad(ids[0]), (p - onehot) / 2, atol=1e-12)
    np.testing.assert_array_equal(r.grad(ids[1]), 0.0)


def test_sigmoid_does_not_overflow():
    r, _ = run_op("sigmoid", np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(r.value("out"), [0.0, 0.5, 1.0])


def test_reshape_and_matmul_errors():
    with pytest.raises(GraphError, match=r"cannot reshape \(4, 3\) \(12 elements\) to \(5,\)"):
        run_op("reshape", np.ones((4, 3)), shape=(5,))
    with pytest.raises(GraphError, match="inner sizes differ: 3 and 4"):
        run_op("matmul", np.ones((2, 3)), np.ones((4, 2)))
