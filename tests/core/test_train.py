"""Training: the optimizers against PyTorch's torch.optim and against a NumPy reference
written here, determinism, what the graph holds afterwards, the file and the CLI."""
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.core import fileformat
from gradviz.core.engine import Engine
from gradviz.core.errors import GraphError, GraphFileError, GraphFileWarning
from gradviz.core.examples import example_path
from gradviz.core.optim import TrainSettings
from gradviz.core.train import Trainer, train

WEIGHTS = ("W1", "b1", "W2", "b2")
SETTINGS = {"sgd": dict(lr=0.1), "momentum": dict(lr=0.05, momentum=0.9),
            "adam": dict(lr=0.01)}


def mlp():
    return gradviz.load(example_path("mlp"))


def arrays(graph):
    return {k: np.array(graph.nodes[k].params["value"]) for k in ("X", "labels", *WEIGHTS)}


# ---- a NumPy reference, written from the formulas -----------------------------------
def numpy_loss_and_grads(a):
    z1 = a["X"] @ a["W1"] + a["b1"]
    h = np.maximum(z1, 0)
    logits = h @ a["W2"] + a["b2"]
    n = len(logits)
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    onehot = np.eye(logits.shape[1])[a["labels"].astype(int)]
    loss = -np.mean(np.sum(onehot * np.log(p), axis=1))
    d_logits = (p - onehot) / n
    d_h = d_logits @ a["W2"].T
    d_z1 = d_h * (z1 > 0)
    return loss, {"W2": h.T @ d_logits, "b2": d_logits.sum(axis=0, keepdims=True),
                  "W1": a["X"].T @ d_z1, "b1": d_z1.sum(axis=0, keepdims=True)}


def numpy_training(a, optimizer, steps, lr, momentum=0.9, betas=(0.9, 0.999), eps=1e-8):
    a = {k: v.copy() for k, v in a.items()}
    state = {k: {} for k in WEIGHTS}
    losses = []
    for t in range(1, steps + 1):
        loss, grads = numpy_loss_and_grads(a)
        losses.append(loss)
        for k in WEIGHTS:
            g, s = grads[k], state[k]
            if optimizer == "sgd":
                a[k] = a[k] - lr * g
            elif optimizer == "momentum":
                s["b"] = g if t == 1 else momentum * s["b"] + g
                a[k] = a[k] - lr * s["b"]
            else:
                s["m"] = betas[0] * s.get("m", 0) + (1 - betas[0]) * g
                s["v"] = betas[1] * s.get("v", 0) + (1 - betas[1]) * g ** 2
                m_hat, v_hat = s["m"] / (1 - betas[0] ** t), s["v"] / (1 - betas[1] ** t)
                a[k] = a[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return losses, a


@pytest.mark.parametrize("optimizer", list(SETTINGS))
def test_optimizers_equal_a_numpy_reference(optimizer):
    g = mlp()
    start = arrays(g)
    result = train(g, steps=20, optimizer=optimizer, lr=SETTINGS[optimizer]["lr"])
    losses, final = numpy_training(start, optimizer, 20, **SETTINGS[optimizer])
    np.testing.assert_allclose(result.loss, losses, rtol=1e-10, atol=1e-12)
    for k in WEIGHTS:
        np.testing.assert_allclose(g.nodes[k].params["value"], final[k], rtol=1e-10,
                                   atol=1e-12)
    assert result.loss[-1] < result.loss[0]


@pytest.mark.parametrize("optimizer", list(SETTINGS))
def test_optimizers_equal_torch_optim(optimizer):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed here (it is not "
                                                "a dependency); the NumPy reference runs")
    g = mlp()
    start = arrays(g)
    result = train(g, steps=20, optimizer=optimizer, lr=SETTINGS[optimizer]["lr"])
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k in WEIGHTS)
         for k, v in start.items()}
    params = [t[k] for k in WEIGHTS]
    make = {"sgd": lambda: torch.optim.SGD(params, lr=0.1),
            "momentum": lambda: torch.optim.SGD(params, lr=0.05, momentum=0.9),
            "adam": lambda: torch.optim.Adam(params, lr=0.01)}
    opt = make[optimizer]()
    losses = []
    for _ in range(20):
        opt.zero_grad()
        logits = torch.relu(t["X"] @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
        loss = torch.nn.functional.cross_entropy(logits, t["labels"].long())
        loss.backward()
        losses.append(loss.item())
        opt.step()
    np.testing.assert_allclose(result.loss, losses, rtol=1e-10, atol=1e-12)
    for k in WEIGHTS:
        np.testing.assert_allclose(g.nodes[k].params["value"], t[k].detach().numpy(),
                                   rtol=1e-10, atol=1e-12)


def test_training_is_deterministic_bit_for_bit():
    first, second = mlp(), mlp()
    a, b = train(first, steps=30), train(second, steps=30)
    assert a.loss == b.loss
    for k in WEIGHTS:
        assert first.nodes[k].params["value"].tobytes() == \
            second.nodes[k].params["value"].tobytes()


def test_trained_sources_become_values_and_the_rest_keep_theirs():
    g = gradviz.Graph()
    g.add("input", id="w", source="randn", seed=3, shape=(3,), trainable=True)
    g.add("input", id="unused", source="fill", fill=2.0, shape=(3,), trainable=True)
    g.add("input", id="data", source="fill", fill=1.5, shape=(3,))
    g.set_target(g.add("sum", g.add("mul", g.add("mul", "w", "w"), "data"), id="loss"))
    g.add("neg", "unused")
    before = g.run().value("w").copy()
    result = train(g, steps=5, optimizer="sgd", lr=0.1)
    assert g.nodes["w"].params["source"] == "value"
    assert g.nodes["w"].params["trainable"] is True
    # d/dw sum(1.5 w²) = 3w: five steps multiply w by (1 - 0.3) each
    np.testing.assert_allclose(g.nodes["w"].params["value"], before * 0.7 ** 5, rtol=1e-14)
    assert g.nodes["unused"].params == {"source": "fill", "fill": 2.0, "shape": (3,),
                                        "trainable": True}
    assert g.nodes["data"].params["source"] == "fill"
    assert result.run.revision == g.revision
    np.testing.assert_allclose(result.final_loss, np.sum(1.5 * (before * 0.7 ** 5) ** 2))


def test_loss_is_the_sum_of_the_target_before_each_update():
    g = gradviz.Graph()
    g.add("input", id="w", value=[1.0, -2.0], trainable=True)
    g.set_target(g.add("mul", "w", "w", id="sq"))   # not a scalar: the loss is its sum
    result = train(g, steps=3, optimizer="sgd", lr=0.25)
    w = np.array([1.0, -2.0])
    expected = []
    for _ in range(3):
        expected.append(float(np.sum(w * w)))
        w = w - 0.25 * 2 * w
    assert result.loss == expected
    assert result.grad_norms["w"][0] == pytest.approx(math.hypot(2.0, -4.0))


def test_trainer_runs_with_its_values_and_leaves_the_graph_alone():
    g = mlp()
    revision, before = g.revision, arrays(g)
    trainer = Trainer(g, TrainSettings(optimizer="sgd", lr=0.1))
    trainer.run(5)
    assert g.revision == revision and arrays(g)["W1"].tobytes() == before["W1"].tobytes()
    shown = trainer.result()
    assert not np.array_equal(shown.value("W1"), before["W1"])
    assert len(trainer.history) == 5 and len(trainer.history.grad_norms["b2"]) == 5
    # an ordinary run of the same graph still reads the params
    np.testing.assert_array_equal(Engine().run(g).value("W1"), before["W1"])


def test_trainer_refuses_a_changed_graph():
    g = mlp()
    trainer = Trainer(g)
    trainer.step()
    g.set_pos("X", (5.0, 5.0))   # moving a node changes no number
    trainer.step()
    g.set_params("X", {**g.nodes["X"].params, "value": np.ones((8, 4))})
    with pytest.raises(GraphError, match="the graph changed since training started"):
        trainer.step()


def test_nothing_to_train_and_targets_that_do_not_depend_on_it():
    g = gradviz.load(example_path("seed"))
    with pytest.raises(GraphError, match="no input is marked trainable"):
        train(g, steps=1)
    g = mlp()
    for k in WEIGHTS:
        g.set_params(k, {**g.nodes[k].params, "trainable": False})
    g.set_params("labels", {**g.nodes["labels"].params, "trainable": True})
    with pytest.raises(GraphError, match="'loss' does not depend on any trainable input "
                                         r"\(labels\)"):
        train(g, steps=1)


def test_settings_are_checked():
    for bad, message in ((dict(optimizer="rmsprop"), "optimizer must be one of"),
                         (dict(lr=0.0), "lr must be in"), (dict(lr=math.nan), "lr must be"),
                         (dict(momentum=1.0), r"momentum must be in \[0, 1\)"),
                         (dict(beta2=-0.1), "beta2"), (dict(eps=0.0), "eps"),
                         (dict(steps=0), "steps must be"), (dict(steps=2.5), "steps must")):
        with pytest.raises(ValueError, match=message):
            TrainSettings(**bad)
    with pytest.raises(GraphError, match="lr must be"):
        train(mlp(), steps=1, lr=-1.0)


# ---- the file ---------------------------------------------------------------------
def test_trainable_and_settings_round_trip_and_need_format_1_1():
    g = gradviz.load(example_path("seed"))
    assert json.loads(fileformat.dumps(g))["version"] == [1, 0]
    assert "trainable" not in fileformat.dumps(g)
    g.set_params("x", {**g.nodes["x"].params, "trainable": True})
    assert json.loads(fileformat.dumps(g))["version"] == [1, 1]
    settings = TrainSettings(optimizer="momentum", lr=0.5, momentum=0.8, steps=42)
    g.set_training(settings)
    doc = json.loads(fileformat.dumps(g))
    assert doc["training"] == {"optimizer": "momentum", "lr": 0.5, "momentum": 0.8,
                               "steps": 42}
    back = fileformat.loads(fileformat.dumps(g))
    assert back.training == settings and back.nodes["x"].params["trainable"] is True


def test_a_file_with_only_settings_is_1_1_and_bad_settings_are_refused():
    g = gradviz.load(example_path("seed"))
    g.set_training(TrainSettings(lr=0.3))
    doc = json.loads(fileformat.dumps(g))
    assert doc["version"] == [1, 1] and doc["training"] == {"lr": 0.3}
    for bad, message in (({"lr": -1}, "training: lr must be in"),
                         ({"speed": 2}, "training: unknown setting 'speed'"),
                         ({"steps": "many"}, "training: steps must be"),
                         ([1], "training: expected an object")):
        doc["training"] = bad
        with pytest.raises(GraphFileError, match=message):
            fileformat.loads(json.dumps(doc))


def test_a_newer_minor_version_drops_params_it_does_not_know_with_a_warning():
    doc = json.loads(fileformat.dumps(gradviz.load(example_path("seed"))))
    doc["version"] = [1, 7]
    doc["nodes"][0]["params"]["glow"] = 3
    with pytest.warns(GraphFileWarning, match="file format 1.7 is newer"):
        g = fileformat.loads(json.dumps(doc))
    assert "glow" not in g.nodes[doc["nodes"][0]["id"]].params
    doc["version"] = [1, 1]
    with pytest.raises(GraphFileError, match="has no param 'glow'"):
        fileformat.loads(json.dumps(doc))


# ---- the command line --------------------------------------------------------------
def gradviz_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradviz", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_cli_trains_prints_and_writes(tmp_path):
    out = tmp_path / "trained.gradviz"
    done = gradviz_cli("train", str(example_path("mlp")), "--steps", "40", "-o", str(out))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("step  1  loss ") and lines[-1].startswith("trained 40 steps")
    assert "Adam, lr 0.01" in lines[-1]
    trained = gradviz.load(out)
    expected = mlp()
    api = train(expected, steps=40)
    for k in WEIGHTS:
        np.testing.assert_array_equal(trained.nodes[k].params["value"],
                                      expected.nodes[k].params["value"])
    assert float(lines[-1].rsplit("-> ", 1)[1]) == pytest.approx(api.final_loss, rel=1e-5)


def test_cli_json_matches_the_api():
    done = gradviz_cli("train", str(example_path("mlp")), "--steps", "7", "--optimizer",
                       "sgd", "--lr", "0.2", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["steps"] == 7 and report["seconds"] > 0 and report["stopped"] is None
    api = train(mlp(), steps=7, optimizer="sgd", lr=0.2)
    assert report["loss"] == api.loss and report["final_loss"] == api.final_loss


@pytest.mark.parametrize("make_args, message", [
    (lambda tmp: [str(example_path("seed"))], "no input is marked trainable"),
    (lambda tmp: [str(tmp / "missing.gradviz")], "missing.gradviz"),
    (lambda tmp: [str(tmp / "labels.gradviz")], "does not depend on any trainable input"),
    (lambda tmp: [str(example_path("mlp")), "--lr", "-2"], "lr must be in"),
])
def test_cli_refuses_with_one_line(tmp_path, make_args, message):
    g = mlp()
    for k in WEIGHTS:
        g.set_params(k, {**g.nodes[k].params, "trainable": False})
    g.set_params("labels", {**g.nodes["labels"].params, "trainable": True})
    gradviz.save(g, tmp_path / "labels.gradviz")
    done = gradviz_cli("train", *make_args(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("gradviz: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_bad_steps_is_a_usage_error():
    done = gradviz_cli("train", str(example_path("mlp")), "--steps", "0")
    assert done.returncode == 2 and "--steps: must be a whole number" in done.stderr


def test_no_warning_escapes_a_training_that_overflows():
    g = gradviz.Graph()
    g.add("input", id="w", value=[1e200], trainable=True)
    g.set_target(g.add("mul", "w", "w"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train(g, steps=3, optimizer="sgd", lr=1.0)
    assert math.isinf(result.loss[0])


def test_files_using_the_new_sources_are_format_1_1():
    for params in (dict(source="dataset", which="xor"), dict(source="grid", resolution=4)):
        g = gradviz.Graph()
        g.add("input", id="p", **params)
        doc = json.loads(fileformat.dumps(g))
        assert doc["version"] == [1, 1]
        assert fileformat.loads(fileformat.dumps(g)).nodes["p"].params == g.nodes["p"].params


def test_training_that_goes_on_equals_training_without_a_pause():
    straight, paused = mlp(), mlp()
    train(straight, steps=12)
    first = Trainer(paused)
    first.run(5)
    for node_id, params in first.trained_params().items():
        paused.set_params(node_id, params)
    second = Trainer(paused, going_on=first)
    second.run(7)
    assert second.history.loss == train(mlp(), steps=12).loss
    for node_id, params in second.trained_params().items():
        assert params["value"].tobytes() == straight.nodes[node_id].params["value"].tobytes()


def test_the_playground_learns_the_moons_with_its_shipped_settings():
    g = gradviz.load(example_path("playground"))
    assert g.training.optimizer == "adam" and g.training.steps == 1000
    result = train(g)
    assert min(result.loss) < 0.1
    first_below = next(i for i, loss in enumerate(result.loss, 1) if loss < 0.1)
    assert first_below < 200   # the description says "within about 75 Adam steps"
    run = result.run
    points, labels = run.value("points"), run.value("labels")
    assert (np.argmax(run.value("z3"), axis=1) == labels).mean() == 1.0
    # the boundary separates the moons: its sign at each point's grid cell is its label
    params = g.nodes["grid"].params
    low, high, res = params["low"], params["high"], params["resolution"]
    cols = np.rint((points[:, 0] - low) / (high - low) * (res - 1)).astype(int)
    rows = np.rint((high - points[:, 1]) / (high - low) * (res - 1)).astype(int)
    said = run.value("boundary")[rows, cols] > 0
    assert (said == (labels == 1)).mean() >= 0.97


def test_a_loss_that_becomes_nan_stops_training_and_says_so(tmp_path):
    g = mlp()
    result = train(g, steps=200, optimizer="sgd", lr=1e6)
    assert result.steps < 200 and not math.isfinite(result.loss[-1])
    assert all(math.isfinite(x) for x in result.loss[:-1])
    assert result.stopped.startswith(f"the loss became {result.loss[-1]} at step "
                                     f"{result.steps}; training stopped")
    path = tmp_path / "mlp.gradviz"
    gradviz.save(mlp(), path)
    done = gradviz_cli("train", str(path), "--optimizer", "sgd", "--lr", "1e6",
                       "--steps", "200", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["steps"] == result.steps and report["stopped"] == result.stopped
    assert done.stderr == f"gradviz: warning: {result.stopped}\n"


def test_cli_refuses_an_output_folder_that_does_not_exist_before_training(tmp_path):
    done = gradviz_cli("train", str(example_path("mlp")), "--steps", "1000000",
                       "-o", str(tmp_path / "no" / "such" / "out.gradviz"))
    assert done.returncode == 2 and "its folder does not exist" in done.stderr


@pytest.mark.parametrize("optimizer", list(SETTINGS))
def test_updates_stay_in_the_array_namespace_on_the_runs_device(optimizer):
    """array-api-strict on a non-default device refuses NumPy calls and arrays from
    another device: training there equals training on the CPU."""
    from tests.helpers import strict_device
    strict, cpu = mlp(), mlp()
    on_strict = train(strict, steps=5, optimizer=optimizer, device=strict_device(),
                      lr=SETTINGS[optimizer]["lr"])
    on_cpu = train(cpu, steps=5, optimizer=optimizer, lr=SETTINGS[optimizer]["lr"])
    np.testing.assert_allclose(on_strict.loss, on_cpu.loss, rtol=1e-13)
    for k in WEIGHTS:
        np.testing.assert_allclose(strict.nodes[k].params["value"],
                                   cpu.nodes[k].params["value"], rtol=1e-12, atol=1e-15)
