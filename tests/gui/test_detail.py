"""Level of detail: zoomed out, nodes are drawn compact (a title readable on screen,
one image per array, no ports or small text); zoomed in, in full. Only what is
painted changes: nothing is run again."""
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gradviz.core.examples import example_path
from gradviz.gui import layout


def wheel(view, notches):
    """Real wheel events over the viewport's centre (negative: zoom out)."""
    anchor = view.viewport().rect().center()
    for _ in range(abs(notches)):
        event = QWheelEvent(QPointF(anchor), QPointF(view.viewport().mapToGlobal(anchor)),
                            QPoint(0, 0), QPoint(0, 120 if notches > 0 else -120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)


def on_screen_title_px(window, node_id):
    item, zoom = window.scene.nodes[node_id], window.view.zoom()
    font, _, title = item.compact_title(zoom)
    return font.pixelSize() * zoom, title


def test_zooming_out_draws_nodes_compact_and_zooming_in_restores_them(window, qtbot):
    view, scene = window.view, window.scene
    view.zoom_100()
    result, runs = window.last_result, []
    window.runner.finished.connect(runs.append)
    x = scene.nodes["x"]
    assert scene.detail and x.title.isVisible() and x.body.isVisible()
    while view.zoom() >= layout.DETAIL_ZOOM:
        wheel(view, -1)
    assert not scene.detail
    assert not x.title.isVisible() and not x.inputs.get("a", x.output).isVisible()
    assert not x.body.isVisible()
    assert all(not e.badge.isVisible() for e in scene.edges.values())
    px, title = on_screen_title_px(window, "x")
    assert px >= layout.TITLE_MIN_PX and title == "x"
    # the compact node still shows its arrays: its pixels are not all one color
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    spot = view.mapFromScene(x.mapToScene(QPointF(layout.NODE_WIDTH / 4,
                                                  x.body_top() + 30)))
    colors = {image.pixel(spot.x() + dx, spot.y() + dy) for dx in range(-3, 4)
              for dy in range(-3, 4)}
    assert len(colors) > 1
    while view.zoom() < 1.0:
        wheel(view, 1)
    assert scene.detail and x.title.isVisible() and x.body.isVisible()
    assert any(e.badge.isVisible() for e in scene.edges.values())
    assert window.last_result is result and runs == []   # nothing was run again


def test_every_title_of_cnn_is_readable_at_fit_all(make_window, qtbot):
    window = make_window(str(example_path("cnn")))
    window.resize(1400, 900)
    QTest.keyClick(window.view, Qt.Key.Key_F)   # Fit All
    assert window.view.zoom() < layout.DETAIL_ZOOM and not window.scene.detail
    for node_id, item in window.scene.nodes.items():
        px, title = on_screen_title_px(window, node_id)
        assert px >= layout.TITLE_MIN_PX
        assert title == item.node.title   # not elided


def test_a_node_added_while_zoomed_out_is_compact_too(window, qtbot):
    window.view.zoom_by(0.3)
    assert not window.scene.detail
    node_id = window.add_op("relu", window.view.mapToScene(window.view.viewport().rect().center()))
    assert not window.scene.nodes[node_id].detail
    assert not window.scene.nodes[node_id].title.isVisible()


def thumbnail_pixels(window, node_id):
    item, view = window.scene.nodes[node_id], window.view
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    top_left = view.mapFromScene(item.mapToScene(QPointF(layout.MARGIN, item.body_top())))
    return [image.pixel(top_left.x() + dx, top_left.y() + dy)
            for dx in range(2, 20, 3) for dy in range(6, 30, 3)]


def test_compact_images_follow_new_results(window, qtbot):
    """A run while zoomed out (an edit, training) showed the old images."""
    window.view.zoom_by(0.3)
    assert not window.scene.detail
    before = thumbnail_pixels(window, "x")
    x = window.document.graph.nodes["x"].params
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.document.set_params("x", {**x, "source": "value",
                                         "value": -window.last_result.value("x")})
    assert thumbnail_pixels(window, "x") != before


def test_a_compact_node_shows_the_new_run_at_once(window, qtbot):
    """Drawn compact, a node is a cached picture holding its images: a run must renew
    it (it was renewed only by chance, when the target mark was set again)."""
    view, scene, doc = window.view, window.scene, window.document
    view.zoom_by(0.3 / view.zoom())
    item = scene.nodes["x"]
    _, heatmap = item.body.maps[0]
    cell = view.mapFromScene(item.mapToScene(heatmap.pos() + QPointF(
        0, item.body_top()) + QPointF(heatmap.pixel_size()[0] / 6, heatmap.pixel_size()[1] / 8)))

    def shown():
        return view.viewport().grab().toImage().pixelColor(cell).rgb()
    before = shown()
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        doc.set_params("x", {**doc.graph.nodes["x"].params, "offset": 0})
    assert not scene.detail and not scene.stale
    expected = QImage(heatmap.thumbnail()).pixelColor(0, 0).rgb()
    qtbot.waitUntil(lambda: shown() != before)
    assert shown() == expected


def test_zoom_to_100_keeps_the_selected_node_in_view(window, qtbot):
    view = window.view
    window.resize(700, 600)   # at 100 %, the seed graph is wider than the canvas
    qtbot.waitUntil(lambda: view.viewport().width() < 500)
    view.fit_all()
    window.select(["c"])   # at the right-hand end of the seed graph
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == 1.0
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.nodes["c"].sceneBoundingRect())
