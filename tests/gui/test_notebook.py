"""gradviz from scripts and notebooks: edit a graph in the editor, show it inline."""
import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage

import gradviz
from gradviz.core.examples import example_path


def test_a_graph_shows_itself_as_a_png():
    data = gradviz.load(example_path("seed"))._repr_png_()
    image = QImage.fromData(data, "PNG")
    assert data.startswith(b"\x89PNG") and (image.width(), image.height()) == (900, 420)


def test_a_run_shows_itself_as_the_picture_of_its_values():
    graph = gradviz.load(example_path("seed"))
    first = graph.run()
    graph.set_params("x", {"source": "value", "value": np.full((4, 3), 2.0)})
    second = graph.run()
    data, other = first._repr_png_(), second._repr_png_()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and other.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage.fromData(data, "PNG")
    assert (image.width(), image.height()) == (900, 420)
    assert data != other
    assert first._repr_png_() == data   # the first run's picture, after the edit too
    assert graph.nodes["x"].params["source"] == "value"


def test_edit_without_blocking_hands_back_the_edited_graph(qtbot):
    with gradviz.build() as t:
        x = t.input(np.ones((2, 2)))
        s = t.sum(x * 3)
    editor = gradviz.edit(t.graph, block=False)
    qtbot.addWidget(editor.window)
    assert editor.graph is t.graph and editor.window.isVisible()
    editor.window.document.rename("x", "weights")
    assert editor.graph.nodes["x"].label == "weights" and s.shape == ()
    editor.window.document.undo_stack.setClean()


def test_edit_blocks_until_the_window_is_closed(qtbot):
    graph = gradviz.load(example_path("seed"))
    closing = []

    def close_editor():
        from PySide6.QtWidgets import QApplication
        windows = [w for w in QApplication.topLevelWidgets()
                   if type(w).__name__ == "MainWindow" and w.isVisible()]
        if not windows:
            QTimer.singleShot(20, close_editor)
            return
        windows[-1].document.rename("x", "renamed")
        windows[-1].document.undo_stack.setClean()
        closing.append(windows[-1])
        windows[-1].close()
    QTimer.singleShot(0, close_editor)
    editor = gradviz.edit(graph, block=True)
    assert closing and not editor.window.isVisible()
    assert editor.graph.nodes["x"].label == "renamed"
