"""Training in the editor, driven with real clicks and keys: Train, Pause, Step, Reset,
undo of a training session, edits that pause it, the curves and the marks."""
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTabBar, QToolButton

import gradviz
from gradviz.core.examples import example_path
from gradviz.core.train import train
from tests.gui.test_build_notebook import type_into
from tests.gui.test_undo_history import click_header

CTRL = Qt.KeyboardModifier.ControlModifier
WEIGHTS = ("W1", "b1", "W2", "b2")


def show_train_dock(window, qtbot):
    """Click the Train tab beside the Inspector's."""
    for bar in window.findChildren(QTabBar):
        for i in range(bar.count()):
            if bar.tabText(i) == "Train" and bar.isVisible():
                QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    qtbot.waitUntil(window.train_panel.isVisible)


def click(window, action):
    button = next(b for b in window.train_panel.findChildren(QToolButton)
                  if b.defaultAction() is action)
    assert button.isVisible() and button.isEnabled()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def weights(window):
    return {k: np.array(window.document.graph.nodes[k].params["value"]) for k in WEIGHTS}


def curve_points(window):
    """Points of the loss curve (its data, before pyqtgraph downsamples it to draw)."""
    y = window.train_panel.loss_curve.yData
    return 0 if y is None else len(y)


def mlp_window(make_window, qtbot, steps=None):
    window = make_window(str(example_path("mlp")))
    if steps:
        window.document.set_training(window.document.graph.training.replace(steps=steps))
    show_train_dock(window, qtbot)
    return window


def test_train_takes_the_steps_as_one_undo_step_equal_to_the_api(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=60)
    before = weights(window)
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    assert window.act_undo.text() == "Undo Train 60 steps"
    expected = gradviz.load(example_path("mlp"))
    api = train(expected, steps=60)
    for k in WEIGHTS:
        np.testing.assert_array_equal(weights(window)[k], expected.nodes[k].params["value"])
        assert not np.array_equal(weights(window)[k], before[k])
    assert curve_points(window) == 60
    np.testing.assert_array_equal(window.train_panel.loss_curve.yData, api.loss)
    assert set(window.train_panel.norm_curves) == set(WEIGHTS)
    # the canvas ends on a run of the graph as it now is, not marked stale
    qtbot.waitUntil(lambda: window.results_current() and not window.scene.stale)
    np.testing.assert_array_equal(window.scene.result.value("W1"),
                                  expected.nodes["W1"].params["value"])
    # undo and redo the whole session with the keys
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    for k in WEIGHTS:
        np.testing.assert_array_equal(weights(window)[k], before[k])
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_array_equal(weights(window)["W2"], expected.nodes["W2"].params["value"])


def test_pause_stops_at_once_and_keeps_what_was_trained(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=1_000_000)
    frames = []
    window.train_runner.frame.connect(frames.append)
    click(window, window.act_train)
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=30000)
    assert window.scene.result is frames[-1] or len(frames) > 3   # frames reach the canvas
    click(window, window.act_pause)
    assert not window.train_runner.running   # acted at once: no waiting for the steps
    steps = window.trainer.steps
    assert 0 < steps < 1_000_000
    assert window.act_undo.text() == f"Undo Train {steps:,} steps"
    assert curve_points(window) == steps
    trained = window.trainer.trained_params()
    for k in WEIGHTS:
        np.testing.assert_array_equal(weights(window)[k], trained[k]["value"])
    assert window.act_train.isEnabled() and not window.act_pause.isEnabled()


def test_f9_trains_and_pauses(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=1_000_000)
    QTest.keyClick(window.view, Qt.Key.Key_F9)
    assert window.train_runner.running
    qtbot.waitUntil(lambda: window.trainer.steps > 0, timeout=30000)
    QTest.keyClick(window.view, Qt.Key.Key_F9)
    assert not window.train_runner.running
    assert window.act_undo.text().startswith("Undo Train ")


def test_steps_and_training_that_goes_on_join_one_undo_step(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=5)
    before = weights(window)
    for _ in range(2):
        with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
            click(window, window.act_train_step)
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    assert window.act_undo.text() == "Undo Train 7 steps"
    assert curve_points(window) == 7
    expected = gradviz.load(example_path("mlp"))
    train(expected, steps=7)   # stepping with pauses equals training straight through
    for k in WEIGHTS:
        np.testing.assert_array_equal(weights(window)[k], expected.nodes[k].params["value"])
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)   # one undo: all seven steps
    for k in WEIGHTS:
        np.testing.assert_array_equal(weights(window)[k], before[k])


def test_reset_puts_back_the_values_from_before_and_clears_the_curves(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=20)
    before = weights(window)
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    trained = weights(window)
    click(window, window.act_train_reset)
    for k in WEIGHTS:
        np.testing.assert_array_equal(weights(window)[k], before[k])
    assert curve_points(window) == 0 and not window.act_train_reset.isEnabled()
    assert window.act_undo.text() == "Undo Reset training"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    np.testing.assert_array_equal(weights(window)["W1"], trained["W1"])


def test_an_edit_during_training_pauses_it_first(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=1_000_000)
    click(window, window.act_train)
    qtbot.waitUntil(lambda: window.trainer.steps > 2, timeout=30000)
    click_header(window, "X")
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Right)   # nudge X: an edit
    assert not window.train_runner.running
    stack = window.document.undo_stack
    assert stack.text(stack.index() - 2).startswith("Train ")
    assert stack.text(stack.index() - 1).startswith("Move X")
    # the edit changed no number: training goes on in the same session
    steps = window.trainer.steps
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train_step)
    assert curve_points(window) == steps + 1


def test_changing_the_learning_rate_in_the_dock_pauses_and_is_saved(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=1_000_000)
    click(window, window.act_train)
    qtbot.waitUntil(lambda: window.trainer.steps > 2, timeout=30000)
    field = window.train_panel.fields["lr"]
    type_into(field, "0.002")
    assert not window.train_runner.running
    assert window.document.graph.training.lr == 0.002
    assert window.act_undo.text() == "Undo Training: Adam, lr 0.002, betas 0.9, 0.999, " \
                                     "eps 1e-08"
    type_into(field, "fast")
    assert "Not applied: not a number" in window.train_panel.status.text()
    assert field.text() == "0.002" and window.document.graph.training.lr == 0.002


def test_a_graph_with_nothing_to_train_says_so(window, qtbot):
    show_train_dock(window, qtbot)
    click(window, window.act_train)
    assert not window.train_runner.running
    assert window.train_panel.status.text() == ("Cannot train: nothing to train: no input "
                                                "is marked trainable")
    assert not window.document.modified


def test_the_trainable_box_marks_the_node(window, qtbot):
    click_header(window, "x")
    box = window.properties.fields["trainable"].box
    assert not box.isChecked()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert window.document.graph.nodes["x"].params["trainable"] is True
    assert ("trainable", window.scene.nodes["x"]._header_marks()[-1][1]) in \
        window.scene.nodes["x"]._header_marks()
    assert window.act_undo.text() == "Undo Change trainable of x"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert all(text != "trainable" for text, _ in window.scene.nodes["x"]._header_marks())


def test_running_or_checking_during_training_pauses_it_first(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=1_000_000)
    click(window, window.act_train)
    qtbot.waitUntil(lambda: window.trainer.steps > 2, timeout=30000)
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        QTest.keyClick(window.view, Qt.Key.Key_F5)
    assert not window.train_runner.running
    trained = window.trainer.trained_params()
    np.testing.assert_array_equal(window.scene.result.value("W1"), trained["W1"]["value"])
    assert window.results_current()
    click(window, window.act_train)
    qtbot.waitUntil(lambda: window.train_runner.running and window.trainer.steps > 2,
                    timeout=30000)
    window.act_check.trigger()   # the gradient check works on the graph: training stops
    assert not window.train_runner.running


def set_dock_field(window, name, text):
    type_into(window.train_panel.fields[name], text)


def test_each_undo_step_names_the_steps_it_holds(make_window, qtbot):
    """Steps before a settings change and after it are two undo steps, each named
    after its own steps."""
    window = mlp_window(make_window, qtbot, steps=3)
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    set_dock_field(window, "lr", "0.05")
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train_step)
    stack = window.document.undo_stack
    assert [stack.text(i) for i in range(stack.count())][-3:] == [
        "Train 3 steps", "Training: Adam, lr 0.05, betas 0.9, 0.999, eps 1e-08", "Train 1 step"]
    assert curve_points(window) == 4   # one session: the curve goes on
    assert "step 4, loss " in window.train_panel.status.text()


def test_a_loss_that_becomes_nan_stops_training_with_a_message(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=1000)
    window.train_panel.optimizer.setFocus()
    window.document.set_training(window.document.graph.training.replace(
        optimizer="sgd", lr=1e6))
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    steps = window.trainer.steps
    assert steps < 1000
    assert window.train_panel.status.text().startswith(
        f"Training stopped: the loss became nan at step {steps}")
    assert window.act_undo.text() == f"Undo Train {steps} steps"


def test_an_input_keeps_its_curve_color_when_the_others_change(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=2)
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    color = window.train_panel.norm_curves["b2"].opts["pen"].color().name()
    w1 = window.document.graph.nodes["W1"].params
    window.document.set_params("W1", {**w1, "trainable": False})   # a new session
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    assert set(window.train_panel.norm_curves) == {"b1", "W2", "b2"}
    assert window.train_panel.norm_curves["b2"].opts["pen"].color().name() == color


def test_another_document_starts_with_empty_curves(make_window, qtbot):
    window = mlp_window(make_window, qtbot, steps=50)
    assert not window.train_panel.legend.isVisible()   # no empty legend box
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    assert window.train_panel.legend.isVisible()
    window.document.undo_stack.setClean()
    window.open_example("seed")
    assert curve_points(window) == 0 and not window.train_panel.legend.isVisible()
    assert window.train_panel.loss_plot.viewRange()[0][1] < 50   # not the last run's axis
    assert window.train_panel.status.text().startswith("Mark inputs trainable")


def test_the_log_scale_says_how_many_losses_it_leaves_out(make_window, qtbot):
    """The seed graph's sum goes below 0 as x trains: a log scale cannot show it."""
    window = make_window()
    show_train_dock(window, qtbot)
    x = window.document.graph.nodes["x"].params
    window.document.set_params("x", {**x, "trainable": True})
    window.document.set_training(window.document.graph.training.replace(
        optimizer="sgd", lr=0.5, steps=20))
    with qtbot.waitSignal(window.train_runner.finished, timeout=30000):
        click(window, window.act_train)
    negative = sum(loss <= 0 for loss in window.trainer.history.loss)
    assert negative > 0
    QTest.mouseClick(window.train_panel.log_scale, Qt.MouseButton.LeftButton,
                     pos=QPoint(8, window.train_panel.log_scale.height() // 2))
    assert window.train_panel.log_scale.isChecked()
    title = window.train_panel.loss_plot.plotItem.titleLabel.text
    assert f"({negative} ≤ 0 not on the log scale)" in title
