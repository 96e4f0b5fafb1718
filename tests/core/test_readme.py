"""The README's Python example runs as written."""
import re
import textwrap
from pathlib import Path

import numpy as np

README = Path(__file__).parents[2] / "README.md"


def example(marker):
    """The README's Python example that contains `marker`."""
    return next(b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
                if marker in b)


def run_example(block, **namespace):
    """Run an example of our own README; its namespace after."""
    exec(compile(textwrap.dedent(block), "README.md", "exec"), namespace)  # noqa: S102
    return namespace


def test_readme_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = run_example(example("gradviz.save("))
    assert float(namespace["r"].value(namespace["c"])) == namespace["g2"].run().value("sum1")
    assert (tmp_path / "f.gradviz").exists()


def test_readme_training_example_runs():
    namespace = run_example(example("gradviz.train("))
    result, g = namespace["result"], namespace["g"]
    assert len(result.loss) == 1000 and result.final_loss < 0.1
    assert g.nodes["W1"].params["source"] == "value"


def test_readme_tracing_example_runs():
    namespace = run_example(example("gradviz.build()"), gradviz=__import__("gradviz"))
    assert float(namespace["t"].graph.run().value("c")) == 6.770325017108724


def test_readme_export_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    block = example("to_numpy(")
    namespace = run_example(block)
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
    shown = re.search(r"^```\n(grad_c = np\.ones_like\(c\)\n.*?)^```", README.read_text(),
                      re.S | re.M)[1]
    assert shown in to_numpy(load(example_path("fanout")))
