"""Frames and comments on the canvas, driven with real mouse and key events: a frame
made around the selection (Ctrl+J), dragged by its title with what lies inside it,
resized by its corner, renamed, colored; comments added, typed, moved; deleting,
copying and pasting them with nodes, and saving them, each one undo step."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gradviz.core import notes
from gradviz.gui import layout, theme
from tests.gui.conftest import drag, move_pointer
from tests.gui.test_undo_history import click_header

CTRL = Qt.KeyboardModifier.ControlModifier


def frame_around(window, node_ids, title="Inputs"):
    """A frame around these nodes, as Frame Selected makes it; returns its id."""
    boxes = []
    for node_id in node_ids:
        rect = window.scene.nodes[node_id].sceneBoundingRect()
        boxes.append((rect.x(), rect.y(), rect.width(), rect.height()))
    frame_id = window.document.add_frame(notes.bounds(boxes, layout.FRAME_PADDING,
                                                      layout.FRAME_TITLE), title)
    show(window, frame_id)
    return frame_id


def show(window, note_id):
    """At 100 %, centred on the frame or comment."""
    window.view.zoom_100()
    window.view.centerOn(window.scene.notes[note_id].sceneBoundingRect().center())


def title_point(window, frame_id):
    """A scene point on the frame's title bar, right of its title's text."""
    item = window.scene.notes[frame_id]
    return item.mapToScene(QPointF(item.frame.rect[2] - 40, layout.FRAME_TITLE / 2))


def test_ctrl_j_frames_the_selection_and_its_title_is_typed(window, qtbot):
    doc, scene = window.document, window.scene
    QTest.keyClick(window.view, Qt.Key.Key_J, CTRL)   # nothing selected: says how
    assert not doc.graph.frames
    assert "Select the nodes to frame" in window.statusBar().currentMessage()
    window.view.zoom_100()
    window.view.centerOn(scene.nodes["x"].sceneBoundingRect().center())
    click_header(window, "x")
    click_header(window, "y", CTRL)
    QTest.keyClick(window.view, Qt.Key.Key_J, CTRL)
    (frame_id, frame), = doc.graph.frames.items()
    x, y, w, h = frame.rect
    left = min(scene.nodes[n].sceneBoundingRect().left() for n in ("x", "y"))
    right = max(scene.nodes[n].sceneBoundingRect().right() for n in ("x", "y"))
    top = scene.nodes["x"].sceneBoundingRect().top()
    bottom = scene.nodes["y"].sceneBoundingRect().bottom()
    pad, bar = layout.FRAME_PADDING, layout.FRAME_TITLE
    assert frame.rect == (left - pad, top - pad - bar, right - left + 2 * pad,
                          bottom - top + 2 * pad + bar)
    assert scene.selected_note_ids() == [frame_id]
    QTest.keyClicks(window.view.viewport(), "Inputs")   # the title is open for typing
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return)
    assert doc.graph.frames[frame_id].title == "Inputs"
    assert window.act_undo.text() == "Undo Rename frame Frame to Inputs"
    assert scene.notes[frame_id].zValue() < scene.edges[("a", "a")].zValue() < \
        scene.nodes["x"].zValue()
    assert window.results_current()   # a frame changes no number
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert not doc.graph.frames and frame_id not in scene.notes


def test_dragging_a_frame_by_its_title_moves_what_lies_inside(window, qtbot):
    doc, scene = window.document, window.scene
    frame_id = frame_around(window, ["x", "y"])
    comment_id = doc.add_comment((20, 150), "inside")
    inner = doc.add_frame((10, 300, 60, 60), "inner")   # wholly inside: it moves too
    before = doc.saved_json()
    steps = doc.undo_stack.count()
    start = title_point(window, frame_id)
    drag(window.view, start, start + QPointF(120, 60), steps=8)
    old, new = before["frames"][0]["rect"], doc.graph.frames[frame_id].rect
    dx, dy = new[0] - old[0], new[1] - old[1]
    assert (dx, dy) == (120, 60) and new[2:] == tuple(old[2:])
    moved = {n["id"]: n["pos"] for n in before["nodes"]}
    for node_id in ("x", "y"):   # by the same delta
        assert doc.graph.nodes[node_id].pos == (moved[node_id][0] + dx, moved[node_id][1] + dy)
    assert doc.graph.comments[comment_id].pos == (20 + dx, 150 + dy)
    assert doc.graph.frames[inner].rect == (10 + dx, 300 + dy, 60, 60)
    for node_id in ("a", "z", "b", "c"):   # outside: they stay
        assert doc.graph.nodes[node_id].pos == tuple(moved[node_id])
    assert doc.undo_stack.count() == steps + 1
    assert window.act_undo.text() == "Undo Move frame Inputs"
    assert scene.edges[("a", "a")].path().pointAtPercent(0) == scene.nodes["x"].output_pos()
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.saved_json() == before
    assert scene.nodes["x"].pos() == QPointF(*moved["x"])
    assert scene.notes[frame_id].pos() == QPointF(*old[:2])


def test_the_body_of_a_frame_lets_the_mouse_through(window, qtbot):
    """A drag that starts on a frame's body draws a rubber band (as on the canvas):
    the frame does not move and the nodes it touches are selected."""
    doc, scene = window.document, window.scene
    frame_id = frame_around(window, ["x", "y"])
    rect = doc.graph.frames[frame_id].rect
    corner = QPointF(rect[0] + 8, rect[1] + layout.FRAME_TITLE + 8)
    drag(window.view, corner, scene.nodes["x"].sceneBoundingRect().center(), steps=6)
    assert doc.graph.frames[frame_id].rect == rect
    assert scene.selected_node_ids() == ["x"]


def test_resizing_a_frame_by_its_corner_is_one_step(window, qtbot):
    doc = window.document
    frame_id = frame_around(window, ["y"])
    x, y, w, h = doc.graph.frames[frame_id].rect
    grip = QPointF(x + w - 6, y + h - 6)
    drag(window.view, grip, grip + QPointF(-40, 60), steps=6)
    assert doc.graph.frames[frame_id].rect == (x, y, w - 40, h + 60)
    assert window.act_undo.text() == "Undo Resize frame Inputs"
    drag(window.view, grip + QPointF(-40, 60), QPointF(x + 20, y + 20), steps=6)
    assert doc.graph.frames[frame_id].rect == (x, y, *layout.FRAME_MIN)   # the smallest
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.graph.frames[frame_id].rect == (x, y, w, h)
    assert window.scene.notes[frame_id].boundingRect().width() == w + 4


def test_renaming_a_frame_by_double_clicking_its_title(window, qtbot):
    doc = window.document
    frame_id = frame_around(window, ["x"])
    point = window.view.mapFromScene(title_point(window, frame_id))
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, point)
    QTest.keyClicks(window.view.viewport(), "Loss")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return)
    assert doc.graph.frames[frame_id].title == "Loss"
    assert window.scene.notes[frame_id].title.toPlainText() == "Loss"
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, point)
    QTest.keyClicks(window.view.viewport(), "Gone")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)   # cancels
    assert doc.graph.frames[frame_id].title == "Loss"
    assert window.scene.notes[frame_id].title.toPlainText() == "Loss"


def context_menu(window, scene_pos):
    """The context menu a right-click at `scene_pos` opens (sent as the platform
    sends it)."""
    vp = window.view.viewport()
    point = window.view.mapFromScene(scene_pos)
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                 vp.mapToGlobal(point)))
    menu = window._menu
    assert menu.isVisible()
    return menu


def choose(menu, *path):
    """Trigger the entry at `path` ("Color", "Blue") of a menu, closing it as a click
    does."""
    for text in path[:-1]:
        menu = next(a.menu() for a in menu.actions() if a.text().replace("&", "") == text)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == path[-1])
    menu.close()
    action.trigger()


def test_a_comment_from_the_canvas_menu_is_typed_and_moved(window, qtbot):
    doc, scene = window.document, window.scene
    window.view.zoom_100()
    spot = QPointF(-400, -300)
    window.view.centerOn(spot + QPointF(100, 60))
    choose(context_menu(window, spot), "Add Comment")
    (comment_id, comment), = doc.graph.comments.items()
    assert comment.pos == (spot.x(), spot.y())
    QTest.keyClicks(window.view.viewport(), "first line")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return)   # a new line
    QTest.keyClicks(window.view.viewport(), "and a long second line that wraps at the width")
    item = scene.notes[comment_id]
    assert item.boundingRect().height() > 4 * layout.COMMENT_PADDING + 20   # grows as typed
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return, CTRL)
    text = "first line\nand a long second line that wraps at the width"
    assert doc.graph.comments[comment_id].text == text
    assert window.act_undo.text() == "Undo Edit comment"
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier,
                      window.view.mapFromScene(item.mapToScene(QPointF(30, 12))))
    QTest.keyClicks(window.view.viewport(), "overwritten")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)
    assert doc.graph.comments[comment_id].text == text and item.text.toPlainText() == text
    grab = item.mapToScene(QPointF(30, 12))
    drag(window.view, grab, grab + QPointF(-60, 40), steps=6)
    assert doc.graph.comments[comment_id].pos == (spot.x() - 60, spot.y() + 40)
    assert window.act_undo.text() == "Undo Move comment"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.graph.comments[comment_id].pos == (spot.x(), spot.y())


def test_frame_color_from_its_menu_and_readable_in_both_themes(window, qtbot):
    doc, scene = window.document, window.scene
    frame_id = frame_around(window, ["x"])
    comment_id = doc.add_comment((-300, 0), "note")
    choose(context_menu(window, title_point(window, frame_id)), "Color", "Blue")
    assert doc.graph.frames[frame_id].color == "blue"
    assert window.act_undo.text() == "Undo Color frame Inputs blue"
    bar = window.view.mapFromScene(title_point(window, frame_id) + QPointF(20, 0))

    def pixel():
        image = window.view.viewport().grab().toImage()
        return image.pixelColor(bar).name()
    assert pixel() == theme.FRAME["blue"].name()   # the title bar, in either theme
    window.act_themes["light"].trigger()
    try:
        assert scene.notes[comment_id].text.defaultTextColor() == \
            theme.QColor(theme.SCHEMES["light"]["TEXT"])
        assert pixel() == theme.FRAME["blue"].name()
    finally:
        window.act_themes["dark"].trigger()
    assert scene.notes[comment_id].text.defaultTextColor() == \
        theme.QColor(theme.SCHEMES["dark"]["TEXT"])


def test_delete_takes_frames_and_comments_with_nodes_in_one_step(window, qtbot):
    doc, scene = window.document, window.scene
    frame_id = frame_around(window, ["x", "y"])
    comment_id = doc.add_comment((40, -200), "gone soon")
    before = doc.saved_json()
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     window.view.mapFromScene(title_point(window, frame_id)))
    click_header(window, "x", CTRL)
    scene.notes[comment_id].setSelected(True)
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "x" not in doc.graph.nodes and not doc.graph.frames and not doc.graph.comments
    assert window.act_undo.text() == "Undo Delete 1 node, 1 frame and 1 comment"
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.saved_json() == before
    assert set(scene.notes) == {frame_id, comment_id}


def test_copy_and_paste_a_frame_with_its_nodes(window, qtbot):
    doc, scene, view = window.document, window.scene, window.view
    frame_id = frame_around(window, ["x", "y"])
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(title_point(window, frame_id)))
    click_header(window, "x", CTRL)
    click_header(window, "y", CTRL)
    QTest.keyClick(view, Qt.Key.Key_C, CTRL)
    assert window.statusBar().currentMessage() == "Copied 2 nodes and 1 frame"
    view.centerOn(QPointF(-1500, 1500))
    point = view.viewport().rect().center()
    move_pointer(view, point)
    steps = doc.undo_stack.count()
    QTest.keyClick(view, Qt.Key.Key_V, CTRL)
    assert doc.undo_stack.count() == steps + 1
    assert window.act_undo.text() == "Undo Paste 2 nodes and 1 frame"
    pasted = doc.graph.frames["frame2"]
    source = doc.graph.frames[frame_id]
    dx, dy = pasted.rect[0] - source.rect[0], pasted.rect[1] - source.rect[1]
    assert pasted.rect[2:] == source.rect[2:] and pasted.title == "Inputs" and dx < -1000
    for old, new in (("x", "x1"), ("y", "y1")):   # the same offset as the frame's
        assert doc.graph.nodes[new].pos == (doc.graph.nodes[old].pos[0] + dx,
                                            doc.graph.nodes[old].pos[1] + dy)
    assert sorted(scene.selected_node_ids()) == ["x1", "y1"]
    assert scene.selected_note_ids() == ["frame2"]
    # a frame alone is copied alone
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(title_point(window, "frame2")))
    QTest.keyClick(view, Qt.Key.Key_C, CTRL)
    QTest.keyClick(view, Qt.Key.Key_V, CTRL)
    assert set(doc.graph.frames) == {frame_id, "frame2", "frame3"} and len(doc.graph.nodes) == 8
    QTest.keyClick(view, Qt.Key.Key_Z, CTRL)
    QTest.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert set(doc.graph.frames) == {frame_id} and len(doc.graph.nodes) == 6


def test_arrow_keys_move_a_selected_frame_with_its_contents(window, qtbot):
    doc = window.document
    frame_id = frame_around(window, ["x", "y"])
    rect, x = doc.graph.frames[frame_id].rect, doc.graph.nodes["x"].pos
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     window.view.mapFromScene(title_point(window, frame_id)))
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    QTest.keyClick(window.view, Qt.Key.Key_Down)
    assert doc.graph.frames[frame_id].rect[:2] == (rect[0] + 10, rect[1] + 10)
    assert doc.graph.nodes["x"].pos == (x[0] + 10, x[1] + 10)
    QTest.keyClick(window.view, Qt.Key.Key_Z, CTRL)   # the nudges were one step
    assert doc.graph.frames[frame_id].rect == rect and doc.graph.nodes["x"].pos == x


def test_frames_and_comments_are_saved_and_reopened(window, make_window, tmp_path):
    doc = window.document
    frame_id = frame_around(window, ["a", "b"], "Products")
    doc.set_frame_colors([frame_id], "#336699")
    doc.add_comment((900, -100), "multi\nline ✓")
    path = tmp_path / "framed.gradviz"
    doc.save(str(path))
    again = make_window(str(path))
    assert again.document.graph.frames == doc.graph.frames
    assert again.document.graph.comments == doc.graph.comments
    item = again.scene.notes[frame_id]
    assert item.pos() == QPointF(*doc.graph.frames[frame_id].rect[:2])
    assert again.scene.notes["comment1"].text.toPlainText() == "multi\nline ✓"
    view = again.view   # Fit All shows them
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(again.scene.notes["comment1"].sceneBoundingRect())


def test_zoomed_out_a_frame_title_stays_readable(window, qtbot):
    frame_id = frame_around(window, ["x", "y"], "Inputs of the product")
    window.view.zoom_by(0.25 / window.view.zoom())
    window.view.viewport().grab()   # painted at this zoom
    item, zoom = window.scene.notes[frame_id], window.view.zoom()
    assert not window.scene.detail and not item.title.isVisible()
    assert item._title_font(zoom).pixelSize() * zoom >= layout.TITLE_MIN_PX
    assert item.shape().boundingRect().height() * zoom >= layout.TITLE_MIN_PX
    point = window.view.mapFromScene(item.mapToScene(QPointF(item.frame.rect[2] / 2, 2)))
    assert window.view.itemAt(point) is item   # its title bar still takes the mouse


def test_a_new_comment_is_not_put_under_a_node(window, qtbot):
    """Nodes are drawn over comments: one added on a node went beneath it."""
    doc, scene = window.document, window.scene
    window.view.zoom_100()
    node = scene.nodes["y"].sceneBoundingRect()   # the leftmost column: canvas beside it
    spot = QPointF(node.left() - 150, node.top() + 60)   # a comment here covers y's left
    window.view.centerOn(spot)
    choose(context_menu(window, spot), "Add Comment")
    (comment_id, comment), = doc.graph.comments.items()
    QTest.keyClicks(window.view.viewport(), "note")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return, CTRL)
    placed = scene.notes[comment_id].sceneBoundingRect()
    assert not any(placed.intersects(item.sceneBoundingRect()) for item in scene.nodes.values())
