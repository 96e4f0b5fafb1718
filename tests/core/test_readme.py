"""The README's Python example runs as written."""
import re
import textwrap
from pathlib import Path

import numpy as np


def test_readme_python_example_runs(tmp_path, monkeypatch):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "gradviz.save(" in b)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert float(namespace["r"].value(namespace["c"])) == namespace["g2"].run().value("sum1")
    assert (tmp_path / "f.gradviz").exists()


def test_readme_training_example_runs():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "gradviz.train(" in b)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    result, g = namespace["result"], namespace["g"]
    assert len(result.loss) == 1000 and result.final_loss < 0.1
    assert g.nodes["W1"].params["source"] == "value"


def test_readme_tracing_example_runs():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "gradviz.build()" in b)
    namespace = {"gradviz": __import__("gradviz")}
    exec(compile(textwrap.dedent(block), "README.md", "exec"), namespace)  # noqa: S102
    assert float(namespace["t"].graph.run().value("c")) == 6.770325017108724


def test_readme_export_example_runs(tmp_path, monkeypatch, capsys):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "to_numpy(" in b)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    g, names, run = namespace["g"], namespace["names"], namespace["namespace"]
    assert capsys.readouterr().out == f"c = {float(g.run().value('c'))}\n"   # as it says
    assert "# prints c = 10.737940962831113" in block
    assert (tmp_path / "fanout.py").read_text() == namespace["script"]
    for node_id, (value, grad) in names.items():
        np.testing.assert_allclose(run[value], g.run().value(node_id), rtol=1e-12)
        np.testing.assert_allclose(run[grad], g.run().grad(node_id), rtol=1e-12)


def test_readme_shows_the_fanout_backward_pass_as_exported():
    from gradviz import load
    from gradviz.core.examples import example_path
    from gradviz.core.export import to_numpy
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    shown = re.search(r"^```\n(grad_c = np\.ones_like\(c\)\n.*?)^```", readme, re.S | re.M)[1]
    assert shown in to_numpy(load(example_path("fanout")))
