"""Step mode: replay a run on the canvas one step at a time, with the card showing the
local derivative of each backward step."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTabBar, QToolTip

import gradviz
from gradviz.core.ops import OPS
from gradviz.core.trace import rule_of
from gradviz.gui import colors
from gradviz.gui.card import DerivativeCard, step_of
from tests.core.test_gradients import CASES
from tests.helpers import differentiable_ops, op_graph
from tests.gui.conftest import drag, header_point
from tests.gui.test_build_notebook import set_field
from tests.gui.test_undo_history import click_header

CTRL = Qt.KeyboardModifier.ControlModifier


def enter_step_mode(window, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        QTest.keyClick(window.view, Qt.Key.Key_T, CTRL)
    assert window.stepping and window.stepbar.isVisible()
    return run.args[0]


def marks(window):
    return {n: (item.step_mark, item.step_note) for n, item in window.scene.nodes.items()}


def test_stepping_lights_nodes_forward_then_walks_back_from_the_target(window, qtbot):
    result = enter_step_mode(window, qtbot)
    assert len(result.trace) == 12 and window.stepbar.index == 0
    assert marks(window)["x"] == ("current", "") and window.scene.nodes["x"].body is not None
    assert all(marks(window)[n][0] == "pending" for n in "yazbc")
    assert window.scene.nodes["c"].body is None   # not computed yet
    for _ in range(6):
        QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.stepbar.index == 6 and result.trace[6].node == "c"   # backward starts
    assert marks(window)["c"][0] == "current" and window.scene.nodes["x"].opacity() < 1
    QTest.keyClick(window.view, Qt.Key.Key_Left)
    assert window.stepbar.index == 5
    QTest.keyClick(window.stepbar.slider, Qt.Key.Key_End)
    assert window.stepbar.index == 11 and "backward" in window.stepbar.label.text()
    assert all(window.scene.nodes[n].opacity() == 1 for n in "xyzabc")


def test_arrow_keys_nudge_again_once_step_mode_is_left(window, qtbot):
    enter_step_mode(window, qtbot)
    QTest.keyClick(window.view, Qt.Key.Key_T, CTRL)    # leave
    assert not window.stepping and not window.stepbar.isVisible()
    assert all(m == (None, "") for m in marks(window).values())
    click_header(window, "x")
    x, y = window.document.graph.nodes["x"].pos
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.document.graph.nodes["x"].pos[0] > x


def fan_out_file(tmp_path):
    """x feeds a = x * y and b = tanh(x); t = sum(a + b)."""
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.arange(6.0).reshape(2, 3) / 4, pos=(0, 0))
    y = g.add("input", id="y", value=np.full((2, 3), 2.0), pos=(0, 260))
    a = g.add("mul", x, y, id="a", pos=(260, 0))
    b = g.add("tanh", x, id="b", pos=(260, 260))
    g.add("sum", g.add("add", a, b, id="s", pos=(520, 100)), id="t", pos=(780, 100))
    path = tmp_path / "fan.gradviz"
    gradviz.save(g, path)
    return path


def test_a_fan_out_shows_its_partial_sum_until_the_last_part(make_window, qtbot, tmp_path):
    window = make_window(str(fan_out_file(tmp_path)))
    result = enter_step_mode(window, qtbot)
    nodes = [s.node for s in result.trace]
    first = min(nodes.index("a", len(result.order)), nodes.index("b", len(result.order)))
    window.stepbar.slider.setValue(first)
    assert marks(window)["x"] == (None, "1 of 2")   # reached, by one of its two parts
    sent = result.edge_grad("x", nodes[first], "a")
    grad_panel = window.scene.nodes["x"].body.panels[1]
    np.testing.assert_array_equal(grad_panel.preview.data, sent)   # the partial sum so far
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert marks(window)["x"][1] == ""
    np.testing.assert_array_equal(window.scene.nodes["x"].body.panels[1].preview.data,
                                  result.grad("x"))


def tile_colors(tile):
    """The color at the centre of each cell of a card's tile."""
    image = tile.pixmap().toImage()
    rows, cols = tile.preview.data.shape
    return np.array([[image.pixelColor(int((c + 0.5) * tile.cell), int((r + 0.5) * tile.cell))
                      .getRgb()[:3] for c in range(cols)] for r in range(rows)])


def test_the_card_fills_muls_rule_with_the_live_arrays(window, qtbot):
    result = enter_step_mode(window, qtbot)
    window.stepbar.slider.setValue([s.node for s in result.trace].index("a", 6))
    card = window.card
    assert "∂a = g·b, ∂b = g·a" in card.title.text()
    assert set(card.tiles) == {"g", "a", "b", "∂a → x", "∂b → y"}
    table = colors.lut(colors.DIVERGING)
    for caption, array in (("a", result.value("x")), ("b", result.value("y")),
                           ("∂a → x", result.grad("x")), ("∂b → y", result.grad("y"))):
        m = colors.symmetric_limit(colors.finite_absmax(array))
        np.testing.assert_array_equal(tile_colors(card.tiles[caption]),
                                      colors.to_rgb(array, -m, m, table))


def test_the_card_follows_the_selection_outside_step_mode(window, qtbot):
    click_header(window, "b")
    assert "∂a = g, ∂b = g" in window.card.title.text()
    assert set(window.card.tiles) == {"g", "∂a → a", "∂b → z"}


def test_an_edit_leaves_step_mode_but_moving_or_renaming_does_not(window, qtbot):
    """Moving or renaming changes no number: the steps still hold."""
    enter_step_mode(window, qtbot)
    click_header(window, "x")
    set_field(window, "label", "weights")
    drag(window.view, header_point(window.scene.nodes["z"]),
         header_point(window.scene.nodes["z"]) + QPointF(0, 80))
    assert window.stepping and window.stepbar.label.text().endswith("forward: weights")
    window.properties.fields["source"].setCurrentText("fill")
    assert not window.stepping and not window.stepbar.isVisible()
    assert not window.act_step.isChecked()
    assert all(m == (None, "") for m in marks(window).values())


@pytest.mark.parametrize("op", differentiable_ops())
def test_every_op_has_a_card(qtbot, op):
    """The rule and its operands come from the op's declaration: each op's card shows
    its rule, the operands the rule names and one tile per input taking a gradient."""
    graph, ids = op_graph(op, CASES[op][0])
    node_id = next(n for n in graph.nodes if graph.nodes[n].op == op)
    result = graph.run(target=node_id)
    card = DerivativeCard()
    qtbot.addWidget(card)
    card.show_step(step_of(result, node_id, op), op)
    assert rule_of(OPS[op]) in card.title.text()
    takes = [p for p in OPS[op].inputs if p not in OPS[op].no_grad]
    assert sorted(c for c in card.tiles if c.startswith("∂")) == \
        sorted(f"∂{p} → {src}" for p, src in zip(OPS[op].inputs, result.inputs[node_id])
               if p in takes)
    assert "g" in card.tiles


def test_hovering_a_card_tile_gives_the_exact_number(window, qtbot):
    click_header(window, "a")
    tabs = next(bar for bar in window.findChildren(QTabBar)
                if "Derivative" in [bar.tabText(i) for i in range(bar.count())])
    index = [tabs.tabText(i) for i in range(tabs.count())].index("Derivative")
    QTest.mouseClick(tabs, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     tabs.tabRect(index).center())
    tile = window.card.tiles["∂a → x"]
    qtbot.waitUntil(tile.isVisible)
    x_grad = window.last_result.grad("x")
    point = QPoint(int(2.5 * tile.cell), int(1.5 * tile.cell))   # row 1, column 2
    QTest.mouseMove(tile, point + QPoint(1, 0))
    QTest.mouseMove(tile, point)
    assert QToolTip.isVisible() and QToolTip.text() == f"[1, 2] = {float(x_grad[1, 2])!r}"


def test_play_says_pause_while_playing(window, qtbot):
    enter_step_mode(window, qtbot)
    play = window.stepbar.play
    QTest.mouseClick(play, Qt.MouseButton.LeftButton)
    assert play.text() == "Pause" and window.stepbar.timer.isActive()
    QTest.mouseClick(play, Qt.MouseButton.LeftButton)
    assert play.text() == "Play" and not window.stepbar.timer.isActive()


def test_step_through_an_empty_graph_says_so(window, qtbot):
    QTest.keyClick(window.view, Qt.Key.Key_N, CTRL)
    QTest.keyClick(window.view, Qt.Key.Key_T, CTRL)
    assert not window.stepping and not window.act_step.isChecked()
    assert window.statusBar().currentMessage() == "Nothing to step through: the graph is empty"
