"""The instruments that test a gradient: the check against central differences, the
perturbation probe, health flags and the comparison of two settings."""
import json
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.cli import main
from gradviz.core.check import TOLERANCE, check_gradients, default_nodes, probe
from gradviz.core.compare import compare, parse_setting
from gradviz.core.errors import DeviceError, GraphError
from gradviz.core.examples import example_names, example_path
from gradviz.core.health import health
from gradviz.core.ops import OPS, OpSpec, register

QUIET = [name for name in example_names() if name != "vanishing"]


def flags_of(graph, result=None):
    result = result or graph.run()
    return {n: [f.name for f in flags]
            for n, flags in health(result, {k: v.op for k, v in graph.nodes.items()}).items()}


# ---- the gradient check ---------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_the_check_agrees_on_every_example(name):
    report = check_gradients(gradviz.load(example_path(name)))
    assert report and all(c.ok and c.checked == c.total for c in report.values())
    assert max(c.error.max() for c in report.values()) < TOLERANCE


def test_large_arrays_are_checked_on_a_seeded_sample():
    g = gradviz.Graph()
    g.add("sum", g.add("tanh", g.add("input", id="x", shape=(30, 20))), id="s")
    first = check_gradients(g, max_elements=50)["x"]
    again = check_gradients(g, max_elements=50)["x"]
    assert (first.checked, first.total) == (50, 600) and first.indices == again.indices
    assert len(set(first.indices)) == 50 and first.ok


def test_a_relu_fed_exactly_zero_disagrees_at_a_kink_not_a_bug():
    g = gradviz.Graph()
    g.add("input", id="x", value=np.array([[0.0, 1.5], [-2.0, 0.5]]))
    g.add("sum", g.add("relu", "x", id="r"), id="s")
    c = check_gradients(g)["x"]
    at_zero = c.indices.index((0, 0))
    assert c.error[at_zero] > TOLERANCE and c.kink[at_zero]
    assert c.kink.sum() == 1 and c.ok and c.summary()["kinks"] == 1


@pytest.fixture
def wrong_op():
    """square with a backward rule that is off by a factor (3a·g instead of 2a·g)."""
    spec = register(OpSpec("wrong_square", ("a",), lambda p, a: a,
                           lambda xp, a: a * a, lambda xp, g, out, a: (3 * a * g,),
                           doc="a². Backward: ∂a = 3a·g (wrong on purpose)."))
    yield spec
    del OPS[spec.name]


def test_a_wrong_backward_rule_is_caught_with_node_and_index(wrong_op, capsys, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="x", value=np.array([[0.1, 0.2], [0.3, 2.0]]))
    g.add("sum", g.add("wrong_square", "x", id="w"), id="s")
    c = check_gradients(g)["x"]
    assert not c.ok and c.indices[c.worst] == (1, 1)
    np.testing.assert_allclose(c.numeric, [0.2, 0.4, 0.6, 4.0], rtol=1e-6)
    gradviz.save(g, tmp_path / "wrong.gradviz")
    assert main(["check", str(tmp_path / "wrong.gradviz")]) == 1
    out = capsys.readouterr().out
    assert "x: DISAGREES" in out and "worst at [1, 1]" in out
    assert main(["check", str(tmp_path / "wrong.gradviz"), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["nodes"]["x"]["worst_index"] == [1, 1]


def test_intermediate_nodes_can_be_checked():
    report = check_gradients(gradviz.load(example_path("seed")), nodes=["a", "b"])
    assert set(report) == {"a", "b"} and all(c.ok for c in report.values())


def test_the_check_can_be_cancelled():
    seen = []
    with pytest.raises(GraphError, match="cancelled"):
        check_gradients(gradviz.load(example_path("cnn")),
                        progress=lambda done, total: seen.append(done) or done < 10)
    assert seen[-1] == 10


def test_cli_check_exit_codes(capsys, tmp_path):
    assert main(["check", str(example_path("seed"))]) == 0
    assert "x: agrees on 12 of 12 elements" in capsys.readouterr().out
    (tmp_path / "bad.gradviz").write_text("{")
    assert main(["check", str(tmp_path / "bad.gradviz")]) == 2


# ---- the probe ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_the_probe_predicts_the_change_to_first_order(name):
    g = gradviz.load(example_path(name))
    node = default_nodes(g.run())[0]
    index = (0,) * len(g.run().shapes[node])
    p = probe(g, node, index)
    assert p.predicted == pytest.approx(p.grad * p.eps)
    # first order: what the prediction misses is second order in eps (a tenth of the
    # nudge misses about a hundredth as much), unless it is already at rounding level
    relative = abs(p.difference) / max(abs(p.predicted), 1e-9)
    assert relative < 1e-2
    if relative > 1e-6:
        smaller = probe(g, node, index, eps=p.eps / 10)
        assert abs(smaller.difference) <= 0.02 * abs(p.difference)


def test_cli_probe_prints_predicted_and_actual(capsys):
    assert main(["probe", str(example_path("seed")), "--node", "x", "--index", "1,2",
                 "--eps", "0.01", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    x = gradviz.load(example_path("seed")).run()
    assert doc["index"] == [1, 2] and doc["grad"] == float(x.grad("x")[1, 2])
    assert doc["predicted"] == pytest.approx(0.01 * doc["grad"])
    assert main(["probe", str(example_path("seed")), "--node", "x", "--index", "9,9"]) == 2


# ---- health flags -------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUIET)
def test_health_stays_quiet_on_the_examples(name):
    assert flags_of(gradviz.load(example_path(name))) == {}


def test_the_vanishing_example_lights_the_marks_up():
    flags = flags_of(gradviz.load(example_path("vanishing")))
    assert "vanishing" in flags["x"] and "saturated" in flags["s6"]


def test_health_flags_fire_on_constructed_cases():
    g = gradviz.Graph()
    g.add("input", id="neg", value=-np.ones((2, 2)))
    g.add("input", id="big", value=np.full((2, 2), 1e5))
    g.add("input", id="pos", value=np.full((2, 2), 3.0))
    log = g.add("log", "neg", id="log")
    dead = g.add("relu", "neg", id="dead")
    flat = g.add("tanh", "big", id="flat")
    loud = g.add("mul", "pos", "big", id="loud")
    total = g.add("add", g.add("add", log, dead), g.add("add", flat, loud))
    g.set_target(g.add("sum", total, id="t"))
    flags = flags_of(g)
    assert "nan" in flags["log"] and "dead" in flags["dead"]
    assert "saturated" in flags["flat"] and "exploding" in flags["pos"]
    assert "big" not in flags   # its gradient (3, through the product) is healthy


def test_cli_run_health(capsys):
    assert main(["run", str(example_path("vanishing")), "--health", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "vanishing" in doc["health"]["x"]
    assert main(["run", str(example_path("seed")), "--health"]) == 0
    assert "health: nothing to flag" in capsys.readouterr().out


# ---- comparing two settings ------------------------------------------------------------------


def test_float32_against_float64_differs_by_float32s_precision():
    g = gradviz.load(example_path("cnn"))
    report = compare(g, parse_setting("cpu:float64"), parse_setting("cpu:float32"))
    worst = max(max(d[1] for d in v.values()) for v in report.values())
    assert 1e-9 < worst < 1e-4
    assert "grad" not in report["labels"]   # no gradient reaches the class labels
    same = compare(g, parse_setting("cpu"), parse_setting("cpu:float64"))
    assert all(d == (0.0, 0.0) for v in same.values() for d in v.values())


def test_an_unavailable_setting_says_why(capsys):
    with pytest.raises(DeviceError):
        parse_setting("tpu:float32")
    assert main(["compare", str(example_path("seed")), "--b", "tpu"]) == 2
    assert "unknown device 'tpu'" in capsys.readouterr().err


@pytest.mark.parametrize("seed", range(6))
def test_the_check_agrees_on_random_graphs_with_fan_out_and_broadcasting(seed):
    from tests.core.test_trace import random_graph
    report = check_gradients(random_graph(seed))
    assert report and all(c.ok for c in report.values())


def test_health_of_a_run_holding_nan_and_both_infinities_warns_nothing():
    g = gradviz.Graph()
    g.add("input", id="x", value=[np.inf, -np.inf, 1.0])
    g.set_target(g.add("sum", g.add("mul", "x", "x")))
    result = g.run()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flags = health(result, {n: node.op for n, node in g.nodes.items()})
    assert [f.reason for f in flags["x"]] == ["2 ±Inf in the value", "2 ±Inf in the gradient"]
