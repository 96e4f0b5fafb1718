"""Hostile and unusual graphs: one clear message naming what is wrong, never a
traceback, an overflow or a crash."""
import json
import os
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.cli import main
from gradviz.core.budget import machine_memory, parse_size
from gradviz.core.errors import GraphError, GraphFileError
from gradviz.core.examples import example_path
from gradviz.core.fileformat import loads, save
from gradviz.core.graph import MAX_COORDINATE
from gradviz.core.preview import Previews


def seed_with(change):
    doc = json.loads(example_path("seed").read_text())
    change(doc)
    return json.dumps(doc)


def node(doc, node_id):
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def test_reshape_without_a_shape_is_an_error_on_the_node():
    g = gradviz.Graph()
    g.add("input", id="x", value=np.ones((2, 3)))
    with pytest.raises(GraphError, match="node 'r' \\(reshape\\).*: reshape needs a shape"):
        g.add("reshape", "x", id="r", shape=None)
    g.add("reshape", id="r", shape=None)
    g.connect("x", "r", "a", checked=False)   # as an undo may restore it
    with pytest.raises(GraphError, match="reshape needs a shape"):
        g.run()


def test_max_of_a_scalar_names_the_axis():
    g = gradviz.Graph()
    g.add("input", id="x", value=3.0)
    with pytest.raises(GraphError, match="axis -1 is out of range for 0-d input"):
        g.add("max", "x", id="m")


@pytest.mark.parametrize("where, change, message", [
    ("fill", lambda d: node(d, "z")["params"].update(fill=10 ** 309),
     "fill is too large for a float64"),
    ("pos", lambda d: node(d, "x").update(pos=[10 ** 309, 0]),
     "pos: expected \\[x, y\\], two numbers from -1e\\+06 to 1e\\+06"),
    ("far pos", lambda d: node(d, "x").update(pos=[1e9, 0]), "two numbers from"),
    ("huge empty axis", lambda d: node(d, "x")["params"].update(
        source="value", value={"dtype": "float64", "shape": [2 ** 62, 0], "data": []}),
     "has a size over 134,217,728"),
])
def test_numbers_too_large_are_refused_by_name(where, change, message):
    with pytest.raises(GraphFileError, match=message):
        loads(seed_with(change))


def test_an_exponent_too_large_is_refused_on_the_api_too():
    g = gradviz.Graph()
    g.add("input", id="x", value=[1.0])
    with pytest.raises(GraphError, match="exponent is too large for a float64"):
        g.add("pow", "x", exponent=10 ** 400)


@pytest.mark.parametrize("change", [
    lambda d: node(d, "x").update(id="x\udc80"),
    lambda d: node(d, "x").update(label="bad\udc80"),
    lambda d: d.update(description="\udc80"),
])
def test_text_that_cannot_be_saved_is_refused_at_load(change):
    with pytest.raises(GraphFileError, match="'\\\\udc80', which is not text that can be saved"):
        loads(seed_with(change))


def test_text_that_cannot_be_saved_is_refused_at_rename(tmp_path):
    g = gradviz.load(example_path("seed"))
    with pytest.raises(GraphError, match="not text that can be saved"):
        g.set_label("x", "x\udc80")
    save(g, tmp_path / "still-saves.gradviz")


def test_positions_stay_within_the_bound():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=[1.0], pos=(5e9, -5e9))
    assert g.nodes[x].pos == (MAX_COORDINATE, -MAX_COORDINATE)
    g.set_pos(x, (float("inf"), 3.0))
    assert g.nodes[x].pos == (MAX_COORDINATE, 3.0)


@pytest.mark.parametrize("shape", [(2, 3, 2, 2, 3, 4), (1, 1, 1, 1, 2, 2, 2, 2)])
def test_arrays_of_five_to_eight_dimensions_are_previewed(shape):
    """The axes before the last three are merged into the tile rows; every cell traces
    back to its element."""
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    g = gradviz.Graph()
    g.add("input", id="x", value=x)
    g.add("sum", "x", id="s")
    preview = Previews.of(g.run()).node("x", "value", 110, 164)
    assert preview.data.ndim == 4 and preview.exact
    for lead in np.ndindex(*preview.data.shape[:2]):
        index = preview.source_index(lead, 1, 1)
        assert x[index] == preview.data[(*lead, 1, 1)]


def test_cli_errors_are_one_line_with_control_characters_escaped(tmp_path, capsys):
    path = tmp_path / "g.gradviz"
    path.write_text(seed_with(lambda d: d.update(target="no\nsuch\x1b[31m")))
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err
    assert "no\\nsuch\\x1b[31m" in err


def test_cli_prints_ids_escaped(tmp_path, capsys):
    g = gradviz.Graph()
    g.add("input", id="x\x1b]0;owned\x07", value=[1.0, 2.0])
    g.add("sum", "x\x1b]0;owned\x07", id="s")
    save(g, tmp_path / "g.gradviz")
    assert main(["run", str(tmp_path / "g.gradviz")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "x\\x1b]0;owned\\x07" in out


def test_cli_warnings_are_one_formatted_line(tmp_path, capsys):
    path = tmp_path / "g.gradviz"
    path.write_text(seed_with(lambda d: d.update(version=[1, 9], extra={"a": 1})))
    with warnings.catch_warnings():
        warnings.simplefilter("default")   # as outside the test suite
        assert main(["run", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("gradviz: warning: file format 1.9 is newer") and err.count("\n") == 1


def test_a_graph_whose_shapes_do_not_fit_loads_as_the_editor_left_it(tmp_path, capsys):
    """What the editor can hold, the file can hold: y made 3x3 breaks a = x * y; the
    file saves, loads with a's error, and running it says why."""
    g = gradviz.load(example_path("seed"))
    g.set_params("y", {"source": "fill", "fill": 1.0, "shape": (3, 3)})
    path = tmp_path / "broken.gradviz"
    save(g, path)
    again = gradviz.load(path)
    assert again.input_edge("a", "b").src == "y"
    _, errors = again.infer_shapes(strict=False)
    assert "(4, 3) and (3, 3) do not broadcast" in str(errors["a"])
    with pytest.raises(GraphError, match="do not broadcast"):
        again.run()
    assert main(["run", str(path)]) == 2
    assert "(4, 3) and (3, 3) do not broadcast" in capsys.readouterr().err


def test_a_save_keeps_the_permission_bits_and_its_backup_too(tmp_path):
    g = gradviz.load(example_path("seed"))
    path = tmp_path / "g.gradviz"
    save(g, path)
    path.chmod(0o664)
    save(g, path)
    assert path.stat().st_mode & 0o777 == 0o664
    assert (tmp_path / "g.gradviz.bak").stat().st_mode & 0o777 == 0o664


def test_a_new_file_gets_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        save(gradviz.load(example_path("seed")), tmp_path / "new.gradviz")
    finally:
        os.umask(old)
    assert (tmp_path / "new.gradviz").stat().st_mode & 0o777 == 0o640


def test_saving_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    g = gradviz.load(example_path("seed"))
    real = tmp_path / "real.gradviz"
    save(g, real)
    link = tmp_path / "link.gradviz"
    link.symlink_to(real)
    g.set_label("x", "through the link")
    save(g, link)
    assert link.is_symlink() and gradviz.load(real).nodes["x"].label == "through the link"


def test_temporary_files_of_a_killed_save_are_gone_after_the_next_save(tmp_path):
    g = gradviz.load(example_path("seed"))
    left = [tmp_path / ".g.gradviz.abc123.tmp", tmp_path / ".g.gradviz.xyz.bak.tmp"]
    for p in left:
        p.write_text("half a save")
    other = tmp_path / ".other.gradviz.abc.tmp"
    other.write_text("not ours")
    save(g, tmp_path / "g.gradviz")
    assert not any(p.exists() for p in left) and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.gradviz.abc.tmp", "g.gradviz"]


# ---- the whole run's memory ------------------------------------------------------------


def fill_graph(count, shape):
    g = gradviz.Graph()
    ids = [g.add("input", id=f"f{i}", source="fill", fill=1.0, shape=shape)
           for i in range(count)]
    total = ids[0]
    for other in ids[1:]:
        total = g.add("add", total, other)
    g.add("sum", total, id="s")
    return g


def test_a_run_over_the_memory_budget_is_refused_before_it_starts(monkeypatch):
    """12 fills of 2^27 elements (a 1.5 KB file) ask for tens of GiB: refused at once,
    with one line naming the total and the budget, nothing allocated."""
    monkeypatch.setenv("GRADVIZ_MEMORY_BUDGET", "4G")
    g = fill_graph(12, (2 ** 14, 2 ** 13))
    assert len(gradviz.core.fileformat.dumps(g)) < 4000
    with pytest.raises(GraphError) as info:
        g.run()
    message = str(info.value)
    assert "\n" not in message
    assert "the run needs about" in message and "GiB" in message
    assert "over the memory budget of 4.0 GiB" in message


def test_the_estimate_counts_values_gradients_edges_and_the_largest_temporaries():
    """The seed graph by hand: 5 arrays of 12 and a scalar (values, and as many
    gradients), 5 edges carrying 60 elements, and mul's 12 + 12 + 12 temporaries:
    2*61 + 60 + 36 = 218 float64s = 1744 bytes."""
    g = gradviz.load(example_path("seed"))
    g.run(memory_budget=1744)
    with pytest.raises(GraphError, match="needs about 1.7 KiB .* budget of 1.7 KiB"):
        g.run(memory_budget=1743)


@pytest.mark.parametrize("text, size", [("8G", 8 * 2 ** 30), ("512M", 512 * 2 ** 20),
                                        ("1.5g", 3 * 2 ** 29), ("2048", 2048),
                                        ("64KiB", 64 * 1024)])
def test_memory_budgets_are_read_as_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1G", "0", "0%", "150%", "8X"])
def test_bad_memory_budgets_say_what_is_expected(text):
    with pytest.raises(ValueError, match="memory budget"):
        parse_size(text)


def test_a_share_of_the_machine_is_a_budget():
    assert parse_size("50%") == machine_memory() // 2


def test_randn_offsets_are_bounded():
    with pytest.raises(GraphFileError, match="offset must be at most 16777216"):
        loads(seed_with(lambda d: node(d, "y")["params"].update(offset=2 ** 24 + 1)))


def test_cli_run_over_the_budget_is_one_line(capsys):
    assert main(["run", str(example_path("seed")), "--memory-budget", "1K"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradviz: the run needs about 1.7 KiB") and err.count("\n") == 1


def test_cli_json_report_over_its_limit_needs_full(tmp_path, capsys):
    """600x600: 1.08 million numbers. Refused without --full; with it, streamed JSON
    equal to the run."""
    g = gradviz.Graph()
    g.add("input", id="x", source="randn", shape=(600, 600))
    g.add("sum", "x", id="s")
    save(g, tmp_path / "big.gradviz")
    assert main(["run", str(tmp_path / "big.gradviz"), "--json"]) == 2
    assert "would hold 1,080,002 numbers" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "big.gradviz"), "--json", "--full"]) == 0
    doc = json.loads(capsys.readouterr().out)
    np.testing.assert_array_equal(np.array(doc["nodes"]["x"]["value"]), g.run().value("x"))
    assert doc["edges"][0]["grad"] == np.ones((600, 600)).tolist()
