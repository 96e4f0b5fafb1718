"""The .gradviz format: exact round trips, atomic saves, and a clear error for every
kind of bad file."""
import json
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradviz
from gradviz import GraphFileError
from gradviz.core import fileformat
from gradviz.core.errors import GraphFileWarning
from gradviz.core.examples import example_names, example_path

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -2.2250738585072014e-308,
                    1.7976931348623157e308, 0.1, 1 / 3])


def roundtrip(graph, tmp_path):
    path = tmp_path / "g.gradviz"
    gradviz.save(graph, path)
    return gradviz.load(path)


@pytest.mark.parametrize("value", [
    SPECIAL, SPECIAL.reshape(2, 5), np.float64(-0.0), np.array(np.nan), np.zeros((0, 3)),
    np.random.default_rng(1).standard_normal((3, 4, 5)), np.arange(12.0) / 7,
], ids=["special", "special-2d", "neg-zero-0d", "nan-0d", "empty", "random-3d", "sevenths"])
def test_arrays_round_trip_bit_for_bit(value, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="x", value=value, label="ex", pos=(12.5, -3))
    node = roundtrip(g, tmp_path).nodes["x"]
    loaded = node.params["value"]
    assert loaded.shape == np.shape(value)
    assert loaded.tobytes() == np.asarray(value, dtype=np.float64).tobytes()
    assert node.label == "ex" and node.pos == (12.5, -3.0)


def test_non_finite_values_are_standard_json(tmp_path):
    g = gradviz.Graph()
    g.add("input", id="x", value=SPECIAL)
    g.add("input", id="f", source="fill", fill=float("-inf"), shape=(2,))
    text = fileformat.dumps(g)
    json.loads(text, parse_constant=lambda t: pytest.fail(f"bare {t} in output"))
    assert roundtrip(g, tmp_path).nodes["f"].params["fill"] == float("-inf")


def test_whole_graph_round_trips(tmp_path):
    g = gradviz.load(example_path("seed"))
    again = roundtrip(g, tmp_path)
    assert fileformat.dumps(again) == fileformat.dumps(g)
    assert again.target == "c" and again.description == g.description
    assert float(again.run().value("c")) == 6.770325017108724


@pytest.mark.parametrize("name", example_names())
def test_examples_match_the_json_schema(name):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    schema = json.loads((example_path("seed").parent.parent / "schema" /
                         "gradviz-1.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(example_path(name).read_text()))


def seed_doc():
    return json.loads(example_path("seed").read_text())


def mutated(change):
    doc = seed_doc()
    change(doc)
    return json.dumps(doc)


BAD = {
    "truncated": (example_path("seed").read_text()[:200], "not valid JSON: .* line"),
    "not json": ("hello", "not valid JSON"),
    "binary": (b"\xff\xfe\x00junk", "not UTF-8"),
    "bare NaN": ('{"format": "gradviz", "x": NaN}', "bare NaN is not valid JSON"),
    "bare Infinity": ('[Infinity]', "bare Infinity is not valid JSON"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "not an object": ("[1, 2]", "document: expected an object, found an array"),
    "other format": ('{"format": "png"}', "not a gradviz file"),
    "no version": (mutated(lambda d: d.pop("version")), "version: expected \\[major, minor\\]"),
    "newer major": (mutated(lambda d: d.update(version=[2, 0])),
                    "written by a newer gradviz \\(file format 2.0"),
    "missing nodes": (mutated(lambda d: d.pop("nodes")), "document: missing field 'nodes'"),
    "unknown field": (mutated(lambda d: d.update(colour=1)), "unknown field 'colour'"),
    "nodes not a list": (mutated(lambda d: d.update(nodes={})), "nodes: expected an array"),
    "id wrong type": (mutated(lambda d: d["nodes"][1].update(id=7)),
                      "nodes\\[1\\].id: expected a string, found a number"),
    "unknown op": (mutated(lambda d: d["nodes"][3].update(op="conv9d")),
                   "nodes\\[3\\].op: unknown op 'conv9d'"),
    "duplicate id": (mutated(lambda d: d["nodes"][1].update(id="x")),
                     "nodes\\[1\\].id: duplicate id 'x'"),
    "bad param": (mutated(lambda d: d["nodes"][0]["params"].update(seed=-1)),
                  "nodes\\[0\\].*seed must be at least 0"),
    "unknown param": (mutated(lambda d: d["nodes"][5]["params"].update(keepdim=True)),
                      "nodes\\[5\\].params: sum has no param 'keepdim'"),
    "huge shape": (mutated(lambda d: d["nodes"][0]["params"].update(shape=[10**6, 10**6])),
                   "nodes\\[0\\].*elements; the limit is"),
    "edge to nowhere": (mutated(lambda d: d["edges"][0].update(to="ghost")),
                        "edges\\[0\\].to: no node 'ghost'"),
    "bad port": (mutated(lambda d: d["edges"][0].update(port="q")),
                 "edges\\[0\\]: node 'a' \\(mul\\) has no input 'q'"),
    "port twice": (mutated(lambda d: d["edges"][1].update(port="a")),
                   "edges\\[1\\]: input a.a is connected twice"),
    # b feeds a.a instead of x, so a → b.a (edges[2]) closes the loop a → b → a.
    "cycle": (mutated(lambda d: d["edges"][0].update({"from": "b"})),
              "edges\\[2\\]: connecting a → b.a would make a cycle"),
    "target missing": (mutated(lambda d: d.update(target="nope")), "target: no node 'nope'"),
    "bad pos": (mutated(lambda d: d["nodes"][0].update(pos=[1])), "nodes\\[0\\].pos"),
}


def array_doc(array):
    return json.dumps({"format": "gradviz", "version": [1, 0], "edges": [], "nodes": [
        {"id": "x", "op": "input", "params": {"source": "value", "value": array}}]})


BAD_ARRAYS = {
    "ragged": ({"dtype": "float64", "shape": [2, 2], "data": [[1, 2], [3]]},
               "expected nested lists of shape \\[2, 2\\]; level 1 has 1 entries"),
    "string element": ({"dtype": "float64", "shape": [2], "data": [1, "2"]},
                       "expected numbers, found a string"),
    "boolean element": ({"dtype": "float64", "shape": [1], "data": [True]},
                        "expected numbers, found a boolean"),
    "declared huge": ({"dtype": "float64", "shape": [2**20, 2**20], "base64": ""},
                      "elements; the limit is"),
    "base64 short": ({"dtype": "float64", "shape": [4], "base64": "AAAA"},
                     "length does not match shape \\[4\\]"),
    "base64 junk": ({"dtype": "float64", "shape": [1], "base64": "!!!!!!!!!!!!"},
                    "not valid base64"),
    "int dtype": ({"dtype": "int64", "shape": [1], "data": [1]}, "dtype: expected \"float64\""),
    "both encodings": ({"dtype": "float64", "shape": [1], "data": [1], "base64": "x"},
                       "exactly one of 'data' and 'base64'"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_files_get_their_own_clear_error(name, tmp_path):
    text, message = BAD[name]
    path = tmp_path / "bad.gradviz"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(GraphFileError, match=message) as e:
        gradviz.load(path)
    assert str(e.value).startswith("bad.gradviz: ")


@pytest.mark.parametrize("name", list(BAD_ARRAYS))
def test_bad_arrays_get_their_own_clear_error(name):
    array, message = BAD_ARRAYS[name]
    with pytest.raises(GraphFileError, match="nodes\\[0\\].params.value.*" + message):
        fileformat.loads(array_doc(array))


def test_cycle_in_file_is_refused():
    doc = {"format": "gradviz", "version": [1, 0], "nodes": [
        {"id": "x", "op": "input", "params": {"value": {"dtype": "float64", "shape": [],
                                                        "data": 1.0}}},
        {"id": "p", "op": "add"}, {"id": "q", "op": "add"}],
        "edges": [{"from": "x", "to": "p", "port": "a"}, {"from": "p", "to": "q", "port": "a"},
                  {"from": "q", "to": "p", "port": "b"}]}
    with pytest.raises(GraphFileError, match="edges\\[2\\]: connecting q → p.b would make a cycle"):
        fileformat.loads(json.dumps(doc))


def test_newer_minor_version_loads_with_a_warning():
    text = mutated(lambda d: (d.update(version=[1, 7], colour="red"),
                              d["nodes"][0].update(glow=True)))
    with pytest.warns(GraphFileWarning, match="1.7 is newer"):
        g = fileformat.loads(text)
    assert float(g.run().value("c")) == 6.770325017108724


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(fileformat, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.gradviz"
    path.write_text(" " * 200)
    with pytest.raises(GraphFileError, match="gradviz reads files up to"):
        gradviz.load(path)


def test_save_keeps_a_backup(tmp_path):
    path = tmp_path / "g.gradviz"
    g = gradviz.load(example_path("seed"))
    gradviz.save(g, path)
    first = path.read_bytes()
    g.set_label("x", "renamed")
    gradviz.save(g, path)
    assert (tmp_path / "g.gradviz.bak").read_bytes() == first
    assert gradviz.load(path).nodes["x"].label == "renamed"


@pytest.mark.parametrize("failure", ["serializer", "write", "rename"])
def test_failed_save_leaves_old_file_identical(failure, tmp_path, monkeypatch):
    path = tmp_path / "g.gradviz"
    g = gradviz.load(example_path("seed"))
    gradviz.save(g, path)
    before = path.read_bytes()
    g.set_label("x", "changed")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")
    target = {"serializer": (fileformat, "dumps"), "write": (os, "fsync"),
              "rename": (os, "replace")}[failure]
    if failure == "serializer":
        monkeypatch.setattr(*target, lambda *a: (_ for _ in ()).throw(ValueError("broken")))
        with pytest.raises(ValueError):
            gradviz.save(g, path)
    else:
        monkeypatch.setattr(*target, boom)
        with pytest.raises(GraphFileError, match="cannot save .*No space left"):
            gradviz.save(g, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) in (
        ["g.gradviz"], ["g.gradviz", "g.gradviz.bak"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_raise_only_graph_file_error(data):
    """Bounded mutation fuzz: flip, drop or insert bytes of a valid file."""
    raw = bytearray(example_path("seed").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "drop", "insert"]))
        if action == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif action == "drop":
            del raw[i]
        else:
            raw.insert(i, data.draw(st.sampled_from(b'{}[]",:0-9eE.aN')))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GraphFileWarning)
        try:
            fileformat.loads(bytes(raw))
        except GraphFileError:
            pass


def test_package_never_unpickles_or_evaluates():
    import pathlib
    import re
    root = pathlib.Path(gradviz.__file__).parent
    forbidden = re.compile(r"allow_pickle\s*=\s*True|\bpickle\b|(?<![.\w])(eval|exec)\(")
    sources = list(root.rglob("*.py"))
    assert len(sources) > 10
    for source in sources:
        match = forbidden.search(source.read_text())
        assert match is None, f"{match.group(0)!r} in {source.name}"


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [0.0, -0.0, 5e-324, 1e308])


@st.composite
def graphs(draw):
    """Chains of inputs and unary/binary ops with arbitrary float64 arrays."""
    g = gradviz.Graph()
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    size = int(np.prod(shape))
    values = draw(st.lists(FLOATS, min_size=size, max_size=size))
    prev = g.add("input", value=np.array(values, dtype=float).reshape(shape),
                 label=draw(st.text(max_size=5)), pos=(draw(st.integers(-500, 500)), 0.5))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["add", "mul", "neg", "tanh", "square", "pow"]))
        if op in ("add", "mul"):
            other = g.add("input", source="fill", fill=draw(FLOATS), shape=shape)
            prev = g.add(op, prev, other)
        elif op == "pow":
            prev = g.add(op, prev, exponent=draw(FLOATS))
        else:
            prev = g.add(op, prev)
    if draw(st.booleans()):
        g.set_target(prev)
    return g


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_generated_graphs_round_trip_exactly(graph):
    text = fileformat.dumps(graph)
    again = fileformat.loads(text)
    assert fileformat.dumps(again) == text
    for node_id, node in graph.nodes.items():
        other = again.nodes[node_id]
        assert (other.op, other.label, other.pos) == (node.op, node.label, node.pos)
        for key, value in node.params.items():
            if isinstance(value, np.ndarray):
                assert other.params[key].tobytes() == value.tobytes()
            else:
                assert repr(other.params[key]) == repr(value)


def test_saving_elsewhere_rewrites_relative_npy_paths_only(tmp_path):
    """Relative paths keep naming the same file from the new file's folder; absolute
    ones stay as written; an autosave (relocate=False) keeps them as they are."""
    (tmp_path / "a" / "data").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    np.save(tmp_path / "a" / "data" / "x.npy", np.ones((2, 3)))
    absolute = str(tmp_path / "a" / "data" / "x.npy")
    graph = gradviz.Graph()
    graph.base_dir = str(tmp_path / "a")
    graph.add("input", id="rel", source="npy", path="data/x.npy")
    graph.add("input", id="abs", source="npy", path=absolute)
    fileformat.save(graph, tmp_path / "b" / "g.gradviz")
    moved = gradviz.load(tmp_path / "b" / "g.gradviz")
    assert moved.nodes["rel"].params["path"] == os.path.join("..", "a", "data", "x.npy")
    assert moved.nodes["abs"].params["path"] == absolute
    np.testing.assert_array_equal(moved.run(target="rel").value("rel"), np.ones((2, 3)))
    fileformat.save(graph, tmp_path / "b" / "auto.gradviz", relocate=False)
    kept = gradviz.load(tmp_path / "b" / "auto.gradviz", base_dir=str(tmp_path / "a"))
    assert kept.nodes["rel"].params["path"] == "data/x.npy"
    np.testing.assert_array_equal(kept.run(target="rel").value("rel"), np.ones((2, 3)))


def test_collapsed_nodes_round_trip_in_format_1_1():
    g = gradviz.load(example_path("seed"))
    g.set_collapsed("a", True)
    doc = json.loads(fileformat.dumps(g))
    assert doc["version"] == [1, 1]
    assert [n.get("collapsed") for n in doc["nodes"]].count(True) == 1
    assert fileformat.loads(fileformat.dumps(g)).nodes["a"].collapsed
    assert g.copy().nodes["a"].collapsed
    doc["nodes"][0]["collapsed"] = "yes"
    with pytest.raises(GraphFileError, match=r"nodes\[0\].collapsed: expected true "
                                                     "or false"):
        fileformat.loads(json.dumps(doc))


def test_node_sizes_round_trip_in_format_1_1():
    g = gradviz.load(example_path("seed"))
    assert json.loads(fileformat.dumps(g))["version"] == [1, 0]
    g.set_size("a", (320, 260.5))
    doc = json.loads(fileformat.dumps(g))
    assert doc["version"] == [1, 1]
    assert [n.get("size") for n in doc["nodes"] if "size" in n] == [[320.0, 260.5]]
    assert fileformat.loads(fileformat.dumps(g)).nodes["a"].size == (320.0, 260.5)
    assert g.copy().nodes["a"].size == (320.0, 260.5)
    for bad in ("big", [320], [0, 100], [320, float("nan")], [1e9, 100]):
        doc["nodes"][3]["size"] = bad
        with pytest.raises(GraphFileError, match=r"nodes\[3\].size: expected \[width, "
                                                 r"height\], two numbers from 1 to 10000"):
            fileformat.loads(json.dumps(doc).replace("NaN", "1e999"))


def test_a_file_with_a_resized_node_matches_the_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    schema = json.loads((example_path("seed").parent.parent / "schema" /
                         "gradviz-1.schema.json").read_text())
    g = gradviz.load(example_path("seed"))
    g.set_size("a", (320, 260))
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(json.loads(fileformat.dumps(g)))
    doc = json.loads(fileformat.dumps(g))
    doc["nodes"][3]["size"] = [0, 260]
    assert not validator.is_valid(doc)
