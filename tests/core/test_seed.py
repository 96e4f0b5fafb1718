"""The seed example reproduces the notebook's numbers."""
import numpy as np

import gradviz
from gradviz.core.examples import example_path
from tests.helpers import NOTEBOOK


def run_seed():
    graph = gradviz.load(example_path("seed"))
    return graph, graph.run()


def test_forward_matches_notebook():
    _, r = run_seed()
    for name in "xyzab":
        np.testing.assert_allclose(r.value(name), NOTEBOOK[name], atol=5e-9)
    assert float(r.value("c")) == 6.770325017108724
    assert round(float(r.value("c")), 11) == NOTEBOOK["c"]


def test_backward_matches_notebook():
    _, r = run_seed()
    ones = np.ones((4, 3))
    assert r.grad("c").shape == () and float(r.grad("c")) == 1.0
    for name in "abz":
        np.testing.assert_array_equal(r.grad(name), ones)
    np.testing.assert_allclose(r.grad("x"), NOTEBOOK["y"], atol=5e-9)
    np.testing.assert_allclose(r.grad("y"), NOTEBOOK["x"], atol=5e-9)


def test_draws_continue_one_stream():
    """x, y, z are consecutive draws after 110 skipped, exactly as in the notebook."""
    np.random.seed(0)
    np.random.randn(110)
    expected = {name: np.random.randn(4, 3) for name in "xyz"}
    _, r = run_seed()
    for name, value in expected.items():
        np.testing.assert_array_equal(r.value(name), value)


def test_default_target_and_description():
    graph, r = run_seed()
    assert r.target == "c" and graph.target == "c"
    assert "sum(x * y + z)" in graph.description
