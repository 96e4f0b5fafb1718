"""Reroute points on edges: the model's setter and event, what disconnecting does to
them, copies, and the file's optional `via` (format 1.1)."""
import json

import pytest

import gradviz
from gradviz import GraphError, GraphFileError
from gradviz.core import events, fileformat
from gradviz.core.examples import example_names, example_path
from gradviz.core.graph import MAX_COORDINATE, MAX_REROUTES


def seed():
    return gradviz.load(example_path("seed"))


def test_set_reroutes_returns_the_old_points_and_tells_listeners():
    g = seed()
    seen = []
    g.subscribe(seen.append)
    revision = g.revision
    assert g.reroutes("a", "a") == ()
    assert g.set_reroutes("a", "a", [(10, 20), (30.5, -4)]) == ()
    assert g.reroutes("a", "a") == ((10.0, 20.0), (30.5, -4.0))
    assert seen == [events.EdgeRerouted(g.input_edge("a", "a"))]
    assert g.revision == revision   # no run depends on them
    assert g.set_reroutes("a", "a", []) == ((10.0, 20.0), (30.5, -4.0))
    assert g.reroutes("a", "a") == ()


def test_reroute_points_are_bounded_and_checked():
    g = seed()
    g.set_reroutes("a", "a", [(1e9, -1e9)])
    assert g.reroutes("a", "a") == ((MAX_COORDINATE, -MAX_COORDINATE),)
    with pytest.raises(GraphError, match="finite"):
        g.set_reroutes("a", "a", [(float("nan"), 0)])
    with pytest.raises(GraphError, match=f"at most {MAX_REROUTES}"):
        g.set_reroutes("a", "a", [(i, 0) for i in range(MAX_REROUTES + 1)])
    assert g.reroutes("a", "a") == ((MAX_COORDINATE, -MAX_COORDINATE),)   # refused: kept
    g.disconnect("a", "a")
    with pytest.raises(GraphError, match="not connected"):
        g.set_reroutes("a", "a", [(0, 0)])


def test_disconnecting_drops_the_points_and_a_new_edge_starts_without():
    g = seed()
    src = g.input_edge("a", "a").src
    g.set_reroutes("a", "a", [(5, 5)])
    g.set_reroutes("a", "b", [(6, 6)])
    g.disconnect("a", "a")
    g.connect(src, "a", "a")
    assert g.reroutes("a", "a") == () and g.reroutes("a", "b") == ((6.0, 6.0),)


def test_a_copy_keeps_the_points_and_goes_its_own_way():
    g = seed()
    g.set_reroutes("a", "a", [(5, 5)])
    other = g.copy()
    assert other.reroutes("a", "a") == ((5.0, 5.0),)
    other.set_reroutes("a", "a", [])
    assert g.reroutes("a", "a") == ((5.0, 5.0),)


def test_points_round_trip_exactly_in_format_1_1():
    g = seed()
    g.set_reroutes("a", "a", [(0.1, 1 / 3), (-250, 1e6)])
    doc = json.loads(fileformat.dumps(g))
    assert doc["version"] == [1, 1]
    assert [e.get("via") for e in doc["edges"] if "via" in e] == [[[0.1, 1 / 3], [-250.0, 1e6]]]
    again = fileformat.loads(fileformat.dumps(g))
    assert again.reroutes("a", "a") == ((0.1, 1 / 3), (-250.0, 1e6))
    assert fileformat.dumps(again) == fileformat.dumps(g)


@pytest.mark.parametrize("name", example_names())
def test_files_without_points_are_written_as_before(name):
    text = example_path(name).read_text()
    assert fileformat.dumps(fileformat.loads(text)) == text
    assert '"via"' not in text


def test_without_points_the_version_stays_1_0():
    g = seed()
    g.set_reroutes("a", "a", [(1, 2)])
    g.set_reroutes("a", "a", [])
    assert json.loads(fileformat.dumps(g))["version"] == [1, 0]


def edge_doc(via):
    doc = json.loads(example_path("seed").read_text())
    doc["version"] = [1, 1]
    doc["edges"][2]["via"] = via
    return json.dumps(doc)


@pytest.mark.parametrize("via, message", [
    ({"x": 1}, r"edges\[2\]\.via: expected an array of \[x, y\] points, found an object"),
    ([[1, 2], [3]], r"edges\[2\]\.via\[1\]: expected \[x, y\], two numbers"),
    ([[1, "2"]], r"edges\[2\]\.via\[0\]: expected \[x, y\]"),
    ([[1, True]], r"edges\[2\]\.via\[0\]: expected \[x, y\]"),
    ([[0, 2e6]], r"edges\[2\]\.via\[0\]: expected \[x, y\], two numbers from -1e\+06"),
    ([[0, 0]] * (MAX_REROUTES + 1), rf"edges\[2\]\.via: {MAX_REROUTES + 1} points; an edge "
                                    rf"has at most {MAX_REROUTES}"),
])
def test_bad_points_are_refused_naming_the_field(via, message):
    with pytest.raises(GraphFileError, match=message):
        fileformat.loads(edge_doc(via))


def test_a_file_with_points_matches_the_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    schema = json.loads((example_path("seed").parent.parent / "schema" /
                         "gradviz-1.schema.json").read_text())
    g = seed()
    g.set_reroutes("a", "a", [(1.5, 2)])
    jsonschema.Draft202012Validator(schema).validate(json.loads(fileformat.dumps(g)))
    bad = json.loads(edge_doc([[1, 2, 3]]))
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)
