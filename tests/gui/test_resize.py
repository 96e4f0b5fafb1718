"""Resize a node by dragging its bottom-right corner: its heatmaps grow with it (more
cells before block means), as one undo step, saved in the file."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

import gradviz
from gradviz.gui import layout
from tests.gui.conftest import drag, move_pointer


@pytest.fixture
def big(make_window, tmp_path):
    """A window on x (40x40, wider than a node's own heatmap has cells for) → s = sum."""
    g = gradviz.Graph()
    g.add("input", id="x", pos=(0, 0), source="randn", seed=3, shape=(40, 40))
    g.add("sum", "x", id="s", pos=(400, 0))
    gradviz.save(g, tmp_path / "big.gradviz")
    window = make_window(str(tmp_path / "big.gradviz"))
    window.view.zoom_100()
    window.view.centerOn(QPointF(250, 150))
    return window


def corner(item):
    return item.mapToScene(item.grip_rect().center())


def value_panel(item):
    return next(p for p in item.panels if p.kind == "value")


def test_dragging_the_corner_resizes_the_node_and_shows_more_cells(big, qtbot):
    doc, item = big.document, big.scene.nodes["x"]
    before_grid = value_panel(item).preview.data.shape
    assert before_grid != (40, 40)   # its own size shows block means
    pos = item.pos()
    drag(big.view, corner(item), corner(item) + QPointF(200, 160))
    width, height = doc.graph.nodes["x"].size
    assert width == pytest.approx(layout.NODE_WIDTH + 200, abs=2)
    assert item.node_width == width and item.pos() == pos   # resized, not moved
    assert value_panel(item).preview.data.shape == (40, 40)   # every element a cell
    assert big.act_undo.text() == "Undo Resize x"
    assert big.results_current()   # resizing changes no number
    # the output port moved with the right edge, and the edge still starts there
    edge = big.scene.edges[("s", "a")]
    assert edge.path().pointAtPercent(0) == item.output_pos()
    assert item.output_pos().x() == pytest.approx(item.x() + width)
    QTest.keyClick(big.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.graph.nodes["x"].size is None and item.node_width == layout.NODE_WIDTH
    assert value_panel(item).preview.data.shape == before_grid
    assert edge.path().pointAtPercent(0) == item.output_pos()


def test_a_cell_of_a_resized_node_tells_its_own_element(big, qtbot):
    """Hover text comes from the reduction the node shows, not its own size's."""
    item = big.scene.nodes["x"]
    drag(big.view, corner(item), corner(item) + QPointF(200, 160))
    heatmap = item.body.maps[0][1]
    cell = heatmap.mapToScene(QPointF(17.5, 9.5))   # row 9, column 17
    text = item.tip_at(item.mapFromScene(cell))
    x = big.last_result.value("x")
    assert text.startswith("x[9, 17]\nvalue = ")
    assert f"value = {float(x[9, 17])!r}" in text


def test_the_corner_shows_a_resize_cursor(big, qtbot):
    item = big.scene.nodes["x"]
    move_pointer(big.view, big.view.mapFromScene(corner(item)))
    qtbot.waitUntil(lambda: item.hasCursor())
    assert item.cursor().shape() == Qt.CursorShape.SizeFDiagCursor
    move_pointer(big.view, big.view.mapFromScene(item.mapToScene(QPointF(60, 12))))
    qtbot.waitUntil(lambda: not item.hasCursor())


def test_a_node_cannot_be_made_narrower_than_its_title(big, qtbot):
    item = big.scene.nodes["x"]
    drag(big.view, corner(item), corner(item) - QPointF(150, 150))
    width, height = big.document.graph.nodes["x"].size
    assert width == layout.MIN_NODE_WIDTH
    assert height >= item.body_top() + layout.MIN_PANEL_HEIGHT
    assert value_panel(item).preview is not None and item.body.isVisible()


def test_the_size_is_saved_and_opens_again(big, make_window, tmp_path):
    item = big.scene.nodes["x"]
    drag(big.view, corner(item), corner(item) + QPointF(100, 60))
    size = big.document.graph.nodes["x"].size
    path = tmp_path / "sized.gradviz"
    big.document.save(str(path))
    assert gradviz.load(path).nodes["x"].size == size
    again = make_window(str(path))
    assert again.scene.nodes["x"].node_width == size[0]
    assert again.scene.nodes["x"].boundingRect().height() - 4 == size[1]


def test_reset_size_gives_the_node_its_own_size(big, qtbot):
    item = big.scene.nodes["x"]
    drag(big.view, corner(item), corner(item) + QPointF(100, 60))
    big.document.resize_node("x", None)
    assert item.node_width == layout.NODE_WIDTH
    assert big.act_undo.text() == "Undo Reset size of x"
    np.testing.assert_equal(big.document.graph.nodes["x"].size, None)


def test_resizing_changes_no_color_limit_and_the_limit_is_the_arrays_own(big, qtbot):
    """Limits came from the block means shown, so a resize moved them (and with a
    shared scale recolored the graph); the caption's ± is the array's largest |x|."""
    item = big.scene.nodes["x"]
    before = value_panel(item).caption
    x = big.last_result.value("x")
    assert before.endswith(f"±{float(np.abs(x).max()):.3g}")
    drag(big.view, corner(item), corner(item) + QPointF(200, 160))
    assert value_panel(item).caption == before
    big.act_shared.trigger()
    shared = value_panel(item).caption
    drag(big.view, corner(item), corner(item) - QPointF(150, 100))
    assert value_panel(item).caption == shared
