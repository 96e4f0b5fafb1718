"""Heatmaps on the canvas: orientation, colors on screen, hover, views, scales, NaN,
big arrays, tiling, edges, and the inspector."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

import gradviz
from gradviz.gui import layout
from tests.gui.test_colors import csv_table

ASYMMETRIC = np.array([[0.0, 1.0, 2.0, 3.0],
                       [-4.0, -5.0, -6.0, -7.0],
                       [8.0, 0.5, -0.5, 0.25]])


def open_graph(make_window, qtbot, tmp_path, graph, name="g"):
    for i, node_id in enumerate(graph.nodes):   # side by side, none hiding another
        graph.set_pos(node_id, (260 * i, 0))
    path = tmp_path / f"{name}.gradviz"
    gradviz.save(graph, path)
    window = make_window(str(path))
    view, first = window.view, window.scene.nodes[next(iter(graph.nodes))]
    view.zoom_100()
    view.centerOn(first)
    # At 100 %, the first node in the viewport, showing the first run's heatmaps.
    qtbot.waitUntil(lambda: view.zoom() == 1.0 and bool(first.panels) and
                    view.viewport().rect().contains(
                        view.mapFromScene(first.sceneBoundingRect().center())))
    return window


def asymmetric_graph():
    g = gradviz.Graph()
    g.add("input", id="m", value=ASYMMETRIC, pos=(0, 0))
    g.add("sum", "m", id="s", pos=(260, 0))
    return g


def expected_color(value, limit):
    """The diverging map's color for value in (-limit, limit), from the CSV directly."""
    table = csv_table("CET-CBD1")
    t = min(max((value + limit) / (2 * limit), 0.0), 1.0)
    return tuple(table[int(t * 255 + 0.5)])


def screen_color(window, item, heatmap, row, col):
    """The color on screen in heatmap cell (row, col), off its centre (where its
    number may be printed)."""
    scene_pos = heatmap.mapToScene(QPointF(col + 0.5, row + 0.15))  # item units are cells
    image = window.view.viewport().grab().toImage()
    pixel = image.pixelColor(window.view.mapFromScene(scene_pos))
    return pixel.red(), pixel.green(), pixel.blue()


def test_cells_on_screen_have_the_colormap_color_of_their_number(make_window, qtbot, tmp_path):
    """Catches transposed or flipped heatmaps and wrong scaling."""
    window = open_graph(make_window, qtbot, tmp_path, asymmetric_graph())
    QTest.keyClick(window.view, Qt.Key.Key_1)   # values only
    item = window.scene.nodes["m"]
    panel, heatmap = item.body.maps[0]
    assert heatmap.grid_shape == (3, 4)
    limit = np.abs(ASYMMETRIC).max()
    for row, col in [(0, 3), (2, 0), (1, 3), (0, 0), (2, 3)]:
        got = screen_color(window, item, heatmap, row, col)
        want = expected_color(ASYMMETRIC[row, col], limit)
        assert max(abs(a - int(b)) for a, b in zip(got, want)) <= 2, (row, col, got, want)


def test_hover_shows_index_value_and_gradient_in_full(make_window, qtbot, tmp_path):
    g = gradviz.Graph()
    x = np.array([[1 / 3, 2.0], [3.0, 4.0]])
    g.add("input", id="x", value=x)
    g.add("sum", g.add("mul", "x", "x", id="sq"), id="s")
    window = open_graph(make_window, qtbot, tmp_path, g)
    item = window.scene.nodes["x"]
    _, heatmap = item.body.maps[0]
    center = heatmap.mapToScene(QPointF(0.5, 0.5))
    QToolTip.hideText()
    QTest.mouseMove(window.view.viewport(), window.view.mapFromScene(center))
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text().startswith("x["))
    text = QToolTip.text()
    assert text.splitlines()[0] == "x[0, 0]"
    assert f"value = {1 / 3!r}" in text and f"grad  = {2 / 3!r}" in text


def test_view_keys_switch_values_gradients_both(window, qtbot):
    item = window.scene.nodes["a"]
    for key, kinds in [(Qt.Key.Key_1, ["value"]), (Qt.Key.Key_2, ["grad"]),
                       (Qt.Key.Key_3, ["value", "grad"])]:
        QTest.keyClick(window.view, key)
        assert [p.kind for p in item.panels] == kinds


def test_shared_scale_uses_one_limit_per_kind(window, qtbot):
    QTest.keyClick(window.view, Qt.Key.Key_1)
    own = {n: i.panels[0].high for n, i in window.scene.nodes.items()}
    assert len(set(own.values())) > 1
    window.act_shared.trigger()
    shared = {n: i.panels[0].high for n, i in window.scene.nodes.items()}
    top = max(np.abs(window.last_result.value(n)).max() for n in window.scene.nodes)
    assert all(v == pytest.approx(top) for v in shared.values())
    assert window.scene.legend["limits"]["value"] == pytest.approx(top)


def test_nan_and_inf_get_their_colors_and_a_warning(make_window, qtbot, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="x", value=np.array([[np.nan, np.inf, -np.inf, 1.0]]))
    g.add("sum", "x", id="s")
    window = open_graph(make_window, qtbot, tmp_path, g)
    QTest.keyClick(window.view, Qt.Key.Key_1)
    item = window.scene.nodes["x"]
    assert "NaN or Inf in the value" in item.warning and "NaN or Inf" in item.toolTip()
    _, heatmap = item.body.maps[0]
    from gradviz.gui import colors
    for col, color in enumerate([colors.NAN, colors.POS_INF, colors.NEG_INF]):
        got = screen_color(window, item, heatmap, 0, col)
        assert max(abs(a - b) for a, b in zip(got, color)) <= 2, (col, got, color)
    assert window.scene.nodes["s"].warning  # the sum is NaN too


def test_big_arrays_are_previewed_small_and_inspected_in_full(make_window, qtbot, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="big", source="randn", seed=1, shape=(2048, 2048))
    g.add("sum", "big", id="s")
    window = open_graph(make_window, qtbot, tmp_path, g)
    item = window.scene.nodes["big"]
    for panel, heatmap in item.body.maps:
        rows, cols = panel.preview.data.shape
        assert rows <= 110 and cols <= 164
        w, h = heatmap.pixel_size()
        assert w <= layout.room(len(item.panels)).width + 0.5 and h <= 110.5
    block = item.panels[0].preview.block
    full = window.last_result.value("big")
    assert item.panels[0].preview.data[0, 0] == pytest.approx(
        full[:block[0], :block[1]].mean())
    item.setSelected(True)
    assert window.inspector.model.rowCount() == 2048
    assert window.inspector.model.columnCount() == 2048
    index = window.inspector.model.index(2047, 5)
    assert window.inspector.model.data(index) == repr(float(full[2047, 5]))


def test_three_d_arrays_are_tiled(make_window, qtbot, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="t", value=np.arange(24.0).reshape(2, 3, 4))
    g.add("sum", "t", id="s")
    window = open_graph(make_window, qtbot, tmp_path, g)
    _, heatmap = window.scene.nodes["t"].body.maps[0]
    assert heatmap.grid_shape == (3, 9)   # two 3x4 tiles and a separator column


def test_edges_show_how_the_gradient_splits(make_window, qtbot, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="x", value=np.full((2, 2), 1.0))
    g.add("input", id="k", value=np.full((2, 2), 10.0))
    g.add("mul", "x", "k", id="big")      # d/dx = 10
    g.add("add", "big", "x", id="total")  # d/dx = 1 through this edge
    g.add("sum", "total", id="s")
    window = open_graph(make_window, qtbot, tmp_path, g)
    edges = window.scene.edges
    strong, weak = edges[("big", "a")], edges[("total", "b")]
    assert strong.width > weak.width
    viridis = csv_table("viridis")
    assert tuple(strong.color.getRgb()[:3]) == tuple(viridis[255])
    assert "RMS 1," in window.scene.edge_tooltip(weak.edge)
    assert "RMS 10," in window.scene.edge_tooltip(strong.edge)
    assert strong.badge.isVisible()


def test_inspector_copy_and_save(window, qtbot, tmp_path):
    window.scene.nodes["x"].setSelected(True)
    inspector = window.inspector
    assert "min -1.0994008" in inspector.stats["value"].text()
    inspector.copy()
    copied = np.loadtxt(QApplication.clipboard().text().splitlines())
    np.testing.assert_array_equal(copied, window.last_result.value("x"))
    inspector.which.setCurrentIndex(1)
    assert inspector.save(str(tmp_path / "g.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "g.npy"), window.last_result.grad("x"))


def test_inspector_shows_an_edge(window, qtbot):
    window.scene.edges[("a", "b")].setSelected(True)
    assert "y → a.b" in window.inspector.title.text()
    np.testing.assert_array_equal(window.inspector.arrays["grad"],
                                  window.last_result.value("x"))


def test_a_new_view_is_one_declaration(make_window, qtbot, monkeypatch):
    """Declared in the registry alone, a view gets its menu entry, toolbar button and
    key, its panels in its order, its edge badges and its legend rows."""
    from gradviz.core.views import VIEWS, View
    monkeypatch.setitem(VIEWS, "swapped", View("swapped", "Swapped", "9", "Gradient, then value",
                                               ("grad", "value"), "value"))
    window = make_window()
    action = window.act_views["swapped"]
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    QTest.keyClick(window.view, Qt.Key.Key_9)
    assert action.isChecked()
    item = window.scene.nodes["a"]
    assert [p.kind for p in item.panels] == ["grad", "value"]
    np.testing.assert_array_equal(
        item.panels[1].preview.data, window.last_result.value("a"))
    window.act_shared.trigger()
    assert list(window.scene.legend["limits"]) == ["grad", "value"]
    badge = window.scene.edges[("b", "a")].badge    # a → b: shows the value of a
    assert badge.isVisible() and badge.preview.shape == (4, 3)
