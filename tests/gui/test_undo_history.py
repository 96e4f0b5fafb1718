"""The undo history is always replayable: a step is all or nothing, undo restores
exactly what was there, and a long random run of edits with undo/redo bursts keeps the
scene equal to the graph and the history reproducible."""
import os
import random

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gradviz.core.errors import GradvizError, GraphError
from tests.gui.conftest import drag, header_point
from tests.gui.test_build_notebook import set_field

CTRL = Qt.KeyboardModifier.ControlModifier


def click_header(window, node_id, modifier=Qt.KeyboardModifier.NoModifier):
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, modifier,
                     window.view.mapFromScene(header_point(window.scene.nodes[node_id])))


def test_replacing_an_occupied_input_of_a_node_in_error(window, qtbot):
    """sum's axis 5 puts c in error; dropping a onto c.a (fed by b) replaces the edge
    as one step, and undo and redo replay it."""
    doc, scene = window.document, window.scene
    click_header(window, "c")
    set_field(window, "axis", "5")
    assert doc.graph.nodes["c"].params["axis"] == 5
    before = doc.saved_json()
    drag(window.view, scene.nodes["a"].output_pos(), scene.nodes["c"].input_pos("a"))
    assert doc.graph.input_edge("c", "a").src == "a"
    assert window.act_undo.text() == "Undo Connect a → c"
    assert set(scene.edges) == {(e.dst, e.port) for e in doc.graph.edges}
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.saved_json() == before and scene.edges[("c", "a")].edge.src == "b"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert doc.graph.input_edge("c", "a").src == "a"


def test_undo_restores_an_edge_whose_shapes_no_longer_fit(window, qtbot):
    """y becomes 3x3 (a shows the error), x → a is disconnected: undoing both brings
    the seed graph back exactly."""
    doc = window.document
    original = doc.saved_json()
    click_header(window, "y")
    window.properties.fields["source"].setCurrentText("fill")
    set_field(window, "shape", "3, 3")
    assert doc.graph.nodes["y"].params["shape"] == (3, 3)
    doc.delete(edges=[doc.graph.input_edge("a", "a")])
    for _ in range(3):
        QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.saved_json() == original
    assert not doc.undo_stack.canUndo()


def test_a_failing_part_rolls_the_step_back_and_the_stack_stays(window):
    doc = window.document
    before, count = doc.saved_json(), doc.undo_stack.count()

    class Fails:
        text = "fails"

        def redo(self):
            raise GraphError("refused on purpose")

        def undo(self):
            raise AssertionError("never done, never undone")

    from gradviz.gui import commands
    moved = commands.Move(doc.graph, {"x": (doc.graph.nodes["x"].pos, (500.0, 500.0))})
    with pytest.raises(GraphError, match="refused on purpose"):
        doc.push(moved, Fails())
    assert doc.saved_json() == before and doc.undo_stack.count() == count
    assert window.scene.nodes["x"].pos().x() == before["nodes"][0]["pos"][0]


def test_an_undo_that_fails_moves_nothing_and_says_why(window, monkeypatch):
    doc = window.document
    doc.rename("x", "ex")
    step = doc.undo_stack.command(doc.undo_stack.index() - 1)

    def refuse():
        raise GraphError("cannot restore on purpose")
    monkeypatch.setattr(step.parts[0], "undo", refuse)
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.graph.nodes["x"].label == "ex" and doc.undo_stack.canUndo()
    assert window.act_undo.text() == "Undo Rename x to ex"
    assert "Cannot undo: cannot restore on purpose" in window.statusBar().currentMessage()


def test_deleting_several_nodes_then_undo_keeps_the_node_order(window, qtbot):
    doc = window.document
    order = list(doc.graph.nodes)
    click_header(window, "y")
    click_header(window, "z", CTRL)
    assert sorted(window.scene.selected_node_ids()) == ["y", "z"]
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "y" not in doc.graph.nodes and "z" not in doc.graph.nodes
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert list(doc.graph.nodes) == order
    assert set(window.scene.nodes) == set(order)


# ---- the invariant, over random edits ---------------------------------------------
def random_edit(doc, rng, ops):
    """One random edit through the document (refusals are part of the game)."""
    graph = doc.graph
    ids = list(graph.nodes)
    pick = rng.choice
    kind = pick(["add", "add", "delete", "connect", "connect", "disconnect", "rename",
                 "params", "move", "paste", "duplicate", "target", "dtype"])
    if kind == "add" or not ids:
        op = pick(ops)
        doc.add_node(op, (rng.uniform(-500, 500), rng.uniform(-500, 500)))
    elif kind == "delete":
        doc.delete(rng.sample(ids, min(len(ids), rng.randint(1, 2))))
    elif kind == "connect":
        dst = pick(ids)
        ports = graph_inputs(graph, dst)
        if ports:
            doc.connect(pick(ids), dst, pick(ports))   # may replace an occupied input
    elif kind == "disconnect" and graph.edges:
        doc.delete(edges=[pick(graph.edges)])
    elif kind == "rename":
        doc.rename(pick(ids), pick(["", "x", "weights", "Σ", pick(ids)]))
    elif kind == "params":
        node_id = pick(ids)
        doc.set_params(node_id, random_params(graph.nodes[node_id], rng))
    elif kind == "move":
        node_id = pick(ids)
        doc.move({node_id: (graph.nodes[node_id].pos, (rng.uniform(-900, 900), 0.0))})
    elif kind in ("paste", "duplicate"):
        doc.paste(doc.copy_text(rng.sample(ids, min(len(ids), 2))),
                  at=None if kind == "duplicate" else (rng.uniform(0, 99), 3.0))
    elif kind == "target":
        doc.set_target(pick(ids + [None]))
    elif kind == "dtype":
        doc.set_dtype(pick(["float64", "float32"]))


def graph_inputs(graph, node_id):
    from gradviz.core.ops import get_op
    return list(get_op(graph.nodes[node_id].op).inputs)


def random_params(node, rng):
    """Params that are valid on their own but may break shapes downstream."""
    params = dict(node.params)
    if node.op == "input":
        shape = rng.choice([(4, 3), (3, 3), (3,), (), (2, 4, 3)])
        return rng.choice([{"source": "fill", "fill": rng.uniform(-2, 2), "shape": shape},
                           {"source": "randn", "seed": rng.randint(0, 9), "offset": 0,
                            "shape": shape},
                           {"source": "value", "value": np.full(shape, 0.5)}])
    for name in params:
        if name == "axis":
            params[name] = rng.choice([None, 0, 1, -1, 3])
        elif name == "exponent":
            params[name] = rng.choice([2.0, 0.5, -1.0])
        elif name == "shape":
            params[name] = rng.choice([(-1,), (3, 4), (2, -1), (5,)])
    return params


def scene_matches_graph(scene, graph):
    assert set(scene.nodes) == set(graph.nodes)
    assert set(scene.edges) == {(e.dst, e.port) for e in graph.edges}
    for node_id, node in graph.nodes.items():
        item = scene.nodes[node_id]
        assert (item.pos().x(), item.pos().y()) == node.pos
        assert item.node is node
    for key, item in scene.edges.items():
        assert item.edge == graph.input_edge(*key)


def replay(qapp, edits, seed):
    from gradviz.core.examples import example_path
    from gradviz.core.fileformat import load
    from gradviz.core.ops import OPS
    from gradviz.gui.document import Document
    from gradviz.gui.scene import GraphScene
    doc = Document()
    doc.replace(load(example_path("seed")))
    scene = GraphScene(doc)
    rng = random.Random(seed)
    ops = sorted(OPS)
    start = doc.saved_json()
    for _ in range(edits):
        try:
            if rng.random() < 0.2:   # a burst of undos or redos
                for _ in range(rng.randint(1, 6)):
                    (doc.undo if rng.random() < 0.6 else doc.redo)()
            else:
                random_edit(doc, rng, ops)
        except GradvizError:
            pass   # refused cleanly: the rule being tested is that nothing else escapes
        scene_matches_graph(scene, doc.graph)
    while doc.undo_stack.canRedo():
        doc.redo()
    end = doc.saved_json()
    while doc.undo_stack.canUndo():
        doc.undo()
    assert doc.saved_json() == start
    scene_matches_graph(scene, doc.graph)
    while doc.undo_stack.canRedo():
        doc.redo()
    assert doc.saved_json() == end
    scene_matches_graph(scene, doc.graph)


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_keep_the_history_replayable(qapp, seed):
    replay(qapp, 300, seed)


@pytest.mark.long
@pytest.mark.parametrize("seed", range(20))
def test_random_edits_keep_the_history_replayable_long(qapp, seed):
    replay(qapp, int(os.environ.get("GRADVIZ_LONG_EDITS", 5000)), 100 + seed)
