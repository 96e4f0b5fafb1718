"""The instruments in the editor: health marks and their thresholds, the gradient
check with progress and Cancel."""
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from gradviz.core.examples import example_path
from gradviz.gui.health_dialog import ThresholdsDialog
from tests.gui.test_undo_history import click_header


def test_health_marks_show_on_the_nodes_and_in_the_legend(make_window, qtbot):
    window = make_window(str(example_path("vanishing")))
    x = window.scene.nodes["x"]
    assert [f.name for f in x.health] == ["vanishing"]
    assert "↓ vanishing: gradient RMS is" in x.toolTip()
    assert [f.name for f in window.scene.nodes["s6"].health] == ["saturated"]
    assert window.scene.legend["health"].startswith("↓ 15 vanishing")


def test_the_seed_graph_has_no_marks(window):
    assert all(item.health == [] for item in window.scene.nodes.values())
    assert window.scene.legend["health"] == ""


def test_thresholds_are_set_in_their_dialog(make_window, qtbot):
    window = make_window(str(example_path("vanishing")))

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ThresholdsDialog):
            QTimer.singleShot(20, answer)
            return
        field = dialog.fields["vanishing"]
        field.selectAll()
        QTest.keyClicks(field, "1e-20")
        QTest.keyClick(field, Qt.Key.Key_Return)
    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.act_thresholds.trigger()
    assert window.scene.nodes["x"].health == []
    assert float(window.settings.value("health/vanishing")) == 1e-20


def test_a_threshold_that_is_not_a_number_is_refused_in_the_dialog(window, qtbot):
    dialog = ThresholdsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.findChildren(QLineEdit)[2]    # dead
    field.selectAll()
    QTest.keyClicks(field, "often")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert dialog.result() == 0
    assert "dead: 'often' is not a number from 0 to 1" in dialog.error.text()


def test_check_gradients_marks_every_input_and_shows_the_check_view(make_window, qtbot):
    window = make_window(str(example_path("cnn")))
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        QTest.keyClick(window.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    scene = window.scene
    assert scene.view_mode == "check" and window.act_views["check"].isChecked()
    for node_id in ("images", "kernels", "W"):
        assert scene.nodes[node_id].verdict.ok
        assert "gradient check: agrees" in scene.nodes[node_id].toolTip()
    assert scene.nodes["conv"].verdict is None
    assert scene.nodes["images"].body.panels[0].colormap == "viridis"
    assert window.statusBar().currentMessage().startswith("Gradient check: 3 nodes agree")


def slow_graph(tmp_path):
    """An input of 64x64 through a few ops: 4,096 elements to check."""
    import gradviz
    g = gradviz.Graph()
    x = g.add("input", id="x", shape=(64, 64), pos=(0, 0))
    e = g.add("exp", x, pos=(0, 300))
    m = g.add("mul", x, e, pos=(260, 0))
    g.add("sum", g.add("tanh", m, pos=(520, 0)), id="s", pos=(780, 0))
    gradviz.save(g, tmp_path / "slow.gradviz")
    return str(tmp_path / "slow.gradviz")


def test_a_running_check_can_be_cancelled_and_the_window_keeps_working(
        make_window, qtbot, tmp_path):
    window = make_window(slow_graph(tmp_path))
    seen = []
    window.instruments.progress.connect(lambda done, total: seen.append(done))
    window.act_check.trigger()
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=10000)   # the GUI thread is free
    click_header(window, "x")                                 # and answers the mouse
    assert window.properties.node_id == "x"
    cancel = window.check_dialog.findChild(QPushButton)
    with qtbot.waitSignal(window.instruments.failed, timeout=10000) as failed:
        QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert "cancelled" in str(failed.args[0]) and seen[-1] < 4096
    assert window.check_dialog is None
    assert window.scene.nodes["x"].verdict is None


def test_probe_a_clicked_cell_live_and_apply_it_as_one_undo_step(window, qtbot):
    from tests.gui.test_current_state import cell_point
    window.view.zoom_100()
    window.view.centerOn(window.scene.nodes["x"])
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, cell_point(window, "x", 0, 1, 2))
    assert window.scene.picked_cell == ("x", (1, 2))
    QTest.keyClick(window.view, Qt.Key.Key_P)
    probe = window.probe_dialog
    assert probe.isVisible() and probe.session.index == (1, 2)
    result = window.last_result
    g = float(result.grad("x")[1, 2])
    assert probe.session.grad == g
    probe.eps.selectAll()
    QTest.keyClicks(probe.eps.lineEdit(), "0.01")
    QTest.keyClick(probe.eps.lineEdit(), Qt.Key.Key_Tab)
    assert probe.last.eps == 0.01 and probe.last.predicted == g * 0.01
    assert abs(probe.last.actual - g * 0.01) < 1e-9   # c is linear in x
    slider = probe.slider
    start = slider.rect().center()
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for dx in (10, 30, 60):
        QTest.mouseMove(slider, start + QPoint(dx, 0))
    assert slider.value() > 0 and probe.last.eps > 0.01     # live, further out
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(60, 0))
    assert slider.value() == 0 and probe.last.eps == 0.01  # sprang back
    before = window.document.saved_json()
    assert window.document.undo_stack.count() == 0
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.mouseClick(probe.apply_button, Qt.MouseButton.LeftButton)
    assert window.last_result.value("x")[1, 2] == result.value("x")[1, 2] + 0.01
    assert window.act_undo.text() == "Undo Change value (probe) of x"
    window.document.undo()
    assert window.document.saved_json() == before


def test_compare_two_settings_shows_the_differences(make_window, qtbot):
    window = make_window(str(example_path("cnn")))

    def choose():
        dialog = QApplication.activeModalWidget()
        if dialog is None or not hasattr(dialog, "boxes"):
            QTimer.singleShot(20, choose)
            return
        assert dialog.settings() == ("cpu:float64", "cpu:float32")
        QTest.keyClick(dialog.boxes[1], Qt.Key.Key_Return)   # OK
    QTimer.singleShot(0, choose)
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        window.act_compare.trigger()
    assert window.scene.view_mode == "compare"
    panels = window.scene.nodes["logits"].body.panels
    assert [p.kind for p in panels] == ["value diff", "grad diff"]
    logits = window.last_result.value("logits")
    assert 0 < panels[0].high < 1e-5 * abs(logits).max()   # float32's precision
    assert window.statusBar().currentMessage().startswith("cpu:float64 against cpu:float32")


def test_hovering_a_compare_cell_gives_its_difference(make_window, qtbot):
    from tests.gui.test_current_state import cell_point, hover_and_hold
    window = make_window()
    QTimer.singleShot(0, lambda: QTest.keyClick(QApplication.activeModalWidget(),
                                                Qt.Key.Key_Return))
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        window.act_compare.trigger()
    window.view.zoom_100()
    window.view.centerOn(window.scene.nodes["a"])
    text = hover_and_hold(window, cell_point(window, "a", 0, 1, 2))
    a64 = window.last_result.value("a")[1, 2]
    import numpy as np
    x, y = (np.float32(window.last_result.value(n)[1, 2]) for n in "xy")
    assert text.startswith("a[1, 2]") and f"value diff = {float(abs(a64 - float(x * y)))!r}" in text


# ---- found by using the app under X ------------------------------------------------------------


def test_the_check_view_fills_in_when_it_was_already_shown(window, qtbot):
    QTest.keyClick(window.view, Qt.Key.Key_4)           # Gradient Check view, nothing yet
    assert window.scene.nodes["x"].body.panels[0].note == "not checked"
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        QTest.keyClick(window.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert window.scene.nodes["x"].body.panels[0].preview is not None


def test_kinks_are_not_called_verified(make_window, qtbot, tmp_path):
    """max over a tie of ones: every element sits at a kink."""
    import gradviz
    g = gradviz.Graph()
    g.add("input", id="ones", source="fill", fill=1.0, shape=(4, 3), pos=(0, 0))
    g.add("max", "ones", id="m", axis=1, pos=(260, 0))
    g.add("sum", "m", id="s", pos=(520, 0))
    gradviz.save(g, tmp_path / "ties.gradviz")
    window = make_window(str(tmp_path / "ties.gradviz"))
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        window.act_check.trigger()
    assert window.scene.nodes["ones"].verdict.kink.all()
    assert "at a kink, not differentiable there: not verified" in \
        window.statusBar().currentMessage()


def test_check_gradients_from_step_mode_leaves_it(window, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        window.act_check.trigger()
    assert not window.stepping and window.scene.nodes["x"].verdict.ok
    assert window.scene.nodes["x"].body.panels[0].preview is not None


def test_compare_shows_no_gradient_difference_where_no_gradient_flows(make_window, qtbot):
    window = make_window(str(example_path("cnn")))
    QTimer.singleShot(0, lambda: QTest.keyClick(QApplication.activeModalWidget(),
                                                Qt.Key.Key_Return))
    with qtbot.waitSignal(window.instruments.finished, timeout=30000):
        window.act_compare.trigger()
    value, grad = window.scene.nodes["labels"].body.panels
    assert value.preview is not None and grad.preview is None
    assert grad.note == "not compared"


def test_the_probe_says_which_nudge_the_slider_uses(window, qtbot):
    window.scene.picked_cell = ("x", (0, 0))
    window.act_probe.trigger()
    probe = window.probe_dialog
    eps = probe.eps.value()
    probe.slider.setFocus()
    QTest.keyClick(probe.slider, Qt.Key.Key_PageUp)
    step = probe.slider.value()
    assert step > 0
    assert probe.labels["used"].text() == f"{eps * 10 * step / 100:.6g}"
