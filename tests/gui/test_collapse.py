"""Collapse a node to its header (H), expand it back, undo, save and load."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

import gradviz
from gradviz.gui import layout
from tests.gui.test_undo_history import click_header


def test_h_collapses_the_selection_and_undo_expands_it(window, qtbot, tmp_path):
    scene, doc = window.scene, window.document
    a = scene.nodes["a"]
    full = a.boundingRect().height()
    click_header(window, "a")
    QTest.keyClick(window.view, Qt.Key.Key_H)
    assert doc.graph.nodes["a"].collapsed
    assert a.boundingRect().height() == layout.HEADER + 4
    assert not a.body.isVisible() and not any(p.isVisible() for p in a.inputs.values())
    # its edges end at its header now
    header_middle = a.mapToScene(0, layout.HEADER / 2)
    assert scene.edges[("a", "a")].path().pointAtPercent(1.0) == header_middle
    assert window.act_undo.text() == "Undo Collapse a"
    assert window.results_current()   # collapsing changes no number
    path = tmp_path / "collapsed.gradviz"
    doc.save(str(path))
    assert gradviz.load(path).nodes["a"].collapsed
    QTest.keyClick(window.view, Qt.Key.Key_H)   # all selected are collapsed: expand
    assert not doc.graph.nodes["a"].collapsed and a.boundingRect().height() == full
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.graph.nodes["a"].collapsed
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not doc.graph.nodes["a"].collapsed and a.body.isVisible()


def test_a_collapsed_node_opens_collapsed(make_window, tmp_path):
    g = gradviz.load(gradviz.core.examples.example_path("seed"))
    g.set_collapsed("b", True)
    gradviz.save(g, tmp_path / "c.gradviz")
    window = make_window(str(tmp_path / "c.gradviz"))
    assert window.scene.nodes["b"].boundingRect().height() == layout.HEADER + 4


def test_a_collapsed_node_zoomed_out_has_room_for_its_title(window, qtbot):
    """Its large title was cut to the header's height ("pool" read "bool")."""
    window.document.set_collapsed(["a"], True)
    window.view.zoom_by(0.3 / window.view.zoom())   # 30 %
    item, zoom = window.scene.nodes["a"], window.view.zoom()
    assert not window.scene.detail
    font, band, title = item.compact_title(zoom)
    assert title == "a" and font.pixelSize() * zoom >= layout.TITLE_MIN_PX
    assert band <= item.boundingRect().height()


def test_a_wire_dropped_on_a_collapsed_node_connects_its_first_free_input(window, qtbot):
    from tests.gui.conftest import drag
    doc, scene = window.document, window.scene
    node_id = window.add_op("neg", QPointF(900, 600))
    doc.set_collapsed([node_id], True)
    window.view.fit_all()
    header = scene.nodes[node_id].mapToScene(layout.NODE_WIDTH / 2, layout.HEADER / 2)
    drag(window.view, scene.nodes["z"].output_pos(), header)
    assert doc.graph.input_edge(node_id, "a").src == "z"
    assert window.act_undo.text() == f"Undo Connect z → {node_id}"
