"""The command line, through a real subprocess."""
import json
import subprocess
import sys

import numpy as np
import pytest

from gradviz.core.examples import example_path
from tests.helpers import NOTEBOOK


def gradviz_cli(*args):
    return subprocess.run([sys.executable, "-m", "gradviz", *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def test_run_prints_a_table_with_full_small_arrays():
    out = gradviz_cli("run", example_path("seed"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "device cpu, float64; gradients of sum(c)"
    row = next(line for line in lines if line.startswith("c "))
    assert row.split()[:3] == ["c", "sum", "()"]
    assert "6.770325017108724" in out.stdout          # c in full
    assert "[ 1.86755896  0.90604466 -0.86122569]" in out.stdout   # x's first row


def test_run_json_has_values_and_edge_gradients():
    out = gradviz_cli("run", example_path("seed"), "--json", "--device", "cpu")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["device"], doc["target"]) == ("cpu", "c")
    assert doc["nodes"]["c"]["value"] == 6.770325017108724
    np.testing.assert_allclose(doc["nodes"]["x"]["grad"], NOTEBOOK["y"], atol=5e-9)
    edges = {(e["from"], e["to"], e["port"]): e["grad"] for e in doc["edges"]}
    assert set(edges) == {("x", "a", "a"), ("y", "a", "b"), ("a", "b", "a"), ("z", "b", "b"),
                          ("b", "c", "a")}
    np.testing.assert_allclose(edges[("y", "a", "b")], NOTEBOOK["x"], atol=5e-9)


def test_run_json_marks_non_finite_values(tmp_path):
    import gradviz
    g = gradviz.Graph()
    g.add("input", id="x", value=[1.0, np.inf, np.nan])
    g.add("sum", "x", id="s")
    gradviz.save(g, tmp_path / "nan.gradviz")
    doc = json.loads(gradviz_cli("run", tmp_path / "nan.gradviz", "--json").stdout)
    assert doc["nodes"]["x"]["value"] == [1.0, "inf", "nan"]


@pytest.mark.parametrize("args, message", [
    (["run", "missing.gradviz"], "gradviz: cannot open missing.gradviz"),
    (["run", "{seed}", "--target", "ghost"], "gradviz: no node 'ghost'"),
    (["run", "{seed}", "--device", "tpu"], "gradviz: unknown device 'tpu'"),
    (["run", "{bad}"], "gradviz: bad.gradviz: not valid JSON"),
    (["render", "{seed}", "-o", "{out}.png", "--step", "99"], "gradviz: no step 99: this run has"),
])
def test_errors_exit_2_with_one_line(args, message, tmp_path):
    bad = tmp_path / "bad.gradviz"
    bad.write_text("{")
    args = [a.format(seed=example_path("seed"), bad=bad, out=tmp_path / "out") for a in args]
    out = gradviz_cli(*args)
    assert out.returncode == 2
    assert out.stderr.startswith(message) and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_export_writes_a_script_that_runs(tmp_path):
    out = gradviz_cli("export", example_path("seed"), "--to", "numpy", "-o", tmp_path / "s.py")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"wrote {tmp_path / 's.py'}\n"
    ran = subprocess.run([sys.executable, str(tmp_path / "s.py")], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "c = 6.770325017108724\n"   # the notebook's c, in full


def test_export_names_the_npz_it_writes_beside_the_notebook(tmp_path):
    pytest.importorskip("nbformat", reason="nbformat is in the test extra")
    out = gradviz_cli("export", example_path("playground"), "--to", "notebook",
                      "-o", tmp_path / "pg.ipynb")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"wrote {tmp_path / 'pg.ipynb'} (arrays in {tmp_path / 'pg.npz'})\n"
    assert json.loads((tmp_path / "pg.ipynb").read_text())["nbformat"] == 4


@pytest.mark.parametrize("args, message", [
    (["missing.gradviz", "-o", "{out}.py"], "gradviz: cannot open missing.gradviz"),
    (["{bad}", "-o", "{out}.py"], "gradviz: bad.gradviz: not valid JSON"),
    (["{seed}", "-o", "{tmp}/no/such/folder/s.py"], "gradviz: cannot write {tmp}/no/such/"),
    (["{seed}", "-o", "{tmp}"], "gradviz: {tmp} is a folder"),
    (["{seed}", "-o", "{out}.npz"], "gradviz: {out}.npz: the output cannot be a .npz"),
    (["{seed}", "-o", "{out}.py", "--target", "ghost"], "gradviz: no node 'ghost'"),
])
def test_export_errors_exit_2_with_one_line(args, message, tmp_path):
    bad = tmp_path / "bad.gradviz"
    bad.write_text("{")
    fill = dict(seed=example_path("seed"), bad=bad, out=tmp_path / "out", tmp=tmp_path)
    out = gradviz_cli("export", "--to", "numpy", *[a.format(**fill) for a in args])
    assert out.returncode == 2
    assert out.stderr.startswith(message.format(**fill)) and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr
    assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob(".export-*"))
