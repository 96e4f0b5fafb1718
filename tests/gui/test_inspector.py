"""The inspector: arrays of any rank are scalar fields shown one 2-d slice at a time,
and its table shows every number in full."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QStyle, QStyleOptionViewItem

from gradviz.core.examples import example_path
from gradviz.gui.inspector import image_slice, slice_labels
from tests.gui.conftest import header_point


@pytest.fixture
def cnn(make_window):
    return make_window(str(example_path("cnn")))


def click_node(window, node_id):
    view = window.view
    point = view.mapFromScene(header_point(window.scene.nodes[node_id]))
    assert view.viewport().rect().contains(point)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, point)
    assert window.scene.selected_node_ids() == [node_id]


def shown_image(inspector, kind):
    return inspector.images[kind].getImageItem().image


@pytest.mark.parametrize("shape", [(), (5,), (4, 3), (2, 4, 3), (4, 1, 3, 3), (2, 3, 2, 4, 4)])
def test_every_rank_is_shown_as_a_2d_slice(shape):
    array = np.arange(float(np.prod(shape))).reshape(shape)
    index = tuple(size - 1 for size in shape[:-2])
    image = image_slice(array, index)
    assert image.ndim == 2
    if array.ndim < 2:
        np.testing.assert_array_equal(image, [np.ravel(array)])
    else:
        np.testing.assert_array_equal(image, array[index])
    assert len(slice_labels(array.ndim)) == len(index)


def test_sliced_axes_are_named():
    assert slice_labels(4) == ["axis 0 (N)", "axis 1 (C)"]
    assert slice_labels(3) == ["axis 0"]
    assert slice_labels(5) == ["axis 0", "axis 1", "axis 2"]


def test_a_4d_array_is_a_scalar_field_sliced_by_n_and_c(cnn):
    """kernels is 4x1x3x3: pyqtgraph took its last axis of 3 for RGB and showed colors."""
    click_node(cnn, "kernels")
    inspector, result = cnn.inspector, cnn.last_result
    arrays = {"value": result.value("kernels"), "grad": result.grad("kernels")}
    for kind, array in arrays.items():
        assert shown_image(inspector, kind).ndim == 2
        np.testing.assert_array_equal(shown_image(inspector, kind), array[0, 0])
    n, c = inspector.slices.spins
    size = arrays["value"].shape[0]
    assert n.text() == f"axis 0 (N): 0 of {size}" and c.text() == "axis 1 (C): 0 of 1"

    QTest.keyClick(n, Qt.Key.Key_Up)
    QTest.keyClick(n, Qt.Key.Key_Up)
    assert n.text() == f"axis 0 (N): 2 of {size}"
    for kind, array in arrays.items():
        np.testing.assert_array_equal(shown_image(inspector, kind), array[2, 0])

    slider = inspector.slices.sliders[0]
    QTest.keyClick(slider, Qt.Key.Key_End)
    assert n.value() == size - 1
    for kind, array in arrays.items():
        np.testing.assert_array_equal(shown_image(inspector, kind), array[size - 1, 0])

    click_node(cnn, "labels")   # 1-d: one row, nothing to slice
    assert not inspector.slices.isVisible()
    np.testing.assert_array_equal(shown_image(inspector, "value"),
                                  [result.value("labels")])


def test_the_table_shows_every_number_in_full(cnn):
    click_node(cnn, "W")
    inspector = cnn.inspector
    tab_bar = inspector.tabs.tabBar()
    QTest.mouseClick(tab_bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     tab_bar.tabRect(1).center())
    table, model = inspector.table, inspector.model
    assert inspector.tabs.currentWidget() is table
    W = cnn.last_result.value("W")
    # Qt's item delegate leaves this margin either side of a cell's text before eliding.
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                       table) + 1
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text = model.data(index)
            assert text == repr(float(W[row, column]))
            assert model.data(index, Qt.ItemDataRole.ToolTipRole) == text
            room = table.visualRect(index).width() - 2 * margin
            assert table.fontMetrics().horizontalAdvance(text) <= room, text

    copy = next(b for b in inspector.findChildren(QPushButton) if b.text() == "Copy")
    QTest.mouseClick(copy, Qt.MouseButton.LeftButton)
    copied = [line.split("\t") for line in QApplication.clipboard().text().splitlines()]
    assert copied == [[model.data(model.index(r, c)) for c in range(model.columnCount())]
                      for r in range(model.rowCount())]


@pytest.mark.parametrize("node_id", ["labels", "logits", "loss", "W"])
def test_no_cell_is_narrower_than_its_delegate_needs(cnn, node_id):
    """Under a real desktop style "1.0" was cut to "…" in 26-pixel columns: each
    column is at least as wide as the item delegate asks for its widest text."""
    click_node(cnn, node_id)
    inspector = cnn.inspector
    tab_bar = inspector.tabs.tabBar()
    QTest.mouseClick(tab_bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     tab_bar.tabRect(1).center())
    table, model = inspector.table, inspector.model
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.font = table.font()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            needed = table.itemDelegate().sizeHint(option, index).width()
            assert table.visualRect(index).width() >= needed, model.data(index)
