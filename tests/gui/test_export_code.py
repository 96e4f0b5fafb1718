"""File ▸ Export ▸ NumPy Script…, PyTorch Script… and Jupyter Notebook…: the document's
graph as code, through the real menu (the file dialog answered by a stand-in)."""
import os
import runpy

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from gradviz.core import export
from tests.gui.test_export import when_dialog


def export_action(window, text):
    """The File ▸ Export ▸ `text` action, found as a user finds it: by the menus' titles."""
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    export_menu = next(a.menu() for a in file_menu.actions()
                       if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "Export")
    return next(a for a in export_menu.actions() if a.text().replace("&", "") == text)


def answer_save_dialog(monkeypatch, path):
    """QFileDialog.getSaveFileName answers `path`; returns what it was asked."""
    asked = []

    def answer(parent, caption, suggestion, file_filter, *rest):
        asked.append((caption, suggestion, file_filter))
        return str(path), file_filter.split(";;")[0]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return asked


def test_file_export_numpy_script_writes_a_script_with_the_runs_numbers(window, tmp_path,
                                                                        monkeypatch, capsys):
    path = tmp_path / "seed_export.py"
    asked = answer_save_dialog(monkeypatch, path)
    export_action(window, "NumPy Script…").trigger()
    caption, suggestion, file_filter = asked[0]
    assert caption == "Export NumPy Script" and os.path.basename(suggestion) == "seed.py"
    assert file_filter.startswith("Python scripts (*.py)")
    assert window.statusBar().currentMessage() == f"Exported {path}"
    namespace = runpy.run_path(str(path))
    result = window.document.graph.run()
    for node_id, (value, grad) in export.variables(window.document.graph).items():
        np.testing.assert_allclose(namespace[value], result.value(node_id), rtol=1e-12)
        np.testing.assert_allclose(namespace[grad], result.grad(node_id), rtol=1e-12)
    assert "grad_x = grad_a * y" in path.read_text()


def test_export_adds_the_suffix_and_names_the_npz(window, tmp_path, monkeypatch):
    window.open_example("playground")
    answer_save_dialog(monkeypatch, tmp_path / "boundary")
    export_action(window, "PyTorch Script…").trigger()
    assert (tmp_path / "boundary.py").exists() and (tmp_path / "boundary.npz").exists()
    assert window.statusBar().currentMessage() == (f"Exported {tmp_path / 'boundary.py'} "
                                                   f"(arrays in {tmp_path / 'boundary.npz'})")
    assert "import torch" in (tmp_path / "boundary.py").read_text()


def test_the_notebook_entry_writes_a_notebook(window, tmp_path, monkeypatch):
    pytest.importorskip("nbformat", reason="nbformat is in the test extra")
    answer_save_dialog(monkeypatch, tmp_path / "seed.ipynb")
    export_action(window, "Jupyter Notebook…").trigger()
    text = (tmp_path / "seed.ipynb").read_text()
    assert '"nbformat": 4' in text and "grad_x = grad_a * y" in text


def test_a_graph_that_cannot_be_exported_says_why(window, tmp_path, monkeypatch):
    window.document.graph.add("sum", "x", id="other")   # now two outputs, no target
    window.document.graph.set_target(None)
    found = []

    def close(box):
        found.append(box.text())
        box.accept()
    when_dialog(QMessageBox, close)
    answer_save_dialog(monkeypatch, tmp_path / "seed.py")
    export_action(window, "NumPy Script…").trigger()
    assert found and "2 outputs" in found[0]
    assert not (tmp_path / "seed.py").exists()
    window.document.undo_stack.setClean()
