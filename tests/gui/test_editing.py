"""Editing on the canvas: wiring rules, delete, copy/paste, rename, zoom, quick add."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import (add_refused_input, add_with_quick_add, drag, header_point,
                                move_pointer, press_and_move)
from tests.gui.test_behaviours import empty_spot


def test_cycle_is_refused_and_nothing_changes(window, qtbot):
    doc = window.document
    before = doc.saved_json()
    scene = window.scene
    # c's output back into a's input would close a loop.
    drag(window.view, scene.nodes["c"].output_pos(), scene.nodes["a"].input_pos("a"))
    assert doc.saved_json() == before
    assert "cycle" in window.statusBar().currentMessage()
    assert not doc.undo_stack.canUndo()


def test_shape_mismatch_is_refused_while_dragging_and_after(window, qtbot):
    doc, scene, vp = window.document, window.scene, window.view.viewport()
    start, end = add_refused_input(window)
    before = doc.saved_json()
    end = press_and_move(window.view, start, end)
    port = scene.nodes["a"].inputs["b"]
    assert port.brush().color() == __import__("gradviz.gui.theme").gui.theme.PORT_BAD
    assert "do not broadcast" in scene._drag.hint.text()
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert doc.saved_json() == before
    assert "(4, 3) and (5,) do not broadcast" in window.statusBar().currentMessage()


def test_drop_on_empty_canvas_offers_ops_and_drop_on_input_replaces(window, qtbot):
    doc, scene = window.document, window.scene
    before = doc.saved_json()
    drag(window.view, scene.nodes["z"].output_pos(), QPointF(900, 900))
    assert window.quick_add.isVisible()          # nothing changes unless an op is chosen
    QTest.keyClick(window.quick_add.search, Qt.Key.Key_Escape)
    assert not window.quick_add.isVisible() and doc.saved_json() == before
    # From an input port to an output (the other direction) replaces what fed b.b.
    drag(window.view, scene.nodes["b"].input_pos("b"), scene.nodes["x"].output_pos())
    assert doc.graph.input_edge("b", "b").src == "x"
    assert window.act_undo.text() == "Undo Connect x → b"
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.saved_json() == before


def test_delete_node_with_its_edges_then_undo(window, qtbot):
    doc, scene = window.document, window.scene
    before = doc.saved_json()
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     window.view.mapFromScene(header_point(scene.nodes["a"])))
    assert scene.selected_node_ids() == ["a"]
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "a" not in doc.graph.nodes and len(doc.graph.edges) == 2
    assert "a" not in scene.nodes and len(scene.edges) == 2
    assert window.act_undo.text() == "Undo Delete a"
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.saved_json() == before and len(scene.edges) == 5


def test_select_all_copy_paste_between_windows(make_window, qtbot):
    first = make_window()
    second = make_window()
    second.new_document()
    first.activateWindow()
    qtbot.waitUntil(first.isActiveWindow)
    QTest.keyClick(first.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(first.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert '"format": "gradviz"' in QApplication.clipboard().text()
    second.activateWindow()
    qtbot.waitUntil(second.isActiveWindow)
    with qtbot.waitSignal(second.runner.finished, timeout=10000) as blocker:
        QTest.keyClick(second.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert sorted(second.document.graph.nodes) == sorted(first.document.graph.nodes)
    assert len(second.document.graph.edges) == 5
    assert float(blocker.args[0].value("c")) == 6.770325017108724


def test_duplicate_gives_fresh_ids_and_keeps_inner_edges(window, qtbot):
    doc, scene = window.document, window.scene
    for node_id in ("x", "y", "a"):
        scene.nodes[node_id].setSelected(True)
    QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    new = sorted(scene.selected_node_ids())
    assert new == ["a1", "x1", "y1"]
    assert {(e.src, e.dst) for e in doc.graph.edges if e.dst == "a1"} == {("x1", "a1"),
                                                                          ("y1", "a1")}
    pos = {n: doc.graph.nodes[n].pos for n in doc.graph.nodes}
    assert (pos["y1"][0] - pos["x1"][0], pos["y1"][1] - pos["x1"][1]) == \
        (pos["y"][0] - pos["x"][0], pos["y"][1] - pos["x"][1])   # the group keeps its shape
    for copy in new:   # and lands where it covers nothing
        for other in "xyzabc":
            assert not scene.nodes[copy].sceneBoundingRect().intersects(
                scene.nodes[other].sceneBoundingRect())


def test_paste_of_junk_says_so(window, qtbot):
    QApplication.clipboard().setText("not a graph")
    before = window.document.saved_json()
    QTest.keyClick(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.document.saved_json() == before
    assert "no gradviz graph" in window.statusBar().currentMessage()


def test_rename_by_double_clicking_the_title(window, qtbot):
    item = window.scene.nodes["a"]
    point = window.view.mapFromScene(header_point(item))
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, point)
    QTest.keyClicks(window.view.viewport(), "product")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return)
    assert window.document.graph.nodes["a"].label == "product"
    assert window.act_undo.text() == "Undo Rename a to product"
    assert item.title.toPlainText() == "product"


def test_one_drag_is_one_undo_step(window, qtbot):
    doc = window.document
    window.view.zoom_100()
    item = window.scene.nodes["x"]
    start = doc.graph.nodes["x"].pos
    drag(window.view, header_point(item), header_point(item) + QPointF(120, 60), steps=8)
    assert doc.graph.nodes["x"].pos == (start[0] + 120, start[1] + 60)
    assert doc.undo_stack.count() == 1 and window.act_undo.text() == "Undo Move x"
    doc.undo_stack.undo()
    assert doc.graph.nodes["x"].pos == start and item.pos() == QPointF(*start)


def test_quick_add_on_tab_places_node_under_cursor(window, qtbot):
    view = window.view
    view.zoom_100()
    view.centerOn(QPointF(150, 500))    # the pointer goes off-centre, at (0, 600)
    point = view.mapFromScene(QPointF(0, 600))
    move_pointer(view, point)
    assert view.pointer_scene_pos() == view.mapToScene(point)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    add_with_quick_add(window, "sum", "sum", point)   # centred under the pointer
    new = window.scene.selected_node_ids()[0]
    x, y = window.document.graph.nodes[new].pos
    assert abs(x + 90) <= 1 and abs(y + 30 - 600) <= 1


def test_tab_key_opens_quick_add(window, qtbot):
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.quick_add.isVisible()
    QTest.keyClick(window.quick_add.search, Qt.Key.Key_Escape)


def test_zoom_fit_and_reset(window, qtbot):
    view = window.view
    view.zoom_100()
    assert view.zoom() == pytest.approx(1.0)
    QTest.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.25)
    QTest.keyClick(view, Qt.Key.Key_Home)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.itemsBoundingRect())
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.0)


def test_wheel_zooms_around_the_cursor(window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    view = window.view
    view.zoom_100()
    anchor = view.viewport().rect().center() + QPoint(100, 50)
    before = view.mapToScene(anchor)
    event = QWheelEvent(QPointF(anchor), QPointF(view.viewport().mapToGlobal(anchor)),
                        QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() > 1.1
    after = view.mapToScene(anchor)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2


def test_param_edit_in_properties_is_live_and_undoable(window, qtbot):
    scene = window.scene
    scene.nodes["c"].setSelected(True)
    field = window.properties.fields["axis"]
    field.setFocus()
    field.selectAll()
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        QTest.keyClicks(field, "0")
        QTest.keyClick(field, Qt.Key.Key_Return)
    assert blocker.args[0].value("c").shape == (3,)
    assert window.act_undo.text() == "Undo Change axis of c"


def test_error_is_shown_on_the_node_not_in_a_dialog(window, qtbot):
    doc = window.document
    with qtbot.waitSignal(window.runner.failed, timeout=10000):
        doc.set_params("y", {"source": "fill", "fill": 1.0, "shape": (5,)})
    item = window.scene.nodes["a"]
    assert item.error and "(4, 3) and (5,) do not broadcast" in item.error
    assert "do not broadcast" in item.toolTip()
    assert "Cannot run" in window.statusBar().currentMessage()
    assert QApplication.activeModalWidget() is None
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        doc.undo_stack.undo()
    assert item.error is None


def test_a_node_waiting_for_inputs_does_not_stop_the_rest(window, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        new = window.add_op("tanh", QPointF(0, 500))
    result = blocker.args[0]
    assert result.waiting == [new] and float(result.value("c")) == 6.770325017108724
    assert window.scene.nodes[new].waiting and window.scene.nodes[new].error is None
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        window.document.delete(edges=[window.document.graph.input_edge("c", "a")])
    assert blocker.args[0].target is None and window.scene.nodes["c"].waiting
    assert "c cannot be differentiated yet" in window.status_label.text()


def test_target_from_the_context_action(window, qtbot):
    window.scene.nodes["b"].setSelected(True)
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        window.act_target_here.trigger()
    assert blocker.args[0].target == "b"
    assert window.target_box.currentData() == "b"
    assert window.scene.nodes["b"].is_target and not window.scene.nodes["c"].is_target


def gpu_answers(monkeypatch, available, reason):
    """The GPU device kind, with its status check answering (available, reason)."""
    import dataclasses

    from gradviz.core.devices import DEVICE_KINDS
    monkeypatch.setitem(DEVICE_KINDS, "gpu", dataclasses.replace(
        DEVICE_KINDS["gpu"], status=lambda: (available, reason)))


def test_gpu_entry_is_disabled_with_its_reason_without_cupy(window, qtbot, monkeypatch):
    gpu_answers(monkeypatch, False, "CuPy is not installed")
    item = window.device_box.model().item(window.device_box.findData("gpu"))
    with qtbot.waitSignal(window._device_checked, timeout=5000,
                          check_params_cb=lambda name, *_: name == "gpu"):
        window.check_devices()
    qtbot.waitUntil(lambda: item.toolTip() == "Unavailable: CuPy is not installed")
    assert not item.isEnabled()


def test_gpu_entry_enables_where_a_gpu_answers(window, qtbot, monkeypatch):
    gpu_answers(monkeypatch, True, "1 CUDA GPU(s)")
    item = window.device_box.model().item(window.device_box.findData("gpu"))
    window.check_devices()
    qtbot.waitUntil(item.isEnabled)
    assert item.toolTip() == "1 CUDA GPU(s)"


def test_float32_is_a_document_setting(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        window.dtype_box.textActivated.emit("float32")
    assert blocker.args[0].value("c").dtype == np.float32
    assert window.act_undo.text() == "Undo Run in float32"
    window.save_to(str(tmp_path / "f32.gradviz"))
    import gradviz
    assert gradviz.load(tmp_path / "f32.gradviz").dtype == "float32"


def test_middle_drag_pans_the_canvas(window, qtbot):
    view = window.view
    center = view.viewport().rect().center()
    before = view.mapToScene(center)
    from tests.gui.conftest import drag
    drag(view, view.mapToScene(center), view.mapToScene(center + QPoint(120, 40)),
         button=Qt.MouseButton.MiddleButton)
    after = view.mapToScene(center)
    assert after.x() == pytest.approx(before.x() - 120 / view.zoom(), abs=2)
    assert after.y() == pytest.approx(before.y() - 40 / view.zoom(), abs=2)
    assert window.document.undo_stack.count() == 0   # panning is not an edit


def test_space_drag_pans_instead_of_selecting(window, qtbot):
    view = window.view
    view.setFocus()
    QTest.keyPress(view, Qt.Key.Key_Space)
    assert view.dragMode() == view.DragMode.ScrollHandDrag
    QTest.keyRelease(view, Qt.Key.Key_Space)
    assert view.dragMode() == view.DragMode.RubberBandDrag


def test_dropping_an_op_from_the_palette_adds_it_there(window, qtbot):
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    mime = window.palette.mimeData([window.palette.item_for("relu")])
    vp = window.view.viewport()
    point = empty_spot(window.view)   # a drop on other nodes lands beside them
    where = window.view.mapToScene(point)
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)
    QApplication.sendEvent(vp, QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime,
                                          Qt.MouseButton.LeftButton,
                                          Qt.KeyboardModifier.NoModifier))
    new = window.scene.selected_node_ids()
    assert len(new) == 1 and window.document.graph.nodes[new[0]].op == "relu"
    assert window.document.graph.nodes[new[0]].pos == (round(where.x() - 90),
                                                       round(where.y() - 30))


def test_unexpected_error_is_logged_and_shown_once(window, qtbot, caplog):
    from gradviz.gui.app import _excepthook
    from tests.gui.conftest import answer_next_dialog
    hook = _excepthook(window)
    seen = []
    answer_next_dialog("OK", seen)
    try:
        raise ValueError("boom")
    except ValueError as e:
        hook(type(e), e, e.__traceback__)
        hook(type(e), e, e.__traceback__)   # the same again: status bar only
    assert len(seen) == 1 and "ValueError: boom" in seen[0]
    assert "Error: boom" in window.statusBar().currentMessage()
    assert caplog.text.count("ValueError: boom") == 2


def test_paste_lands_under_the_mouse_pointer(window, qtbot):
    view = window.view
    window.scene.nodes["x"].setSelected(True)
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    point = empty_spot(view)   # over other nodes, a paste lands beside them
    move_pointer(view, point)
    target = view.mapToScene(point)
    QTest.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    new = window.scene.selected_node_ids()
    pos = window.document.graph.nodes[new[0]].pos
    assert abs(pos[0] - target.x()) <= 2 and abs(pos[1] - target.y()) <= 2


def test_quick_add_preselects_the_op_whose_name_starts_with_the_text(window, qtbot):
    window.show_quick_add(QPointF(0, 0))
    QTest.keyClicks(window.quick_add.search, "po")
    assert window.quick_add.list.currentItem().data(Qt.ItemDataRole.UserRole) == "pow"
    QTest.keyClick(window.quick_add.search, Qt.Key.Key_Escape)


def test_value_table_edits_are_live_undoable_and_keep_the_table(make_window, qtbot, tmp_path):
    import gradviz
    g = gradviz.Graph()
    g.add("input", id="v", value=np.array([[1.0, 2.0], [3.0, 4.0]]))
    g.add("sum", "v", id="s", pos=(260, 0))
    gradviz.save(g, tmp_path / "v.gradviz")
    window = make_window(str(tmp_path / "v.gradviz"))
    window.scene.nodes["v"].setSelected(True)
    table = window.properties.fields["value"].table

    def edit(row, col, text):
        rect = table.visualRect(table.model().index(row, col))
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, rect.center())
        QTest.keyClick(table, Qt.Key.Key_F2)          # edit the current cell
        editor = QApplication.focusWidget()
        editor.selectAll()
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, Qt.Key.Key_Return)

    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        edit(0, 1, "10")
    assert float(blocker.args[0].value("s")) == 18.0
    assert window.properties.fields["value"].table is table     # not rebuilt
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        edit(1, 0, "-3")
    assert float(blocker.args[0].value("s")) == 12.0
    assert window.act_undo.text() == "Undo Change value of v"
    window.document.undo_stack.undo()
    np.testing.assert_array_equal(window.document.graph.nodes["v"].params["value"],
                                  [[1.0, 10.0], [3.0, 4.0]])
    assert table.model().data(table.model().index(0, 1)) == "10"


def test_right_click_on_an_edge_offers_disconnect(window, qtbot):
    edge = window.scene.edges[("b", "a")]
    point = window.view.mapFromScene(edge.path().pointAtPercent(0.25))
    from PySide6.QtGui import QContextMenuEvent
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                              window.view.viewport().mapToGlobal(point))
    QApplication.sendEvent(window.view.viewport(), event)
    menu = window._menu
    assert edge.isSelected()
    disconnect = next(a for a in menu.actions() if a.text() == "Disconnect")
    disconnect.trigger()
    menu.close()
    assert window.document.graph.input_edge("b", "a") is None
    assert window.act_undo.text() == "Undo Disconnect a → b"


def test_undoing_the_deletion_of_the_target_restores_it(window, qtbot):
    doc = window.document
    before = doc.saved_json()
    assert doc.graph.target == "c"
    doc.delete(["c"])
    assert doc.graph.target is None
    doc.undo_stack.undo()
    assert doc.graph.target == "c" and doc.saved_json() == before


def test_switching_an_input_to_explicit_values_starts_from_its_draws(window, qtbot):
    window.scene.nodes["x"].setSelected(True)
    box = window.properties.fields["source"]
    drawn = np.array(window.last_result.value("x"))
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        box.setFocus()
        QTest.keyClick(box, Qt.Key.Key_Up)    # randn -> value, the entry above it
    np.testing.assert_array_equal(window.document.graph.nodes["x"].params["value"], drawn)
    assert float(blocker.args[0].value("c")) == 6.770325017108724
    assert "value" in window.properties.fields


def test_long_names_are_elided_in_the_header_but_edited_in_full(window, qtbot):
    long = "a very long name for the product of x and y"
    window.document.rename("a", long)
    title = window.scene.nodes["a"].title
    assert title.toPlainText().endswith("…") and len(title.toPlainText()) < len(long)
    title.start_editing()
    assert title.toPlainText() == long
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)


def test_escape_cancels_a_connection_being_dragged(window, qtbot):
    scene, view = window.scene, window.view
    before = window.document.saved_json()
    start, end = scene.nodes["z"].output_pos(), scene.nodes["a"].input_pos("a")
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(start))
    QTest.mouseMove(vp, view.mapFromScene(end))
    assert scene._drag is not None
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert scene._drag is None
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       view.mapFromScene(end))
    assert window.document.saved_json() == before


def test_clicking_the_minimap_goes_there(window, qtbot):
    view = window.view
    view.zoom_by(3.0)
    target = window.scene.nodes["c"].sceneBoundingRect().center()
    scale, world, frame = view.minimap._mapping()
    point = frame.topLeft() + (target - world.topLeft()) * scale
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, point.toPoint())
    center = view.mapToScene(view.viewport().rect().center())
    assert abs(center.x() - target.x()) < 2 / scale and abs(center.y() - target.y()) < 2 / scale
    QTest.keyClick(view, Qt.Key.Key_M)
    assert not view.minimap.visible
    assert view.minimap.scene_point(point) is None


def test_arrow_keys_nudge_the_selection_as_one_undo_step(window, qtbot):
    doc, view = window.document, window.view
    window.scene.nodes["x"].setSelected(True)
    window.scene.nodes["y"].setSelected(True)
    start = {n: doc.graph.nodes[n].pos for n in "xy"}
    view.setFocus()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Down):
        QTest.keyClick(view, key)
    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    for n in "xy":
        assert doc.graph.nodes[n].pos == (start[n][0] + 19, start[n][1] + 10)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert {n: doc.graph.nodes[n].pos for n in "xy"} == start


def test_a_wire_dropped_on_the_canvas_adds_a_connected_node(window, qtbot):
    doc, scene = window.document, window.scene
    window.view.zoom_100()
    window.view.centerOn(scene.nodes["z"])
    end = scene.nodes["z"].output_pos() + QPointF(200, 120)
    drag(window.view, scene.nodes["z"].output_pos(), end)
    listed = [window.quick_add.list.item(i).data(Qt.ItemDataRole.UserRole)
              for i in range(window.quick_add.list.count())]
    assert "input" not in listed and "tanh" in listed   # ops that take a wire
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        QTest.keyClicks(window.quick_add.search, "tanh")
        QTest.keyClick(window.quick_add.search, Qt.Key.Key_Return)
    new = window.scene.selected_node_ids()[0]
    assert doc.graph.nodes[new].op == "tanh" and doc.graph.inputs_of(new) == ["z"]
    np.testing.assert_array_equal(run.args[0].value(new), np.tanh(run.args[0].value("z")))
    assert window.act_undo.text() == f"Undo Add tanh {new} and connect it"
    qtbot.waitUntil(window.isActiveWindow)   # the closed popup gives the keys back
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert new not in doc.graph.nodes
