"""The README's Python example runs as written."""
import re
import textwrap
from pathlib import Path


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
