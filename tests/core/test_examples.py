"""Each bundled example against an independent computation written here in NumPy."""
import numpy as np
import pytest

import gradviz
from gradviz.core.examples import example_names, example_path


def load_run(name):
    g = gradviz.load(example_path(name))
    return g, g.run()


def param(g, r, node_id):
    return np.array(r.value(node_id))


def softmax_ce(logits, labels):
    """Loss and d loss / d logits, by hand."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(labels)
    onehot = np.eye(logits.shape[1])[labels.astype(int)]
    return -np.mean(np.log(p[np.arange(n), labels.astype(int)])), (p - onehot) / n


def test_every_example_has_a_description():
    assert set(example_names()) >= {"seed", "broadcast", "mlp", "cnn"}
    for name in example_names():
        assert len(gradviz.load(example_path(name)).description) > 40


def test_broadcast_bias_gradient_is_the_column_sum():
    g, r = load_run("broadcast")
    X, b = param(g, r, "X"), param(g, r, "b")
    h = X + b
    assert float(r.value("loss")) == pytest.approx(np.sum(h ** 2), rel=1e-14)
    grad_h = 2 * h
    np.testing.assert_allclose(r.grad("h"), grad_h, rtol=1e-14)
    np.testing.assert_allclose(r.grad("b"), grad_h.sum(axis=0, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(r.grad("X"), grad_h, rtol=1e-14)


def test_mlp_against_hand_written_backprop():
    g, r = load_run("mlp")
    X, W1, b1, W2, b2, labels = (param(g, r, n) for n in ("X", "W1", "b1", "W2", "b2",
                                                          "labels"))
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    logits = h @ W2 + b2
    loss, d_logits = softmax_ce(logits, labels)
    assert float(r.value("loss")) == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(r.value("logits"), logits, rtol=1e-12)
    d_W2 = h.T @ d_logits
    d_h = d_logits @ W2.T
    d_z1 = d_h * (z1 > 0)
    for node, expected in [("logits", d_logits), ("b2", d_logits.sum(axis=0, keepdims=True)),
                           ("W2", d_W2), ("W1", X.T @ d_z1),
                           ("b1", d_z1.sum(axis=0, keepdims=True)), ("X", d_z1 @ W1.T)]:
        np.testing.assert_allclose(r.grad(node), expected, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(r.grad("labels"), 0.0)


def cnn_forward(images, kernels, W, labels):
    """The cnn example in plain NumPy loops: conv (same), relu, 2x2 max pool, flatten,
    linear, softmax cross-entropy."""
    n, _, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((n, kernels.shape[0], h, w))
    for b in range(n):
        for f in range(kernels.shape[0]):
            for i in range(h):
                for j in range(w):
                    conv[b, f, i, j] = np.sum(padded[b, :, i:i + 3, j:j + 3] * kernels[f])
    act = np.maximum(conv, 0)
    pool = act.reshape(n, -1, h // 2, 2, w // 2, 2).max(axis=(3, 5))
    logits = pool.reshape(n, -1) @ W
    return softmax_ce(logits, labels)[0], conv, pool, logits


def test_cnn_against_numpy_loops_and_finite_differences():
    g, r = load_run("cnn")
    images, kernels, W, labels = (param(g, r, n) for n in ("images", "kernels", "W",
                                                           "labels"))
    loss, conv, pool, logits = cnn_forward(images, kernels, W, labels)
    assert float(r.value("loss")) == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(r.value("conv"), conv, atol=1e-12)
    np.testing.assert_allclose(r.value("pool"), pool, atol=1e-12)
    np.testing.assert_allclose(r.value("logits"), logits, atol=1e-12)
    eps = 1e-6
    for name, array, index in [("kernels", kernels, np.ndindex(*kernels.shape)),
                               ("W", W, [(0, 0), (17, 1), (63, 2), (40, 0)])]:
        grad = r.grad(name)
        for i in index:
            plus, minus = array.copy(), array.copy()
            plus[i] += eps
            minus[i] -= eps
            args = {"kernels": kernels, "W": W}
            numeric = (cnn_forward(images, **{**args, name: plus}, labels=labels)[0] -
                       cnn_forward(images, **{**args, name: minus}, labels=labels)[0]) / (2 * eps)
            assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (name, i)
    assert np.count_nonzero(r.grad("kernels")) == kernels.size  # every weight is reached
