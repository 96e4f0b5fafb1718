"""The canvas at scale: graphs of 100, 300 and 1,000 nodes of 64x64 arrays, as chains
and as layered networks with fan-out, opened in the editor."""
from __future__ import annotations

import resource
import statistics
import time

import numpy as np

import gradviz

SIZES = (100, 300, 1000)
SHAPE = (64, 64)
COLUMN, ROW = 240, 240   # canvas spacing of the generated layouts


def chain(n):
    """x0 → tanh/mul/add … → sum: each op takes the previous node and a fresh input."""
    rng = np.random.default_rng(0)
    g = gradviz.Graph()
    prev = g.add("input", value=rng.standard_normal(SHAPE) * 0.5, pos=(0, 0))
    col = 1
    while len(g.nodes) < n - 1:
        if col % 3 == 0:
            prev = g.add("tanh", prev, pos=(col * COLUMN, 0))
        else:
            leaf = g.add("input", value=rng.standard_normal(SHAPE) * 0.5,
                         pos=(col * COLUMN, ROW))
            prev = g.add("mul" if col % 3 == 1 else "add", prev, leaf, pos=(col * COLUMN, 0))
        col += 1
    g.set_target(g.add("sum", prev, pos=(col * COLUMN, 0)))
    return g


def layered(n, width=8):
    """Layers of `width` nodes; each takes two nodes of the layer before (fan-out)."""
    rng = np.random.default_rng(1)
    g = gradviz.Graph()
    layer = [g.add("input", value=rng.standard_normal(SHAPE) * 0.5, pos=(0, i * ROW))
             for i in range(width)]
    col = 1
    while len(g.nodes) + width < n:
        layer = [g.add(("add", "mul", "sub")[(col + i) % 3], layer[i],
                       layer[(i + 1 + col) % width], pos=(col * COLUMN, i * ROW))
                 for i in range(width)]
        layer = [g.add("tanh", node, pos=((col + 1) * COLUMN, i * ROW))
                 for i, node in enumerate(layer)] if len(g.nodes) + width < n else layer
        col += 2
    total = layer[0]
    for i, node in enumerate(layer[1:], 1):
        total = g.add("add", total, node, pos=((col + i) * COLUMN, 0))
    g.set_target(g.add("sum", total, pos=((col + width) * COLUMN, 0)))
    return g


def _window(graph):
    from PySide6.QtWidgets import QApplication
    from gradviz.gui.main_window import MainWindow
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    return app, window


def _wait(app, condition, timeout=60.0):
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the editor did not finish in time")
        app.processEvents()
        time.sleep(0.001)


def _rss_mib():
    """The process's resident memory now (Linux), in MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20


def measure(graph, pans=15, edits=7):
    """Seconds to open (load the document, first run, first paint), median seconds of
    a full repaint while panning at Fit All and at 100 %, median seconds of an input
    edit → run → repaint at 100 % and at Fit All, and the resident memory (MiB) the
    open editor added."""
    before = _rss_mib()
    app, window = _window(graph)
    start = time.perf_counter()
    window.document.replace(graph)
    window.run_now()
    _wait(app, lambda: window.last_result is not None
          and window.last_result.revision == graph.revision)
    window.view.fit_all()
    window.view.viewport().repaint()
    opened = time.perf_counter() - start
    frames = {}
    for mode in ("fit", "100"):
        if mode == "fit":
            window.view.fit_all()
        else:
            window.view.zoom_100()
        times = []
        bar = window.view.horizontalScrollBar()
        for i in range(pans):   # 7 pixels to and fro, as a drag of the canvas scrolls
            bar.setValue(bar.value() + (7 if i % 2 else -7))
            t = time.perf_counter()
            window.view.viewport().repaint()
            times.append(time.perf_counter() - t)
        frames[mode] = statistics.median(times)
    first = next(n for n, node in graph.nodes.items() if node.op == "input")
    base = graph.nodes[first].params["value"]
    edited = {}
    for mode in ("100", "fit"):   # at 100 % (where one edits), then with all in view
        if mode == "fit":
            window.view.fit_all()
            window.view.viewport().repaint()
        times = []
        for i in range(edits):
            t = time.perf_counter()
            window.document.set_params(first, {"source": "value",
                                               "value": base * (1 + 1e-3 * (i + 1))})
            _wait(app, lambda: window.last_result.revision == graph.revision
                  and not window.runner.busy)
            window.view.viewport().repaint()
            times.append(time.perf_counter() - t)
        edited[mode] = statistics.median(times)
    memory = _rss_mib() - before
    window.document.undo_stack.setClean()
    window.close()
    return (opened, frames["fit"], frames["100"], edited["100"], edited["fit"], memory)


def rows():
    """(name, nodes, open s, pan at Fit All s, pan at 100 % s, edit at 100 % s, edit at
    Fit All s, MiB the open editor added)."""
    out = []
    for make in (chain, layered):
        for n in SIZES:
            graph = make(n)
            out.append((make.__name__, len(graph.nodes), *measure(graph)))
    return out
