"""gradviz from scripts and notebooks: `edit(graph)` opens the editor on a graph, and
a graph and a run show themselves in Jupyter as the picture `gradviz render` draws."""
from __future__ import annotations


class Editor:
    """The editor opened by `edit`: `graph` is the document's graph as edited so far."""

    def __init__(self, window):
        self.window = window

    @property
    def graph(self):
        return self.window.document.graph


def edit(graph, block=None):
    """Open the editor on `graph`. `block` (default: unless a Jupyter kernel runs Qt's
    event loop, `%gui qt`) waits until the window is closed. Returns an Editor."""
    from PySide6.QtWidgets import QApplication

    from .gui.app import create_window
    from .gui.render import ensure_app
    app = ensure_app()
    app.setQuitOnLastWindowClosed(False)   # closing the editor ends the wait, not Python
    window = create_window(recover=False)
    window.document.replace(graph)
    window.show()
    if block is None:
        block = not _qt_loop_in_kernel()
    if block:
        from PySide6.QtCore import QEventLoop
        loop = QEventLoop()
        window.closed.connect(loop.quit)
        loop.exec()
    QApplication.processEvents()
    return Editor(window)


def _qt_loop_in_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "active_eventloop", None) in ("qt", "qt5",
                                                                              "qt6")


def graph_png(graph):
    """The graph's picture as PNG bytes: Jupyter's `_repr_png_` for a Graph."""
    from .gui.render import png_bytes
    return png_bytes(graph)


def run_png(result, size=(900, 420), view="both"):
    """The picture of a run, its values and gradients on the graph as it was run, as
    PNG bytes: Jupyter's `_repr_png_` for a RunResult (None for a run that does not
    know its graph)."""
    graph = getattr(result, "graph", None)
    if graph is None:
        return None
    from PySide6.QtCore import QSizeF

    from .core.health import health
    from .gui.render import canvas_rect, picture_bytes, picture_scene
    scene = picture_scene(graph, view)
    if "health" not in result.derived:
        result.derived["health"] = health(result, {n: node.op for n, node in graph.nodes.items()})
    scene.show_result(result)
    return picture_bytes(scene, canvas_rect(scene, *size), QSizeF(*size), 1.0, svg=False)
