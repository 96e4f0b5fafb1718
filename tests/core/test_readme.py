"""The README's Python example runs as written."""
import re
from pathlib import Path


def test_readme_python_example_runs(tmp_path, monkeypatch):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "no python example in the README"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert float(namespace["r"].value(namespace["c"])) == namespace["g2"].run().value("sum1")
    assert (tmp_path / "f.gradviz").exists()
