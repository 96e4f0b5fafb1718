"""What the window shows is the current state: Properties follows every change, the
status bar reports the latest run only, results of an earlier graph are marked stale,
and labels are used wherever the user reads a node's name."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QHelpEvent, QStatusTipEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from gradviz.core.examples import example_path
from gradviz.core.preview import Previews
from gradviz.core.views import get_view
from gradviz.gui import display, layout, theme
from gradviz.gui.legend import NUMBER_W, STALE_TEXT, legend_box, legend_rows
from tests.gui.conftest import add_with_quick_add, drag, move_pointer
from tests.gui.test_build_notebook import fitted_empty, set_field
from tests.gui.test_undo_history import click_header

CTRL = Qt.KeyboardModifier.ControlModifier


def quick_add_at(window, qtbot, op, scene_point):
    """Tab with the pointer at `scene_point`, type the op, Enter: the new node's id.
    (The offscreen platform does not give the activation back after a popup.)"""
    view = window.view
    view.zoom_100()
    view.centerOn(scene_point + QPointF(150, -100))   # the pointer off-centre
    point = view.mapFromScene(scene_point)
    move_pointer(view, point)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    add_with_quick_add(window, op, op, point)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window.scene.selected_node_ids()[0]


def info(window, row):
    return window.properties.info[row].text()


# ---- Properties -------------------------------------------------------------------------


def test_properties_follow_a_connection_made_with_the_mouse(window, qtbot):
    new = quick_add_at(window, qtbot, "tanh", QPointF(0, 450))
    assert info(window, "a") == "not connected" and info(window, "output") == "unknown"
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        drag(window.view, window.scene.nodes["b"].output_pos(),
             window.scene.nodes[new].input_pos("a"))
    assert info(window, "a") == "b 4×3" and info(window, "output") == "4×3"
    assert window.act_undo.text() == "Undo Connect b → tanh1"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)   # undo the connection
    assert info(window, "a") == "not connected" and info(window, "output") == "unknown"


def test_properties_show_undone_and_redone_values(window, qtbot):
    click_header(window, "c")
    before = window.properties.fields["axis"].text()
    set_field(window, "axis", "0")
    assert info(window, "output") == "3"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.properties.fields["axis"].text() == before
    assert info(window, "output") == "scalar"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert window.properties.fields["axis"].text() == "0" and info(window, "output") == "3"


def test_properties_clear_when_their_node_is_undone_away(window, qtbot):
    quick_add_at(window, qtbot, "exp", QPointF(0, 450))
    assert "label" in window.properties.fields
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.properties.fields == {} and window.properties.node_id is None


def test_properties_clear_when_another_example_opens(window, qtbot):
    click_header(window, "x")
    assert "source" in window.properties.fields
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.examples_menu.actions()[[a.text() for a in window.examples_menu.actions()]
                                       .index("cnn")].trigger()
    assert window.properties.fields == {}


# ---- the status bar -----------------------------------------------------------------------


def test_a_run_error_leaves_the_status_bar_once_a_run_succeeds(window, qtbot):
    click_header(window, "y")
    window.properties.fields["source"].setCurrentText("fill")
    with qtbot.waitSignal(window.runner.failed, timeout=10000):
        set_field(window, "shape", "5")
    assert window.statusBar().currentMessage().startswith("Cannot run")
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.statusBar().currentMessage() == ""
    assert window.status_label.text().startswith("∂ sum(c)")


# ---- stale results ------------------------------------------------------------------------


def stale_marks(window):
    """Which parts of the window carry the stale mark."""
    scene = window.scene
    return {"nodes": {n for n, item in scene.nodes.items() if item.stale},
            "legend": bool(scene.legend and scene.legend.get("stale")),
            "status": window.status_label.text().startswith("stale")}


def test_with_auto_run_off_an_edit_marks_the_results_stale_until_a_run(window, qtbot):
    window.act_auto.trigger()
    assert not window.act_auto.isChecked()
    click_header(window, "x")
    set_field(window, "label", "renamed")   # a label is not a result: nothing stale
    assert stale_marks(window) == {"nodes": set(), "legend": False, "status": False}
    window.properties.fields["source"].setCurrentText("fill")
    marks = stale_marks(window)
    assert marks == {"nodes": set("xyzabc"), "legend": True, "status": True}
    assert window.scene.nodes["a"].body.opacity() < 1
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_F5)
    assert stale_marks(window) == {"nodes": set(), "legend": False, "status": False}
    assert window.scene.nodes["a"].body.opacity() == 1


def test_after_a_failed_run_the_old_results_are_stale(window, qtbot):
    click_header(window, "y")
    window.properties.fields["source"].setCurrentText("fill")
    with qtbot.waitSignal(window.runner.failed, timeout=10000):
        set_field(window, "shape", "5")
    assert stale_marks(window)["nodes"] == set("xyzabc")
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert stale_marks(window) == {"nodes": set(), "legend": False, "status": False}


def amber_pixels_in_legend(window):
    """Pixels of the stale color in the legend's corner of the canvas."""
    image = window.view.viewport().grab().toImage()
    w, h = image.width(), image.height()
    stale = theme.STALE
    return sum(1 for x in range(w - 260, w, 2) for y in range(h - 200, h, 2)
               if abs(image.pixelColor(x, y).red() - stale.red()) < 40
               and abs(image.pixelColor(x, y).green() - stale.green()) < 40
               and abs(image.pixelColor(x, y).blue() - stale.blue()) < 40)


def test_the_legend_says_stale(window, qtbot):
    current = amber_pixels_in_legend(window)
    window.act_auto.trigger()
    window.document.set_params("z", {"source": "fill", "fill": 3.0, "shape": (4, 3)})
    assert window.scene.legend["stale"] and STALE_TEXT.startswith("stale")
    assert amber_pixels_in_legend(window) > current + 20


# ---- labels ---------------------------------------------------------------------------------


def test_a_renamed_node_is_called_by_its_label(window, qtbot):
    click_header(window, "c")
    set_field(window, "label", "loss")
    assert window.status_label.text().startswith("∂ sum(loss)")
    box = window.target_box
    assert "loss" in [box.itemText(i) for i in range(box.count())]
    edge = window.document.graph.input_edge("c", "a")
    assert window.scene.edge_tooltip(edge).startswith("b → loss.a")


def test_a_file_opened_with_labels_reads_them_in_the_run_table(tmp_path):
    import gradviz
    from gradviz.report import text_report
    g = gradviz.load(example_path("seed"))
    g.set_label("c", "loss")
    g.set_label("x", "weights")
    report = text_report(g, g.run())
    assert "gradients of sum(loss)" in report and "\nweights " in report


# ---- hover text ------------------------------------------------------------------------------


def cell_point(window, node_id, panel, row, col):
    """The viewport point at the centre of a heatmap cell."""
    heatmap = window.scene.nodes[node_id].body.maps[panel][1]
    return window.view.mapFromScene(heatmap.mapToScene(QPointF(col + 0.5, row + 0.5)))


def hover_and_hold(window, point):
    """Move there, then what Qt sends when the pointer rests (the tooltip event)."""
    vp = window.view.viewport()
    move_pointer(window.view, point)
    QApplication.sendEvent(vp, QHelpEvent(QEvent.Type.ToolTip, point, vp.mapToGlobal(point)))
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_a_cells_text_stays_while_the_pointer_rests_and_follows_it(window, qtbot):
    window.view.zoom_100()
    window.view.centerOn(window.scene.nodes["x"])
    value = window.last_result.value("x")
    assert hover_and_hold(window, cell_point(window, "x", 0, 1, 2)).startswith(
        f"x[1, 2]\nvalue = {float(value[1, 2])!r}")
    assert hover_and_hold(window, cell_point(window, "x", 0, 3, 0)).startswith("x[3, 0]")
    header = window.view.mapFromScene(window.scene.nodes["x"].mapToScene(QPointF(60, 12)))
    assert "An array that enters the graph" in hover_and_hold(window, header)


# ---- numbers in cells -------------------------------------------------------------------------


def test_numbers_appear_in_cells_big_enough_and_the_view_menu_turns_them_off(window, qtbot):
    view = window.view
    view.zoom_100()
    view.centerOn(window.scene.nodes["a"])
    heatmap = window.scene.nodes["a"].body.maps[0][1]   # a's values, 4x3
    view.viewport().grab()
    assert heatmap.printed == {}   # at 100 % a value such as -0.0632 does not fit
    for _ in range(3):
        QTest.keyClick(view, Qt.Key.Key_Equal, CTRL)    # zoom in
    view.centerOn(window.scene.nodes["a"])
    view.viewport().grab()
    value = window.last_result.value("a")
    assert heatmap.printed == {(r, c): f"{value[r, c]:.3g}" for r in range(4) for c in range(3)}
    window.act_numbers.trigger()   # View ▸ Numbers in Cells
    view.viewport().grab()
    assert heatmap.printed == {} and not window.settings.value("numbers_in_cells", type=bool)


# ---- a graph under construction ---------------------------------------------------------------


def test_a_new_graph_shows_values_as_it_is_built(window, qtbot):
    QTest.keyClick(window.view, Qt.Key.Key_N, CTRL)
    assert window.document.graph.nodes == {}
    qtbot.waitUntil(lambda: fitted_empty(window.view))   # the new document's fit ran
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        first = quick_add_at(window, qtbot, "input", QPointF(0, 0))
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        second = quick_add_at(window, qtbot, "input", QPointF(0, 260))
    result = run.args[0]
    assert result.target is None   # two outputs, none chosen: values all the same
    for node_id in (first, second):
        assert window.scene.nodes[node_id].body is not None
    assert "choose the one to differentiate" in window.status_label.text()
    assert "Differentiate This Node" in window.status_label.text()
    product = quick_add_at(window, qtbot, "mul", QPointF(300, 100))
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        drag(window.view, window.scene.nodes[first].output_pos(),
             window.scene.nodes[product].input_pos("a"))
    assert window.scene.nodes[product].waiting
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        drag(window.view, window.scene.nodes[second].output_pos(),
             window.scene.nodes[product].input_pos("b"))
    result = run.args[0]
    assert result.target == product    # the single output: gradients appear
    assert (result.value(product) == result.value(first) * result.value(second)).all()
    assert (result.grad(first) == result.value(second)).all()
    assert window.status_label.text().startswith(f"∂ sum({product})")


# ---- color scales ---------------------------------------------------------------------------------


def test_the_shared_scale_leaves_out_the_seed_gradient(make_window, qtbot):
    """cnn's gradients are about ±0.1: the loss's own gradient (1) must not set the
    shared limit, or they all look white."""
    window = make_window(str(example_path("cnn")))
    window.act_shared.trigger()   # repaints the last run
    result = window.last_result
    view = get_view(window.scene.view_mode)

    def shown(node_id, kind):   # the largest |x| of the whole array, as limits are
        preview = display.node_preview(Previews.of(result), node_id, kind, view)
        array = result.value(node_id) if kind == "value" else result.grad(node_id)
        return 0.0 if preview is None else float(np.abs(array).max())
    others = [shown(n, "grad") for n in result.order if n != result.target]
    limits = window.scene.legend["limits"]
    assert limits["grad"] == max(others) < 1   # not the seed's 1
    assert limits["value"] == max(shown(n, "value") for n in result.order)


def test_robust_limits_use_the_99th_percentile_and_say_so(window, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.document.set_params("x", {"source": "value", "value": np.where(
            np.arange(12).reshape(4, 3) == 5, 100.0, 0.1)})
    window.act_robust.trigger()
    x = window.last_result.value("x")
    panel = window.scene.nodes["x"].body.panels[0]
    assert panel.high == pytest.approx(np.percentile(abs(x), 99)) and panel.high < 100
    rows = legend_rows(window.scene.legend)
    assert "(p99 of |x|)" in rows[0][0]


def test_thin_arrays_fill_their_panel_with_cells_big_enough_to_point_at(make_window, qtbot):
    """cnn's W (64x3) and flat (4x64) were strips a few pixels wide: now each fills its
    panel in the thin direction, and no cell is under 3 pixels a side at 100 %."""
    window = make_window(str(example_path("cnn")))
    window.view.zoom_100()
    width = layout.room(2).width
    for node_id in ("W", "flat"):
        heatmap = window.scene.nodes[node_id].body.maps[0][1]
        w, h = heatmap.pixel_size()
        rows, cols = heatmap.grid_shape
        assert min(w, h) >= 0.3 * width and w <= width + 0.01
        assert w / cols >= layout.MIN_CELL and h / rows >= layout.MIN_CELL
    images = window.scene.nodes["images"].body.maps[0][1].transform()
    assert images.m11() == images.m22()   # tiled images keep square cells


# ---- layout: nothing covers anything ----------------------------------------------------------


def test_a_node_keeps_its_size_when_its_first_run_arrives(window, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        new = quick_add_at(window, qtbot, "input", QPointF(0, 600))
        before = window.scene.nodes[new].sceneBoundingRect()
        assert window.scene.nodes[new].body is None   # not run yet
    assert window.scene.nodes[new].body is not None
    assert window.scene.nodes[new].sceneBoundingRect() == before


def test_a_dragged_node_passes_over_the_others(window, qtbot):
    scene = window.scene
    drag(window.view, scene.nodes["x"].mapToScene(QPointF(60, 12)),
         scene.nodes["a"].mapToScene(QPointF(60, 40)))
    assert scene.nodes["x"].zValue() > max(scene.nodes[n].zValue() for n in "yzabc")
    assert scene.items(scene.nodes["a"].mapToScene(QPointF(100, 60)))[0].topLevelItem() \
        is scene.nodes["x"]


def test_fit_all_leaves_the_legend_and_minimap_uncovered(make_window, qtbot):
    window = make_window(str(example_path("cnn")))
    view = window.view
    QTest.keyClick(view, Qt.Key.Key_Home)
    overlays = [legend_box(QRectF(view.viewport().rect()), window.scene.legend),
                view.minimap.frame()]
    for item in window.scene.nodes.values():
        on_screen = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert QRectF(view.viewport().rect()).contains(QRectF(on_screen))
        assert not any(QRectF(on_screen).intersects(box) for box in overlays)


# ---- the canvas follows the document ----------------------------------------------------------


def on_screen(window, viewport_rect):
    """What the window shows (its backing store) in a rectangle of the canvas."""
    vp = window.view.viewport()
    top_left = vp.mapTo(window, viewport_rect.topLeft().toPoint())
    image = QApplication.primaryScreen().grabWindow(window.winId()).toImage()
    return image.copy(top_left.x(), top_left.y(), int(viewport_rect.width()),
                      int(viewport_rect.height()))


def test_the_minimap_follows_nodes_as_they_are_added(window, qtbot):
    window.act_auto.trigger()   # no run to repaint the canvas as a side effect
    QTest.keyClick(window.view, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: fitted_empty(window.view))
    window.document.add_node("input", (0.0, 0.0))
    frame = window.view.minimap.frame()
    before = on_screen(window, frame)
    window.document.add_node("input", (2500.0, 2500.0))   # far outside the view
    qtbot.waitUntil(lambda: on_screen(window, frame) != before, timeout=3000)


def test_new_drops_the_old_description_and_examples_keep_their_name(window, qtbot):
    assert window.view.toolTip().startswith("The notebook's graph")
    QTest.keyClick(window.view, Qt.Key.Key_N, CTRL)
    assert window.view.toolTip() == ""
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.examples_menu.actions()[[a.text() for a in window.examples_menu.actions()]
                                       .index("cnn")].trigger()
    assert window.windowTitle().startswith("cnn (example)")
    assert window.document.path is None   # saving asks where: the example stays as it is


def test_a_file_opened_at_start_up_is_fitted_to_the_window(make_window, qtbot):
    window = make_window(str(example_path("cnn")))
    view = window.view
    qtbot.waitUntil(lambda: all(
        QRectF(view.viewport().rect()).contains(
            QRectF(view.mapFromScene(item.sceneBoundingRect()).boundingRect()))
        for item in window.scene.nodes.values()), timeout=3000)


def test_the_fit_follows_the_window_until_the_user_moves_the_view(make_window, qtbot):
    """At start-up a window manager may resize the window after the first fit."""
    window = make_window(str(example_path("cnn")))
    view = window.view
    zoom = view.zoom()
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: view.zoom() > zoom, timeout=3000)
    QTest.keyClick(view, Qt.Key.Key_Equal, CTRL)   # the user zooms: the fit lets go
    zoom = view.zoom()
    window.resize(1300, 850)
    qtbot.waitUntil(lambda: view.viewport().width() < 1000, timeout=3000)
    assert view.zoom() == zoom


def test_the_inspector_names_by_label_and_marks_stale_results(window, qtbot):
    click_header(window, "x")
    assert window.inspector.title.text().startswith("<b>x</b>")
    set_field(window, "label", "weights")
    assert window.inspector.title.text().startswith("<b>weights</b>")
    window.act_auto.trigger()
    window.properties.fields["source"].setCurrentText("fill")
    assert "stale: not the current graph" in window.inspector.title.text()
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_F5)
    assert "stale" not in window.inspector.title.text()
    np.testing.assert_array_equal(window.inspector.arrays["value"], np.ones((4, 3)))


def test_undoing_a_node_releases_its_arrays(window, qtbot):
    """Nothing keeps a removed node's value or gradient once the next run is in."""
    import gc
    import weakref
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        new = window.document.add_node("input", (0.0, 700.0),
                                       {"source": "randn", "shape": (500, 400)})
        window.document.set_target(new)
    held = [weakref.ref(run.args[0].device_value(new)), weakref.ref(run.args[0].device_grad(new))]
    click_header(window, new)   # the inspector and the properties show it too
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
        QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    del run
    gc.collect()
    assert [ref() is None for ref in held] == [True, True]


def test_ctrl_z_right_after_committing_a_field_undoes_the_edit(window, qtbot):
    """Type in a Properties field, Enter, Ctrl+Z (the field still has the focus): the
    document's edit is undone, as in any desktop app."""
    click_header(window, "c")
    field = window.properties.fields["axis"]
    before = field.text()
    set_field(window, "axis", "0")
    assert window.document.graph.nodes["c"].params["axis"] == 0
    assert field.hasFocus()
    QTest.keyClick(field, Qt.Key.Key_Z, CTRL)
    assert window.document.graph.nodes["c"].params["axis"] is None
    assert window.properties.fields["axis"].text() == before
    QTest.keyClick(window.properties.fields["axis"], Qt.Key.Key_Z,
                   CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert window.document.graph.nodes["c"].params["axis"] == 0


# ---- found by using the app under X -------------------------------------------------------------


def test_the_legend_has_room_for_negative_limits(make_window, qtbot):
    window = make_window(str(example_path("cnn")))
    window.act_shared.trigger()
    font = QFont("DejaVu Sans")
    font.setPointSizeF(7.5)
    widest = max(QFontMetricsF(font).horizontalAdvance(left)
                 for _, left, _, _ in legend_rows(window.scene.legend))
    assert widest <= NUMBER_W


def test_a_run_error_stays_readable_while_menus_show_their_tips(window, qtbot):
    click_header(window, "y")
    window.properties.fields["source"].setCurrentText("fill")
    with qtbot.waitSignal(window.runner.failed, timeout=10000):
        set_field(window, "shape", "5")
    QApplication.sendEvent(window, QStatusTipEvent("Open a graph"))   # hovering a menu
    assert window.statusBar().currentMessage() == "Open a graph"
    assert window.status_label.text().startswith("Cannot run:")
    assert "do not broadcast" in window.status_label.toolTip()


def test_a_duplicate_is_scrolled_into_view_and_named_so(window, qtbot):
    view = window.view
    view.zoom_by(2.5)
    view.centerOn(window.scene.nodes["x"])
    click_header(window, "x")
    QTest.keyClick(view, Qt.Key.Key_D, CTRL)
    copy = window.scene.selected_node_ids()[0]
    on_screen = view.mapFromScene(window.scene.nodes[copy].sceneBoundingRect()).boundingRect()
    assert view.viewport().rect().intersects(on_screen)
    assert window.act_undo.text() == "Undo Duplicate 1 node"


def test_a_one_row_array_reserves_one_row(make_window, qtbot):
    """cnn's labels (4 numbers) was a tall, mostly empty box."""
    window = make_window(str(example_path("cnn")))
    item = window.scene.nodes["labels"]
    heatmap_bottom = item.body.mapToParent(0, item.body.height()).y()
    assert item.boundingRect().height() - heatmap_bottom < 20


def test_new_clears_the_old_description_from_the_status_bar(window, qtbot):
    assert window.statusBar().currentMessage().startswith("The notebook's graph")
    QTest.keyClick(window.view, Qt.Key.Key_N, CTRL)
    assert window.statusBar().currentMessage() == ""


def test_a_renamed_nodes_tooltip_leads_with_its_name(window, qtbot):
    click_header(window, "a")
    set_field(window, "label", "prod")
    assert window.scene.nodes["a"].toolTip().startswith("prod (id a) · Multiply")


# ---- the formula bar ---------------------------------------------------------------------------


def type_formula(window, text):
    QTest.keyClick(window.view, Qt.Key.Key_L, CTRL)
    assert window.formula.hasFocus()
    QTest.keyClicks(window.formula, text)
    QTest.keyClick(window.formula, Qt.Key.Key_Return)


def test_a_new_graph_from_one_formula_is_one_undo_step(window, qtbot):
    QTest.keyClick(window.view, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: fitted_empty(window.view))
    window.activateWindow()   # the offscreen platform may not keep it active
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        type_formula(window, "c = sum(x*y + z)")
    graph, result = window.document.graph, run.args[0]
    assert {"x", "y", "z", "c"} <= set(graph.nodes) and len(graph.nodes) == 6
    x, y, z = (result.value(n) for n in "xyz")
    assert float(result.value("c")) == pytest.approx(float(np.sum(x * y + z)))
    assert sorted(window.scene.selected_node_ids()) == sorted(graph.nodes)
    assert window.act_undo.text() == "Undo Formula c = sum(x*y + z)"
    for edge in graph.edges:   # laid out left to right, covering nothing
        assert graph.nodes[edge.src].pos[0] < graph.nodes[edge.dst].pos[0]
    window.activateWindow()   # offscreen, a tooltip shown over the new nodes takes it
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window.formula, Qt.Key.Key_Z, CTRL)   # the field has the focus
    assert window.document.graph.nodes == {}


def test_a_formula_wires_into_the_graph_by_label(window, qtbot):
    click_header(window, "c")
    set_field(window, "label", "loss")
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        type_formula(window, "d = tanh(loss) * 2")
    graph, result = window.document.graph, run.args[0]
    tanh = next(n for n in graph.nodes if graph.nodes[n].op == "tanh")
    assert graph.inputs_of(tanh) == ["c"]
    assert float(result.value("d")) == pytest.approx(2 * np.tanh(float(result.value("c"))))


def test_a_formula_error_names_its_column_and_changes_nothing(window, qtbot):
    before = window.document.saved_json()
    type_formula(window, "d = c.size")
    assert window.statusBar().currentMessage() == \
        "Formula: column 5: Attribute is not allowed in a formula (ops, + - * / @ **, " \
        "names and numbers are)"
    assert window.formula.text() == "d = c.size" and window.document.saved_json() == before
    window.formula.clear()
    type_formula(window, "e = a @ b")   # 4x3 @ 4x3: refused, nothing added
    assert window.statusBar().currentMessage().startswith("Formula: ")
    assert "matmul" in window.statusBar().currentMessage()
    assert window.document.saved_json() == before


def test_properties_show_one_form_at_a_time(window, qtbot):
    """An old form left in the panel until the next event loop stacked under the new."""
    panel = window.properties
    for node_id in ("x", "y", "c"):
        click_header(window, node_id)
        laid_out = [panel.layout_.itemAt(i).widget() for i in range(panel.layout_.count())]
        assert [w for w in laid_out if w is not panel.error] == [panel.body]


def test_a_long_message_is_elided_before_the_label_on_the_right(make_window, qtbot):
    """The playground's description ran under "∂ sum(loss) · cpu · … ms"."""
    window = make_window(str(example_path("playground")))
    bar = window.statusBar()
    description = window.document.graph.description
    window.show_message(description)
    shown = bar.currentMessage()
    assert shown.endswith("…") and description.startswith(shown[:-1])
    assert bar.toolTip() == description
    room = bar.width() - window.status_label.width()
    assert bar.fontMetrics().horizontalAdvance(shown) < room


def test_the_message_makes_room_when_the_label_on_the_right_grows(window, qtbot):
    """Switching files: the description was elided for the previous file's label."""
    bar = window.statusBar()
    window.status_label.setText("")
    window.show_message("x " * 400)   # elided for an empty label
    window._show_run_status()          # the label says what the run is again
    assert window.status_label.text().startswith("∂ sum(c)")
    room = bar.width() - window.status_label.sizeHint().width()
    assert bar.fontMetrics().horizontalAdvance(bar.currentMessage()) < room
