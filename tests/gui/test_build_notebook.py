"""Build the notebook's graph from an empty document with the palette and real mouse
drags, run it, and get the notebook's numbers; then undo and redo all of it."""
import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import drag, header_point
from tests.helpers import NOTEBOOK

LAYOUT = {"x": (-400, -200), "y": (-400, 0), "z": (-100, 150), "a": (-100, -100),
          "b": (200, 0), "c": (450, 0)}


def add_from_palette(window, qtbot, op, name, where):
    """Choose `op` in the palette (Enter), then drag the new node to `where`."""
    palette = window.palette
    palette.setFocus()
    palette.setCurrentItem(palette.item_for(op))
    QTest.keyClick(palette, Qt.Key.Key_Return)
    node_id = window.scene.selected_node_ids()[0]
    item = window.scene.nodes[node_id]
    drag(window.view, header_point(item), QPointF(*where) + QPointF(60, 12))
    assert window.document.graph.nodes[node_id].pos == where
    set_field(window, "label", name)
    return name


def type_into(field, text):
    """Replace a line edit's text by typing, then press Enter."""
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def set_field(window, name, text):
    type_into(window.properties.fields[name], text)


def connect(window, src, dst, port):
    scene = window.scene
    drag(window.view, scene.nodes[src].output_pos(), scene.nodes[dst].input_pos(port))


def fitted_empty(view):
    """Whether the new document's deferred fit-all ran: empty, at 100 % around (0, 0)."""
    center = view.mapToScene(view.viewport().rect().center())
    return view.zoom() == 1.0 and abs(center.x()) <= 2 and abs(center.y()) <= 2


def build(window, qtbot):
    window.new_document()
    qtbot.waitUntil(lambda: fitted_empty(window.view))
    window.view.resetTransform()
    window.view.centerOn(0, 0)
    QTest.keyClick(window.view, Qt.Key.Key_M)   # no minimap over where nodes land
    assert not window.view.minimap.visible
    ids = {}
    for name, offset in (("x", 110), ("y", 122), ("z", 134)):
        node_id = add_from_palette(window, qtbot, "input", name, LAYOUT[name])
        ids[name] = node_id
        set_field(window, "offset", str(offset))
    for name, op in (("a", "mul"), ("b", "add"), ("c", "sum")):
        ids[name] = add_from_palette(window, qtbot, op, name, LAYOUT[name])
    return ids


def test_build_run_undo_redo(window, qtbot):
    build(window, qtbot)
    graph = window.document.graph
    labels = {graph.nodes[n].title: n for n in graph.nodes}
    assert set(labels) == set("xyzabc")
    n = labels
    connect(window, n["x"], n["a"], "a")
    connect(window, n["y"], n["a"], "b")
    connect(window, n["a"], n["b"], "a")
    connect(window, n["z"], n["b"], "b")
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as blocker:
        connect(window, n["b"], n["c"], "a")
    r = blocker.args[0]
    assert len(graph.edges) == 5
    assert float(r.value(n["c"])) == 6.770325017108724
    for name in "xyzab":
        np.testing.assert_allclose(r.value(n[name]), NOTEBOOK[name], atol=5e-9)
    np.testing.assert_allclose(r.grad(n["x"]), NOTEBOOK["y"], atol=5e-9)
    np.testing.assert_allclose(r.grad(n["y"]), NOTEBOOK["x"], atol=5e-9)
    assert window.act_undo.text() == "Undo Connect b → c"
    assert window.scene.nodes[n["c"]].panels[0].scalar_text == "6.77033"

    built = window.document.saved_json()
    stack = window.document.undo_stack
    steps = stack.count()
    for _ in range(steps):
        QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.graph.nodes == {} and window.scene.nodes == {}
    for i in range(steps):
        modifier = Qt.KeyboardModifier.ControlModifier
        if i % 2:
            QTest.keyClick(window.view, Qt.Key.Key_Y, modifier)
        else:
            QTest.keyClick(window.view, Qt.Key.Key_Z, modifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.document.saved_json() == built
    assert len(window.scene.edges) == 5
