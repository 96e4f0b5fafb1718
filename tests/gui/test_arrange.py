"""View ▸ Arrange with real keys and clicks: the whole graph or the selection, one undo
step; a graph without positions is arranged when it opens."""
import itertools

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import gradviz
from tests.gui.test_undo_history import click_header

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def node_rects(window, ids=None):
    return {n: item.sceneBoundingRect() for n, item in window.scene.nodes.items()
            if ids is None or n in ids}


def no_overlaps(rects):
    return all(not a.intersects(b) for a, b in itertools.combinations(rects.values(), 2))


def test_arrange_lays_the_graph_out_and_undo_puts_it_back(window, qtbot):
    doc = window.document
    for node_id in doc.graph.nodes:   # pile every node up
        doc.move({node_id: (doc.graph.nodes[node_id].pos, (0.0, 0.0))})
    before = {n: node.pos for n, node in doc.graph.nodes.items()}
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_A, CTRL_SHIFT)
    assert window.act_undo.text() == "Undo Arrange 6 nodes"
    assert no_overlaps(node_rects(window))
    for edge in doc.graph.edges:
        assert doc.graph.nodes[edge.src].pos[0] < doc.graph.nodes[edge.dst].pos[0]
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert {n: node.pos for n, node in doc.graph.nodes.items()} == before


def test_arrange_moves_only_the_selection_and_keeps_its_corner(window, qtbot):
    doc = window.document
    others = {n: doc.graph.nodes[n].pos for n in ("x", "y", "z")}
    for node_id, pos in (("a", (900.0, 600.0)), ("b", (600.0, 900.0)), ("c", (600.0, 600.0))):
        doc.move({node_id: (doc.graph.nodes[node_id].pos, pos)})
    window.view.fit_all()
    click_header(window, "a")
    click_header(window, "b", Qt.KeyboardModifier.ControlModifier)
    click_header(window, "c", Qt.KeyboardModifier.ControlModifier)
    assert set(window.scene.selected_node_ids()) == {"a", "b", "c"}
    window.act_arrange.trigger()
    assert {n: doc.graph.nodes[n].pos for n in ("x", "y", "z")} == others
    moved = {n: doc.graph.nodes[n].pos for n in ("a", "b", "c")}
    assert min(p[0] for p in moved.values()) == 600.0
    assert min(p[1] for p in moved.values()) == 600.0
    assert moved["a"][0] < moved["b"][0] < moved["c"][0]
    assert no_overlaps(node_rects(window, {"a", "b", "c"}))


def test_a_graph_without_positions_is_arranged_when_it_opens(make_window, tmp_path):
    g = gradviz.Graph()   # built in code: every node at (0, 0)
    g.set_target(g.add("sum", g.add("add", g.add("mul", g.add("input", id="x"),
                                                  g.add("input", id="y")),
                                     g.add("input", id="z"))))
    gradviz.save(g, tmp_path / "piled.gradviz")
    window = make_window(str(tmp_path / "piled.gradviz"))
    assert no_overlaps(node_rects(window))
    assert not window.document.modified and not window.document.undo_stack.canUndo()


def test_with_one_node_selected_the_whole_graph_is_arranged(window, qtbot):
    doc = window.document
    for node_id in doc.graph.nodes:
        doc.move({node_id: (doc.graph.nodes[node_id].pos, (0.0, 0.0))})
    click_header(window, "c")
    window.act_arrange.trigger()
    assert window.act_undo.text() == "Undo Arrange 6 nodes"
    assert no_overlaps(node_rects(window))
