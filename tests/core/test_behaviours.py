"""Core behaviours without Qt: fresh ids, ragged preview blocks, silent numeric
warnings, .npy paths relative to the graph file, and files that match the JSON Schema."""
import json
import math
import warnings

import array_api_compat.numpy as xnp
import numpy as np
import pytest

import gradviz
from gradviz.cli import main as cli_main
from gradviz.core import fileformat
from gradviz.core.engine import Engine
from gradviz.core.examples import example_names, example_path
from gradviz.core.preview import make_preview

# ---- fresh ids ----------------------------------------------------------------------


def test_new_id_skips_ids_added_by_hand_and_never_repeats():
    """new_id never hands out an id in use, and two calls give two different ids."""
    g = gradviz.Graph()
    g.add("input", id="x", value=1.0)
    g.add("mul", "x", "x", id="mul1")
    g.add("mul", "x", "x", id="mul3")
    first, second = g.new_id("mul"), g.new_id("mul")
    assert first not in g.nodes and second not in g.nodes
    assert first != second
    assert (first, second) == ("mul2", "mul4")


def test_nodes_added_without_an_id_get_unused_ones():
    """add() without an id fills the gaps around hand-made ids and never collides."""
    g = gradviz.Graph()
    g.add("input", id="x", value=1.0)
    g.add("neg", "x", id="neg1")
    g.add("neg", "x", id="neg3")
    made = [g.add("neg", "x") for _ in range(3)]
    assert made == ["neg2", "neg4", "neg5"]
    assert len(g.nodes) == 6


# ---- previews: ragged edge blocks ------------------------------------------------------


def block_means(a, b):
    """Expected preview: the mean of each b x b block of the last two axes, edge blocks
    holding only what is left (plain slicing, independent of gradviz)."""
    rows, cols = a.shape[-2:]
    out = np.empty(a.shape[:-2] + (math.ceil(rows / b), math.ceil(cols / b)))
    for r in range(out.shape[-2]):
        for c in range(out.shape[-1]):
            out[..., r, c] = a[..., r * b:(r + 1) * b, c * b:(c + 1) * b].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize("shape, max_rows, max_cols, block", [
    ((7, 10), 3, 3, 4),        # 7 = 4 + 3 rows, 10 = 4 + 4 + 2 columns
    ((5, 5), 2, 2, 3),         # 5 = 3 + 2 on both axes
    ((2, 9, 7), 4, 3, 3),      # leading axis kept; 7 = 3 + 3 + 1
])
def test_ragged_edge_cells_are_the_mean_of_what_they_hold(shape, max_rows, max_cols, block):
    """Preview cells on the ragged edges average only their own elements (no zero padding
    in the mean)."""
    a = np.random.default_rng(3).uniform(1.0, 2.0, size=shape) + np.arange(
        math.prod(shape)).reshape(shape)
    preview = make_preview(xnp, np.asarray, a, max_rows, max_cols)
    assert preview.block == (block, block)
    want = block_means(a, block)
    assert preview.data.shape == want.shape
    np.testing.assert_allclose(preview.data, want, rtol=1e-12)
    # The bottom-right cell of 7x10 with block 4 holds a[4:7, 8:10]: 6 elements.
    if shape == (7, 10):
        assert preview.data[1, 2] == pytest.approx(a[4:7, 8:10].mean(), rel=1e-12)


# ---- numeric warnings stay inside runs ----------------------------------------------


def overflow_graph():
    g = gradviz.Graph()
    g.add("input", id="x", value=[0.0, -1.0, 2.0])
    g.add("log", "x", id="lg")                         # log(0), log(-1)
    g.add("input", id="z", value=[0.0, 1.0])
    g.add("div", "z", "z", id="q")                     # 0 / 0
    g.add("input", id="big", value=[1000.0, 0.0])
    g.add("exp", "big", id="e")                        # exp overflow
    g.add("add", g.add("add", g.add("sum", "lg"), g.add("sum", "q")), g.add("sum", "e"),
          id="total")
    g.set_target("total")
    return g


@pytest.mark.parametrize("how", ["graph.run", "Engine.run"])
def test_log0_zero_by_zero_and_overflow_warn_nothing(how):
    """-inf, NaN and inf come out of a run as values, and no RuntimeWarning escapes even
    where warnings are errors."""
    g = overflow_graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = g.run() if how == "graph.run" else Engine().run(g)
    lg = r.value("lg")
    assert lg[0] == -np.inf and np.isnan(lg[1]) and lg[2] == pytest.approx(math.log(2.0))
    assert np.isnan(r.value("q")[0]) and r.value("q")[1] == 1.0
    assert r.value("e")[0] == np.inf and r.value("e")[1] == 1.0
    assert r.grad("x")[0] == np.inf        # d log(x) = 1/x at 0
    assert r.grad("big")[0] == np.inf      # d exp(x) = exp(x), overflowed
    assert np.isnan(float(r.value("total")))


# ---- .npy paths relative to the graph file ------------------------------------------


@pytest.fixture
def npy_graph(tmp_path):
    """data/g.gradviz with an input reading "arr.npy" (relative), next to data/arr.npy."""
    folder = tmp_path / "data"
    folder.mkdir()
    arr = np.arange(6.0).reshape(2, 3) / 7
    np.save(folder / "arr.npy", arr)
    g = gradviz.Graph()
    g.base_dir = str(folder)      # so that the shapes can be checked while building
    g.add("input", id="x", source="npy", path="arr.npy")
    g.add("sum", "x", id="s")
    gradviz.save(g, folder / "g.gradviz")
    assert json.loads((folder / "g.gradviz").read_text())["nodes"][0]["params"]["path"] \
        == "arr.npy"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    np.save(elsewhere / "arr.npy", np.full((2, 3), -1.0))   # a decoy in the working dir
    return folder / "g.gradviz", arr, elsewhere


def test_npy_path_is_relative_to_the_graph_file_in_the_api(npy_graph, monkeypatch):
    """A relative .npy path is read from the graph file's folder, not the working dir."""
    path, arr, elsewhere = npy_graph
    monkeypatch.chdir(elsewhere)
    r = gradviz.load(path).run()
    np.testing.assert_array_equal(r.value("x"), arr)
    assert float(r.value("s")) == pytest.approx(arr.sum())


def test_npy_path_is_relative_to_the_graph_file_on_the_command_line(npy_graph, monkeypatch,
                                                                    capsys):
    """`gradviz run FILE --json` from another folder reads the .npy beside FILE."""
    path, arr, elsewhere = npy_graph
    monkeypatch.chdir(elsewhere)
    assert cli_main(["run", "../data/g.gradviz", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["nodes"]["x"]["value"] == arr.tolist()
    assert doc["nodes"]["s"]["value"] == pytest.approx(arr.sum())


# ---- saved files match the JSON Schema -------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    schema = json.loads((example_path("seed").parent.parent / "schema" /
                         "gradviz-1.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", example_names())
def test_every_example_saved_by_gradviz_matches_the_schema(name, tmp_path, validator):
    """What gradviz.save writes (not just the bundled files) validates."""
    path = tmp_path / f"{name}.gradviz"
    gradviz.save(gradviz.load(example_path(name)), path)
    validator.validate(json.loads(path.read_text()))


def test_non_finite_arrays_params_and_labels_match_the_schema(tmp_path, validator):
    """NaN/Inf arrays (base64), float params of nan/inf and labels all validate."""
    g = gradviz.Graph()
    g.add("input", id="x", value=np.array([[np.nan, np.inf], [-np.inf, 1.5]]),
          label="weights ∂ (raw)", pos=(-12.5, 40))
    g.add("input", id="n", source="fill", fill=float("nan"), shape=(2, 2), label="n")
    g.add("input", id="p", source="fill", fill=float("inf"), shape=(2, 2))
    g.add("input", id="m", source="fill", fill=float("-inf"), shape=(2, 2), label="")
    g.add("pow", "x", id="pw", exponent=float("nan"), label="power")
    g.add("add", g.add("add", "pw", "n"), g.add("add", "p", "m"), id="out", label="out")
    g.set_target("out")
    g.description = "non-finite everything"
    path = tmp_path / "nonfinite.gradviz"
    gradviz.save(g, path)
    doc = json.loads(path.read_text())
    validator.validate(doc)
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert "base64" in nodes["x"]["params"]["value"]
    assert nodes["n"]["params"]["fill"] == "nan" and nodes["p"]["params"]["fill"] == "inf"
    assert nodes["m"]["params"]["fill"] == "-inf" and nodes["pw"]["params"]["exponent"] == "nan"
    assert nodes["x"]["label"] == "weights ∂ (raw)"
    again = fileformat.loads(path.read_text())
    assert again.nodes["x"].params["value"].tobytes() == g.nodes["x"].params["value"].tobytes()
