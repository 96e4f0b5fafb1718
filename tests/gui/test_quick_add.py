"""What the window shows while adding and wiring nodes: the quick-add popup's order and
size, the label that says why a connection is refused, and the toolbar's toggles."""
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from gradviz.core.ops import CATEGORIES, OPS
from tests.gui.conftest import add_refused_input, press_and_move

OP_ROLE = Qt.ItemDataRole.UserRole


def open_quick_add(window, point=None):
    """Tab with the pointer at viewport `point` (default: the viewport's centre)."""
    view = window.view
    QTest.mouseMove(view.viewport(), point or view.viewport().rect().center())
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert window.quick_add.isVisible()
    return window.quick_add


def listed_items(popup):
    """The entries the list shows, top to bottom."""
    items = [popup.list.item(row) for row in range(popup.list.count())]
    return [item for item in items if not item.isHidden()]


def listed_ops(popup):
    return [item.data(OP_ROLE) for item in listed_items(popup)]


def names_contain(op, text):
    return text in op or text in OPS[op].title.lower()


def test_empty_query_lists_every_op_in_category_order_input_first_in_view(window, qtbot):
    popup = open_quick_add(window)
    ops = listed_ops(popup)
    assert sorted(ops) == sorted(OPS)
    categories = [CATEGORIES.index(OPS[op].category) for op in ops]
    assert categories == sorted(categories)
    assert ops[0] == "input"
    first = listed_items(popup)[0]
    assert popup.list.viewport().rect().contains(popup.list.visualItemRect(first))
    assert popup.list.currentItem() is first
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)


def test_typing_in_ranks_input_first_then_matches_in_the_docs(window, qtbot):
    popup = open_quick_add(window)
    QTest.keyClicks(popup.search, "in")
    ops = listed_ops(popup)
    assert ops[0] == "input" and popup.list.currentItem().data(OP_ROLE) == "input"
    in_names = [names_contain(op, "in") for op in ops]
    assert in_names == sorted(in_names, reverse=True)   # name matches before doc matches
    assert not all(in_names)                            # which are listed too
    assert all("in" in OPS[op].doc.lower() for op, named in zip(ops, in_names) if not named)
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)


def test_typing_conv_ranks_the_conv_ops_first(window, qtbot):
    popup = open_quick_add(window)
    QTest.keyClicks(popup.search, "conv")
    ops = listed_ops(popup)
    conv_ops = [op for op in OPS if names_contain(op, "conv")]
    assert conv_ops and ops[:len(conv_ops)] == conv_ops
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert window.document.graph.nodes[window.scene.selected_node_ids()[0]].op == conv_ops[0]


def test_popup_fits_its_longest_entry_and_shows_many_rows(window, qtbot):
    popup = open_quick_add(window)
    lst = popup.list
    assert not lst.horizontalScrollBar().isVisible()
    width = lst.viewport().width()
    for item in listed_items(popup):
        assert lst.sizeHintForIndex(lst.indexFromItem(item)).width() <= width, item.text()
        assert lst.fontMetrics().horizontalAdvance(item.text()) < width, item.text()
    in_view = [item for item in listed_items(popup)
               if lst.viewport().rect().contains(lst.visualItemRect(item))]
    assert len(in_view) >= 10
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)


def test_popup_opened_near_the_screen_edge_stays_on_screen(window, qtbot):
    viewport = window.view.viewport()
    corner = viewport.rect().bottomRight() - QPoint(10, 10)
    popup = open_quick_add(window, corner)
    area = popup.screen().availableGeometry()
    assert not area.contains(QRect(viewport.mapToGlobal(corner), popup.size()))  # would not fit
    assert area.contains(popup.frameGeometry())
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)


def share_of_color(image, rect, color):
    pixels = [image.pixelColor(x, y).rgb() for x in range(rect.left(), rect.right() + 1)
              for y in range(rect.top(), rect.bottom() + 1)]
    return sum(p == color.rgb() for p in pixels) / len(pixels)


def test_refusal_label_hides_the_heatmaps_behind_its_own_background(window, qtbot):
    scene, view, vp = window.scene, window.view, window.view.viewport()
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        start, end = add_refused_input(window)
    before = view.viewport().grab().toImage()
    end = press_and_move(view, start, end)
    label = scene._drag.hint
    assert "do not broadcast" in label.text()
    during = view.viewport().grab().toImage()
    background = label.brush().color()
    assert background.alpha() == 255
    box = label.deviceTransform(view.viewportTransform()).mapRect(label.boundingRect())
    node_a = view.mapFromScene(scene.nodes["a"].sceneBoundingRect()).boundingRect()
    behind = box.toAlignedRect().adjusted(2, 2, -2, -2).intersected(node_a)
    assert behind.width() > 20 and behind.height() > 5        # the label lies over node a
    assert share_of_color(before, behind, background) < 0.1   # whose heatmaps show there
    assert share_of_color(during, behind, background) > 0.5   # and are hidden behind it
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert label.scene() is None                              # gone after the drop


def fill_color(button):
    """The color a tool button is filled with, left of its text."""
    image = button.grab().toImage()
    return image.pixelColor(3, image.height() // 2)


def test_toolbar_toggles_are_alike_checkable_tool_buttons(window, qtbot):
    bar = window.findChild(QToolBar, "run")
    toggles = [window.act_auto, *window.act_views.values()]
    buttons = [bar.widgetForAction(action) for action in toggles]
    assert all(isinstance(button, QToolButton) for button in buttons)
    assert all(button.defaultAction().isCheckable() for button in buttons)
    assert len({button.toolButtonStyle() for button in buttons}) == 1
    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight)
    auto, values, both = (bar.widgetForAction(a) for a in
                          (window.act_auto, window.act_views["values"], window.act_views["both"]))
    assert auto.isChecked() and both.isChecked() and not values.isChecked()
    assert fill_color(auto) == fill_color(both) == highlight
    unchecked = fill_color(values)
    assert unchecked != highlight
    QTest.mouseClick(values, Qt.MouseButton.LeftButton)
    QTest.mouseClick(auto, Qt.MouseButton.LeftButton)
    assert window.scene.view_mode == "values" and not window.act_auto.isChecked()
    assert fill_color(values) == highlight
    assert fill_color(auto) == fill_color(both) == unchecked


def test_the_palette_filter_shows_matches_and_enter_adds_the_best(window, qtbot):
    field, palette = window.palette_filter, window.palette
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    QTest.keyClicks(field, "pool")
    shown = [palette.topLevelItem(i).child(j).data(0, Qt.ItemDataRole.UserRole)
             for i in range(palette.topLevelItemCount())
             for j in range(palette.topLevelItem(i).childCount())
             if not palette.topLevelItem(i).child(j).isHidden()]
    assert shown and all("pool" in op or "pool" in OPS[op].doc.lower() for op in shown)
    assert {"maxpool2d", "avgpool2d"} <= set(shown) and "add" not in shown
    before = set(window.document.graph.nodes)
    QTest.keyClick(field, Qt.Key.Key_Return)
    added = set(window.document.graph.nodes) - before
    assert len(added) == 1 and window.document.graph.nodes[added.pop()].op == \
        palette.currentItem().data(0, Qt.ItemDataRole.UserRole)
    field.clear()
    assert not any(palette.topLevelItem(i).isHidden()
                   for i in range(palette.topLevelItemCount()))


def test_inputs_added_by_hand_draw_numbers_of_their_own(make_window, qtbot):
    """Three inputs added from quick-add are three different arrays (they all drew
    seed 0 from offset 0, so x*y + z had x equal to y)."""
    from tests.gui.conftest import add_with_quick_add
    window = make_window()
    QTest.keyClick(window.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not window.document.graph.nodes
    centre = window.view.viewport().rect().center()
    for dx in (-300, 0, 300):
        point = centre + QPoint(dx, 0)
        open_quick_add(window, point)
        add_with_quick_add(window, "input", "input", point)
    graph = window.document.graph
    assert [n.params["offset"] for n in graph.nodes.values()] == [0, 12, 24]
    graph_values = [graph.copy().run(target=n).value(n) for n in graph.nodes]
    assert not any((a == b).all() for i, a in enumerate(graph_values)
                   for b in graph_values[i + 1:])


def test_an_input_switched_from_values_to_a_fill_keeps_its_shape(make_window, qtbot, tmp_path):
    import numpy as np
    import gradviz
    g = gradviz.Graph()
    g.add("input", id="x", value=np.arange(12.0).reshape(2, 6))
    g.add("sum", "x", id="s")
    gradviz.save(g, tmp_path / "v.gradviz")
    window = make_window(str(tmp_path / "v.gradviz"))
    window.select(["x"])
    window.properties.fields["source"].setCurrentText("fill")
    params = window.document.graph.nodes["x"].params
    assert params["source"] == "fill" and tuple(params["shape"]) == (2, 6)
    window.properties.fields["source"].setCurrentText("randn")
    assert tuple(window.document.graph.nodes["x"].params["shape"]) == (2, 6)


def test_after_an_edit_the_view_stays_where_it_is_when_the_window_resizes(window, qtbot):
    """Fit All follows the window's size only until the graph is edited: a node added
    from the keyboard was refitted away from the pointer when a panel resized."""
    view = window.view
    view.fit_all()
    popup = open_quick_add(window)
    QTest.keyClicks(popup.search, "neg")
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert [n.op for n in window.document.graph.nodes.values()].count("neg") == 1
    zoom, width = view.zoom(), view.viewport().width()
    window.resize(window.width() - 300, window.height())
    qtbot.waitUntil(lambda: view.viewport().width() < width - 250)
    assert view.zoom() == zoom   # not fitted again (it would zoom out to fit)
