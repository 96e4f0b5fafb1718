"""Reroute points on edges, with real mouse and key events: double-click to add,
drag, Delete, double-click to remove, Blender's Shift+right-drag, save and reopen."""
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from gradviz.gui import layout
from tests.gui.conftest import drag, header_point

NONE = Qt.KeyboardModifier.NoModifier
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
SHIFT = Qt.KeyboardModifier.ShiftModifier


def passes_through(item, point):
    """Whether the edge item's path has (x, y) as one of its stops."""
    path = item.path()
    return any((path.elementAt(i).x, path.elementAt(i).y) == point
               for i in range(path.elementCount()))


def double_click(view, scene_pos):
    """Press, release, double-click and release, as a mouse sends them (QTest's
    mouseDClick sends the double-click alone, and leaves the button held)."""
    point = view.mapFromScene(scene_pos)
    QTest.mouseClick(view.viewport(), LEFT, NONE, point)
    QTest.mouseDClick(view.viewport(), LEFT, NONE, point)
    QTest.mouseRelease(view.viewport(), LEFT, NONE, point)


def ctrl_z(window):
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def window_point(window, scene_pos):
    """Where `scene_pos` is in the window (events sent to the window go through Qt's
    platform path: a right press there also brings the context menu)."""
    return window.view.viewport().mapTo(window, window.view.mapFromScene(scene_pos))


def right_drag(window, start, end, modifier, steps=6):
    """A right-button drag through the window, from scene point `start` to `end`."""
    handle = window.windowHandle()
    a, b = window_point(window, start), window_point(window, end)
    QTest.mousePress(handle, RIGHT, modifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(handle, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(handle, RIGHT, modifier, b)


def with_point(window, key, point):
    """The edge `key` routed through `point` (set up through the document)."""
    window.document.add_reroutes({key: (0, point)})
    return window.scene.edges[key]


def test_double_click_on_an_edge_adds_a_point_the_edge_passes_through(window, qtbot):
    doc, item = window.document, window.scene.edges[("b", "a")]
    spot = item.path().pointAtPercent(0.25)
    double_click(window.view, spot)
    (point,) = doc.graph.reroutes("b", "a")
    assert abs(point[0] - spot.x()) < 2 and abs(point[1] - spot.y()) < 2
    assert passes_through(item, point) and len(item.dots) == 1
    assert window.act_undo.text() == "Undo Add reroute point"
    assert window.results_current()   # a reroute point changes no number
    # A second one on the stretch after it goes after it.
    later = item.path().pointAtPercent(0.8)
    double_click(window.view, later)
    assert doc.graph.reroutes("b", "a")[0] == point and len(doc.graph.reroutes("b", "a")) == 2
    ctrl_z(window)
    ctrl_z(window)
    assert doc.graph.reroutes("b", "a") == () and item.dots == []


def test_dragging_a_point_moves_it_as_one_undo_step(window, qtbot):
    doc, view = window.document, window.view
    item = with_point(window, ("c", "a"), (740.0, 100.0))
    zoom = view.zoom()
    start = QPointF(740, 100)
    end = view.mapToScene(view.mapFromScene(start) + QPoint(40, -30))
    drag(view, start, end)
    (moved,) = doc.graph.reroutes("c", "a")
    assert abs(moved[0] - (740 + 40 / zoom)) < 1 and abs(moved[1] - (100 - 30 / zoom)) < 1
    assert passes_through(item, moved)
    assert window.act_undo.text() == "Undo Move reroute point"
    ctrl_z(window)
    assert doc.graph.reroutes("c", "a") == ((740.0, 100.0),)
    assert item.points() == ((740.0, 100.0),) and passes_through(item, (740.0, 100.0))


def test_delete_removes_a_selected_point_and_undo_brings_it_back(window, qtbot):
    doc, view = window.document, window.view
    item = with_point(window, ("c", "a"), (740.0, 100.0))
    QTest.mouseClick(view.viewport(), LEFT, NONE, view.mapFromScene(QPointF(740, 100)))
    assert item.dots[0].isSelected() and not item.isSelected()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert doc.graph.reroutes("c", "a") == () and doc.graph.input_edge("c", "a")
    assert window.act_undo.text() == "Undo Delete reroute point"
    ctrl_z(window)
    assert doc.graph.reroutes("c", "a") == ((740.0, 100.0),)


def test_a_point_and_a_node_deleted_together_come_back_together(window, qtbot):
    """Deleting node c takes the edge b → c and its points; undo restores them exactly."""
    doc, view = window.document, window.view
    with_point(window, ("c", "a"), (740.0, 100.0))
    with_point(window, ("b", "b"), (470.5, 400.25))
    QTest.mouseClick(view.viewport(), LEFT, NONE,
                     view.mapFromScene(header_point(window.scene.nodes["c"])))
    QTest.mouseClick(view.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier,
                     view.mapFromScene(QPointF(470.5, 400.25)))
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert "c" not in doc.graph.nodes and doc.graph.reroutes("b", "b") == ()
    assert window.act_undo.text() == "Undo Delete c"
    ctrl_z(window)
    assert doc.graph.reroutes("c", "a") == ((740.0, 100.0),)
    assert doc.graph.reroutes("b", "b") == ((470.5, 400.25),)
    assert passes_through(window.scene.edges[("c", "a")], (740.0, 100.0))


def test_double_click_on_a_point_removes_it(window, qtbot):
    doc = window.document
    with_point(window, ("c", "a"), (740.0, 100.0))
    double_click(window.view, QPointF(740, 100))
    qtbot.waitUntil(lambda: doc.graph.reroutes("c", "a") == ())
    assert window.act_undo.text() == "Undo Delete reroute point"
    assert window.scene.edges[("c", "a")].dots == []


def test_shift_right_drag_across_two_edges_adds_a_point_to_each(window, qtbot):
    """Blender's gesture: each edge the stroke crosses gets a point where it crosses,
    in one undo step, and no context menu opens."""
    doc = window.document
    window._menu = None
    right_drag(window, QPointF(220, -20), QPointF(220, 300), SHIFT)
    assert window._menu is None
    crossed = {key: doc.graph.reroutes(*key) for key in (("a", "a"), ("a", "b"))}
    for key, points in crossed.items():
        assert len(points) == 1 and abs(points[0][0] - 220) < 1.5, key
        assert passes_through(window.scene.edges[key], points[0])
    assert all(doc.graph.reroutes(e.dst, e.port) == () for e in doc.graph.edges
               if e.dst != "a")
    assert window.act_undo.text() == "Undo Add reroute points"
    ctrl_z(window)
    assert all(doc.graph.reroutes(e.dst, e.port) == () for e in doc.graph.edges)


def test_escape_drops_the_stroke(window, qtbot):
    """While Shift+right-dragging, the dashed line follows the pointer; Escape drops it
    and adds nothing."""
    handle, view = window.windowHandle(), window.view
    QTest.mousePress(handle, RIGHT, SHIFT, window_point(window, QPointF(220, -20)))
    for y in (60, 140, 220, 300):
        QTest.mouseMove(handle, window_point(window, QPointF(220, y)))
    line = view._stroke.line
    assert line.scene() is window.scene and line.pen().style() == Qt.PenStyle.DashLine
    assert line.path().boundingRect().height() > 250
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert line.scene() is None
    QTest.mouseRelease(handle, RIGHT, SHIFT, window_point(window, QPointF(220, 300)))
    assert all(window.document.graph.reroutes(e.dst, e.port) == ()
               for e in window.document.graph.edges)
    assert not window.document.modified


def test_right_click_without_shift_opens_the_menu_and_adds_nothing(window, qtbot):
    doc = window.document
    spot = window.scene.edges[("b", "a")].path().pointAtPercent(0.25)
    before = doc.saved_json()
    window._menu = None
    right_drag(window, spot, spot, NONE, steps=0)
    menu = window._menu
    assert menu is not None and menu.isVisible()
    assert "Add Reroute Point" in [a.text() for a in menu.actions()]
    menu.close()
    right_drag(window, QPointF(220, -20), QPointF(220, 300), Qt.KeyboardModifier.ControlModifier)
    window._menu.close()
    assert doc.saved_json() == before and not doc.modified


def test_a_reroute_point_survives_save_and_reopen(window, qtbot, tmp_path):
    doc = window.document
    item = window.scene.edges[("b", "b")]
    double_click(window.view, item.path().pointAtPercent(0.25))
    points = doc.graph.reroutes("b", "b")
    assert len(points) == 1
    path = tmp_path / "rerouted.gradviz"
    assert window.save_to(str(path))
    window.new_document()
    assert window.scene.edges == {}
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        assert window.open_path(str(path))
    assert doc.graph.reroutes("b", "b") == points
    reopened = window.scene.edges[("b", "b")]
    assert reopened.points() == points and passes_through(reopened, points[0])


def test_moving_a_node_leaves_the_points_where_they_are(window, qtbot):
    doc, scene = window.document, window.scene
    item = with_point(window, ("c", "a"), (740.0, 100.0))
    start = header_point(scene.nodes["c"])
    drag(window.view, start, start + QPointF(60, 80))
    assert doc.graph.nodes["c"].pos != (780.0, 180.0)
    assert doc.graph.reroutes("c", "a") == ((740.0, 100.0),)
    assert item.path().pointAtPercent(1.0) == scene.nodes["c"].input_pos("a")
    assert passes_through(item, (740.0, 100.0))


def test_zoomed_out_the_edge_still_passes_through_its_points(window, qtbot):
    item = with_point(window, ("c", "a"), (740.0, 100.0))
    window.view.zoom_by(0.3 / window.view.zoom())
    assert not window.scene.detail
    assert passes_through(item, (740.0, 100.0)) and item.dots[0].isVisible()


def test_a_new_source_for_the_input_starts_without_points(window, qtbot):
    """Dragging z onto a.a replaces x → a.a: the new edge is straight; undo brings the
    old one back with its point."""
    doc, scene = window.document, window.scene
    with_point(window, ("a", "a"), (220.0, 20.0))
    drag(window.view, scene.nodes["z"].output_pos(), scene.nodes["a"].input_pos("a"))
    assert doc.graph.input_edge("a", "a").src == "z"
    assert doc.graph.reroutes("a", "a") == () and scene.edges[("a", "a")].dots == []
    ctrl_z(window)
    assert doc.graph.input_edge("a", "a").src == "x"
    assert doc.graph.reroutes("a", "a") == ((220.0, 20.0),)


def test_arrange_straightens_the_edges_it_lays_out_in_the_same_step(window, qtbot):
    doc = window.document
    with_point(window, ("c", "a"), (740.0, 100.0))
    before = doc.saved_json()
    QTest.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert doc.graph.reroutes("c", "a") == ()
    assert window.act_undo.text() == "Undo Arrange 6 nodes"
    ctrl_z(window)
    assert doc.saved_json() == before


def test_copy_and_paste_keep_the_points_moved_with_the_nodes(window, qtbot):
    doc = window.document
    with_point(window, ("c", "a"), (740.0, 100.0))
    new = doc.paste(doc.copy_text(["b", "c"]))
    renamed = dict(zip(["b", "c"], new))
    edge = doc.graph.input_edge(renamed["c"], "a")
    assert edge.src == renamed["b"]
    assert doc.graph.reroutes(renamed["c"], "a") == ((780.0, 140.0),)   # 40 px like the nodes
    assert passes_through(window.scene.edges[(renamed["c"], "a")], (780.0, 140.0))


def test_a_point_is_drawn_as_a_dot_of_the_edges_color(window, qtbot):
    item = with_point(window, ("c", "a"), (740.0, 100.0))
    dot = item.dots[0]
    assert dot.scenePos() == QPointF(740, 100)
    assert dot.rect().width() == 2 * layout.REROUTE_RADIUS
    assert dot.cursor().shape() == Qt.CursorShape.SizeAllCursor


def test_an_edge_with_two_points_at_one_spot_still_takes_a_double_click(window, qtbot):
    doc = window.document
    doc.add_reroutes({("c", "a"): (0, (740.0, 100.0))})
    doc.add_reroutes({("c", "a"): (0, (740.0, 100.0))})
    item = window.scene.edges[("c", "a")]
    spot = item.path().pointAtPercent(0.9)
    double_click(window.view, spot)
    assert len(doc.graph.reroutes("c", "a")) == 3
    assert doc.graph.reroutes("c", "a")[:2] == ((740.0, 100.0),) * 2
