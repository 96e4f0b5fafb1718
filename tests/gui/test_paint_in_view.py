"""A run paints the nodes and edges in view at once and the others when they come into
view (or are read): what they then show is the result shown, never an earlier one."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import gradviz
from gradviz.core.preview import Previews
from gradviz.core.views import get_view
from gradviz.gui import display
from tests.gui.conftest import drag


@pytest.fixture
def long_chain(make_window, qtbot, tmp_path):
    """x → tanh → tanh … → s: 12 nodes a row apart, 600 units each, so at 100 % only
    the first few are in view."""
    g = gradviz.Graph()
    prev = g.add("input", id="x", pos=(0, 0), source="randn", seed=1, shape=(5, 4))
    for i in range(10):
        prev = g.add("tanh", prev, id=f"t{i}", pos=(600 * (i + 1), 0))
    g.set_target(g.add("sum", prev, id="s", pos=(6600, 0)))
    gradviz.save(g, tmp_path / "long.gradviz")
    window = make_window(str(tmp_path / "long.gradviz"))
    window.view.zoom_100()
    window.view.centerOn(QPointF(300, 100))
    window.view.viewport().repaint()
    doc = window.document
    with qtbot.waitSignal(window.runner.finished, timeout=10000):   # a run seen at 100 %
        doc.set_params("x", {**doc.graph.nodes["x"].params, "seed": 2})
    return window


def shown_value(item):
    return next(p for p in item._body.panels if p.kind == "value").preview.data


def expected_value(window, node_id):
    view = get_view(window.scene.view_mode)
    preview = display.node_preview(Previews.of(window.last_result), node_id, "value", view,
                                   window.scene.nodes[node_id].room(len(view.arrays)))
    return preview.data


def pan_to(window, qtbot, node_id):
    """Drag the canvas with the middle button until the node is in view."""
    view, item = window.view, window.scene.nodes[node_id]
    for _ in range(20):
        if view.mapToScene(view.viewport().rect()).boundingRect().intersects(
                item.sceneBoundingRect()):
            break
        centre = view.mapToScene(view.viewport().rect().center())
        drag(view, centre, centre - QPointF(500, 0), button=Qt.MouseButton.MiddleButton)
    qtbot.waitUntil(lambda: node_id not in window.scene.unpainted)


def test_nodes_out_of_view_are_painted_when_they_come_into_view(long_chain, qtbot):
    scene = long_chain.scene
    assert "x" not in scene.unpainted and "t9" in scene.unpainted
    # still the colors of the run made when the window opened, dimmed as stale
    assert not np.array_equal(shown_value(scene.nodes["t9"]), expected_value(long_chain, "t9"))
    pan_to(long_chain, qtbot, "t9")
    np.testing.assert_array_equal(shown_value(scene.nodes["t9"]),
                                  expected_value(long_chain, "t9"))


def test_a_node_painted_later_shows_the_latest_run_not_the_one_before(long_chain, qtbot):
    doc, scene = long_chain.document, long_chain.scene
    pan_to(long_chain, qtbot, "t5")   # painted with the first run
    first = shown_value(scene.nodes["t5"]).copy()
    long_chain.view.centerOn(QPointF(300, 100))
    long_chain.view.viewport().repaint()
    with qtbot.waitSignal(long_chain.runner.finished, timeout=10000):
        doc.set_params("x", {**doc.graph.nodes["x"].params, "seed": 3})
    assert "t5" in scene.unpainted   # out of view: the new run waits to be painted
    pan_to(long_chain, qtbot, "t5")
    now = shown_value(scene.nodes["t5"])
    np.testing.assert_array_equal(now, expected_value(long_chain, "t5"))
    assert not np.array_equal(now, first)


def test_reading_a_node_or_edge_out_of_view_paints_it_first(long_chain, qtbot):
    """What the inspector, hover text or a test reads is the result shown."""
    scene = long_chain.scene
    item = scene.nodes["t8"]
    assert "t8" in scene.unpainted
    data = next(p for p in item.panels if p.kind == "value").preview.data
    np.testing.assert_array_equal(data, expected_value(long_chain, "t8"))
    edge = scene.edges[("t9", "a")]
    assert edge.key in scene.unpainted
    assert edge.badge.preview is not None and edge.key not in scene.unpainted


def test_edges_out_of_view_get_their_flow_color_when_they_come_into_view(long_chain, qtbot):
    scene = long_chain.scene
    edge = scene.edges[("t9", "a")]
    assert edge.key in scene.unpainted
    pan_to(long_chain, qtbot, "t9")
    qtbot.waitUntil(lambda: edge.key not in scene.unpainted)
    magnitudes = display.edge_magnitudes(Previews.of(long_chain.last_result))
    rgb, width = display.edge_style(magnitudes[("t9", "a")], max(magnitudes.values()))
    assert edge.color.getRgb()[:3] == rgb and edge.width == width
