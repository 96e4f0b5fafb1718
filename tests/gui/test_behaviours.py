"""Editor behaviours: no-op edits leave no undo step, runs see a snapshot and coalesce,
autosave cleans up, pastes get fresh ids, Backspace deletes, double-click adds, the
render command's shared scale, and the shared limit on edge badges."""
import os
import threading

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

import gradviz
from gradviz.cli import main as cli_main
from gradviz.core.examples import example_path
from gradviz.gui import colors
from gradviz.gui.document import Document
from gradviz.gui.worker import RunController
from tests.gui.conftest import add_with_quick_add, answer_next_dialog, header_point


def seed_document():
    doc = Document()
    doc.replace(gradviz.load(example_path("seed")))
    return doc


# ---- edits that change nothing are not undo steps --------------------------------------


def assert_no_step(doc, edit):
    before, saved = doc.undo_stack.count(), doc.saved_json()
    edit()
    assert doc.undo_stack.count() == before
    assert doc.saved_json() == saved


def test_set_params_to_the_same_params_is_no_step(qapp):
    """The same params, even spelled differently (a list for a shape) or NaN again."""
    doc = seed_document()
    assert_no_step(doc, lambda: doc.set_params("x", dict(doc.graph.nodes["x"].params)))
    assert_no_step(doc, lambda: doc.set_params(
        "x", {"source": "randn", "seed": 0, "offset": 110, "shape": [4, 3]}))
    doc.set_params("z", {"source": "fill", "fill": float("nan"), "shape": (4, 3)})
    assert doc.undo_stack.count() == 1
    assert_no_step(doc, lambda: doc.set_params(
        "z", {"source": "fill", "fill": float("nan"), "shape": (4, 3)}))


def test_rename_to_the_current_name_is_no_step(qapp):
    """Renaming to the label it has, or to its own id when it has none, does nothing."""
    doc = seed_document()
    assert_no_step(doc, lambda: doc.rename("a", "a"))
    assert_no_step(doc, lambda: doc.rename("a", "  a "))
    doc.rename("a", "product")
    assert doc.undo_stack.count() == 1
    assert_no_step(doc, lambda: doc.rename("a", "product"))
    assert_no_step(doc, lambda: doc.rename("a", " product "))


def test_set_target_to_the_current_target_is_no_step(qapp):
    doc = seed_document()
    assert doc.graph.target == "c"
    assert_no_step(doc, lambda: doc.set_target("c"))


def test_move_to_where_it_is_is_no_step(qapp):
    """A drag that ends where it started (old == new) is not a move."""
    doc = seed_document()
    pos = doc.graph.nodes["x"].pos
    assert_no_step(doc, lambda: doc.move({"x": (pos, pos)}))


def test_nudging_nothing_is_no_step(qapp):
    doc = seed_document()
    assert_no_step(doc, lambda: doc.nudge([], 10.0, 0.0))


def test_connecting_an_existing_edge_again_is_no_step(qapp):
    """x already feeds a.a: drawing the same edge again changes nothing."""
    doc = seed_document()
    assert doc.graph.input_edge("a", "a").src == "x"
    assert_no_step(doc, lambda: doc.connect("x", "a", "a"))


def test_deleting_with_nothing_selected_is_no_step(qapp):
    doc = seed_document()
    assert_no_step(doc, lambda: doc.delete())
    assert_no_step(doc, lambda: doc.delete([], []))


# ---- fresh ids on paste ------------------------------------------------------------------


def test_pasting_over_taken_ids_gives_new_distinct_ids_every_time(qapp):
    """Three pastes of x, y, a into the graph that has them: nine new ids, none taken,
    each paste wired among its own nodes."""
    doc = seed_document()
    original = set(doc.graph.nodes)
    text = doc.copy_text(["x", "y", "a"])
    pasted = [doc.paste(text) for _ in range(3)]
    flat = [n for ids in pasted for n in ids]
    assert len(set(flat)) == 9 and not set(flat) & original
    assert len(doc.graph.nodes) == len(original) + 9
    for x, y, a in pasted:
        assert doc.graph.input_edge(a, "a").src == x and doc.graph.input_edge(a, "b").src == y
    assert doc.undo_stack.count() == 3


def test_pasted_ids_do_not_collide_with_each_other(qapp):
    """Pasting x and x1 where x exists: x becomes x1, so the incoming x1 must move on."""
    g = gradviz.Graph()
    g.add("input", id="x", value=[1.0])
    g.add("input", id="x1", value=[2.0])
    g.add("add", "x", "x1", id="plus")
    doc = seed_document()
    ids = doc.paste(gradviz.core.fileformat.dumps(g))
    assert ids == ["x1", "x2", "plus"]
    assert doc.graph.input_edge("plus", "a").src == "x1"
    assert doc.graph.input_edge("plus", "b").src == "x2"
    np.testing.assert_array_equal(doc.graph.nodes["x2"].params["value"], [2.0])


# ---- runs ----------------------------------------------------------------------------------


def test_a_run_sees_the_graph_as_it_was_when_requested(qtbot):
    """Edits made after request() (here while the run waits its turn) do not reach it."""
    controller = RunController()
    gate = threading.Event()
    try:
        g = gradviz.Graph()
        g.add("input", id="x", value=[1.0, 2.0])
        g.add("sum", "x", id="s")
        g.set_target("s")
        controller.request(g, prepare=lambda result: gate.wait(10))   # holds the worker
        controller.request(g)                                         # queued behind it
        g.set_params("x", {"source": "value", "value": np.array([10.0, 20.0])})
        g.add("neg", "s", id="later")
        with qtbot.waitSignal(controller.finished, timeout=10000) as blocker:
            gate.set()
        result = blocker.args[0]
        assert float(result.value("s")) == 3.0
        np.testing.assert_array_equal(result.value("x"), [1.0, 2.0])
        assert "later" not in result
    finally:
        gate.set()
        controller.shutdown()


def test_a_burst_of_edits_is_one_run_showing_the_last_edit(window, qtbot, monkeypatch):
    """Three edits without returning to the event loop request one run, not three."""
    requested = []
    original = window.runner.request

    def counting(graph, *args, **kwargs):
        requested.append(graph.nodes["x"].params.get("fill"))
        return original(graph, *args, **kwargs)
    monkeypatch.setattr(window.runner, "request", counting)
    doc = window.document
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        for fill in (1.0, 2.0, 3.0):
            doc.set_params("x", {"source": "fill", "fill": fill, "shape": (4, 3)})
    assert requested == [3.0]
    np.testing.assert_array_equal(blocker.args[0].value("x"), np.full((4, 3), 3.0))
    assert window.last_result is blocker.args[0]


# ---- autosave cleanup ------------------------------------------------------------------


def autosave_files(window):
    path = window.autosave.path
    return [path, os.path.splitext(path)[0] + ".json"]


def test_saving_the_document_removes_the_autosave(window, tmp_path):
    """Once saved, the autosave and its .json are gone."""
    window.document.rename("x", "changed")
    assert window.autosave.save_now()
    assert all(os.path.exists(p) for p in autosave_files(window))
    assert window.save_to(str(tmp_path / "saved.gradviz"))
    assert not any(os.path.exists(p) for p in autosave_files(window))


def test_reaching_the_clean_state_removes_the_autosave(window):
    """However the document becomes clean (here setClean), the autosave goes."""
    window.document.rename("x", "changed")
    assert window.autosave.save_now()
    window.document.undo_stack.setClean()
    assert not any(os.path.exists(p) for p in autosave_files(window))


def test_autosaving_again_leaves_no_backup(window):
    """Each autosave overwrites the last without leaving .bak or temporary files."""
    window.document.rename("x", "one")
    assert window.autosave.save_now()
    window.document.rename("x", "two")
    assert window.autosave.save_now()
    folder = window.autosave.folder
    lock = os.path.splitext(window.autosave.path)[0] + ".lock"
    assert sorted(os.listdir(folder)) == sorted(os.path.basename(p)
                                                for p in autosave_files(window) + [lock])
    assert gradviz.load(window.autosave.path).nodes["x"].label == "two"


def test_a_clean_close_removes_the_autosave_and_its_json(window, qtbot):
    window.document.rename("x", "changed")
    assert window.autosave.save_now()
    answer_next_dialog("Discard")
    window.close()
    assert not window.isVisible()
    assert os.listdir(window.autosave.folder) == []   # nor the session's lock


# ---- keyboard and mouse ------------------------------------------------------------------


def test_backspace_deletes_the_selected_node_and_undo_restores_it(window, qtbot):
    doc, scene, view = window.document, window.scene, window.view
    before = doc.saved_json()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(header_point(scene.nodes["b"])))
    assert scene.selected_node_ids() == ["b"]
    QTest.keyClick(view, Qt.Key.Key_Backspace)
    assert "b" not in doc.graph.nodes and "b" not in scene.nodes
    assert len(doc.graph.edges) == 2
    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.saved_json() == before and len(scene.edges) == 5


def empty_spot(view):
    """A viewport point over bare canvas (not the minimap) with room around it for a
    new node centred there, so it is not moved aside."""
    view.zoom_by(0.5)
    vp = view.viewport()
    for y in range(vp.height() - 40, 40, -30):
        for x in range(40, vp.width() - 40, 30):
            point = QPoint(x, y)
            where = view.mapToScene(point)
            room = QRectF(where.x() - 130, where.y() - 70, 260, 280)
            if not view.scene().items(room) and \
                    view.minimap.scene_point(QPointF(point)) is None:
                return point
    raise AssertionError("no empty spot on the canvas")


def test_double_click_on_empty_canvas_adds_a_node_there(window, qtbot):
    """Double-click on bare canvas opens quick add; the chosen op lands centred there."""
    view = window.view
    point = empty_spot(view)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, point)
    add_with_quick_add(window, "relu", "relu", point)


# ---- gradviz render --shared-scale -------------------------------------------------------


def test_render_shared_scale_changes_the_picture(qapp, tmp_path):
    """Nodes a million times apart look different under one shared scale."""
    g = gradviz.Graph()
    g.add("input", id="big", value=[[1000.0, -500.0], [250.0, -1000.0]], pos=(0, 0))
    g.add("input", id="small", value=[[0.001, -0.002], [0.003, -0.004]], pos=(0, 260))
    g.add("add", "big", "small", id="both", pos=(260, 100))
    g.add("sum", "both", id="s", pos=(520, 100))
    graph = tmp_path / "scales.gradviz"
    gradviz.save(g, graph)
    images = {}
    for name, extra in [("own", []), ("own-again", []), ("shared", ["--shared-scale"])]:
        out = tmp_path / f"{name}.png"
        assert cli_main(["render", str(graph), "-o", str(out), "--size", "600x400",
                         *extra]) == 0
        assert out.exists()
        image = QImage(str(out))
        assert (image.width(), image.height()) == (600, 400)
        images[name] = image
    assert images["own"] == images["own-again"]       # rendering is deterministic
    assert images["shared"] != images["own"]


# ---- shared scale on edge badges ----------------------------------------------------------

SMALL = np.array([[0.001, 0.002], [0.003, 0.004]])


def badge_graph():
    """y → m.a carries back the gradient SMALL (m = y * e, e = SMALL), while w's
    gradient is k, up to 1000: the largest in the graph."""
    g = gradviz.Graph()
    g.add("input", id="y", value=[[1.0, 2.0], [3.0, 4.0]], pos=(0, 0))
    g.add("input", id="e", value=SMALL, pos=(0, 300))
    g.add("mul", "y", "e", id="m", pos=(400, 0))
    g.add("input", id="w", value=np.ones((2, 2)), pos=(0, 800))
    g.add("input", id="k", value=[[1000.0, 900.0], [800.0, 700.0]], pos=(0, 1100))
    g.add("mul", "w", "k", id="wk", pos=(400, 800))
    g.add("add", g.add("sum", "m", id="s1", pos=(700, 0)),
          g.add("sum", "wk", id="s2", pos=(700, 800)), id="total", pos=(1000, 400))
    g.set_target("total")
    return g


def badge_color(window, badge, row, col):
    """The color on screen at the centre of badge cell (row, col)."""
    image = window.view.viewport().grab().toImage()
    pixel = image.pixelColor(window.view.mapFromScene(
        badge.mapToScene(QPointF(col + 0.5, row + 0.5))))   # item units are cells
    return pixel.red(), pixel.green(), pixel.blue()


def close_to(got, want, levels=3):
    return max(abs(int(a) - int(b)) for a, b in zip(got, want)) <= levels


def test_shared_scale_colors_edge_badges_by_the_graph_wide_gradient_limit(make_window, qtbot,
                                                                           tmp_path):
    """Per edge, SMALL's largest cell is the map's end; under the shared scale (limit 1000)
    every cell of that badge is the map's middle grey."""
    path = tmp_path / "badge.gradviz"
    gradviz.save(badge_graph(), path)
    window = make_window(str(path))
    table = colors.lut(colors.DIVERGING)
    QTest.keyClick(window.view, Qt.Key.Key_2)            # gradients
    assert window.scene.view_mode == "grads"
    np.testing.assert_allclose(window.last_result.edge_grad("y", "m", "a"), SMALL)
    assert float(np.abs(window.last_result.grad("w")).max()) == 1000.0
    badge = window.scene.edges[("m", "a")].badge
    window.view.zoom_100()   # zoomed out, the badges are left out; at 100 % they show
    assert badge.isVisible() and badge.grid_shape == (2, 2)
    window.view.centerOn(badge.mapToScene(QPointF(1.0, 1.0)))
    # Per edge: the badge's own maximum (its cell (1, 1)) is the end of the map.
    assert close_to(badge_color(window, badge, 1, 1), table[255])
    window.act_shared.trigger()
    assert window.scene.shared_scale
    for row in range(2):
        for col in range(2):
            got = badge_color(window, badge, row, col)
            assert close_to(got, table[128]), (row, col, got, table[128])


# ---- the memory budget -------------------------------------------------------------------


def type_into_next_input_dialog(text):
    """Type `text` into the next modal input dialog and press Enter."""
    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        line = dialog.findChild(QLineEdit)
        line.selectAll()
        QTest.keyClick(line, Qt.Key.Key_Delete)
        QTest.keyClicks(line, text)
        QTest.keyClick(line, Qt.Key.Key_Return)
    QTimer.singleShot(0, answer)


def test_the_memory_budget_setting_refuses_runs_and_says_why(window, qtbot):
    type_into_next_input_dialog("1K")
    with qtbot.waitSignal(window.runner.failed, timeout=10000) as failed:
        window.act_budget.trigger()
    assert "needs about 1.7 KiB" in str(failed.args[0])
    assert window.statusBar().currentMessage().startswith("Cannot run: the run needs about")
    type_into_next_input_dialog("")   # back to the default: the seed runs again
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.act_budget.trigger()
    assert window.settings.value("memory_budget") == ""


def test_a_bad_memory_budget_is_refused_and_the_setting_kept(window, qtbot):
    window.settings.setValue("memory_budget", "2G")
    seen = []
    type_into_next_input_dialog("plenty")
    answer_next_dialog("OK", seen)
    window.act_budget.trigger()
    assert "expected a size such as 8G" in seen[0]
    assert window.settings.value("memory_budget") == "2G"
