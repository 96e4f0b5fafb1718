
import gc

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def collect_closed_windows(qapp):
    """Delete what earlier tests closed, here, at a safe point. PySide deletes the Qt
    objects that Python owns (pyqtgraph's menus, for one) when their wrappers are
    garbage-collected; a collection that starts inside a Qt call can then deadlock on
    Qt's own mutexes."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    yield


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """Recent files and autosaves go to this test's own folders."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("GRADVIZ_DATA_DIR", str(tmp_path / "data"))


def close_window(window):
    window.document.undo_stack.setClean()   # no save prompt at teardown
    window.close()


@pytest.fixture
def make_window(qtbot):
    """make_window(path=None, recover=False): a shown main window, first run done.
    The first run is requested from the event loop, so waiting after creation is safe."""
    from gradviz.gui.app import create_window

    def make(path=None, recover=False):
        window = create_window(path, recover=recover)
        qtbot.addWidget(window, before_close_func=close_window)
        window.resize(1200, 800)
        window.show()
        if window.document.graph.nodes:
            with qtbot.waitSignal(window.runner.finished, timeout=10000):
                pass
        qtbot.waitExposed(window)
        window.activateWindow()  # window shortcuts fire in the active window only
        qtbot.waitUntil(window.isActiveWindow)
        return window
    return make


@pytest.fixture
def window(make_window):
    return make_window()


def viewport_point(view, scene_pos):
    return view.mapFromScene(scene_pos)


def drag(view, start, end, steps=5, button=Qt.MouseButton.LeftButton):
    """A real mouse drag on the view's viewport between two scene positions."""
    vp = view.viewport()
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(vp, button, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(vp, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(vp, button, Qt.KeyboardModifier.NoModifier, b)


def answer_next_dialog(button_text, found=None):
    """Click the button labelled `button_text` in the next modal dialog."""
    def click():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, click)
            return
        if found is not None:
            found.append(dialog.text() if hasattr(dialog, "text") else dialog.windowTitle())
        for b in dialog.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QAbstractButton):
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text!r} in {dialog.windowTitle()!r}")
    QTimer.singleShot(20, click)


def add_with_quick_add(window, text, op, point):
    """With the quick-add popup open, type `text` and Enter: the new node is an `op`,
    selected, with its header centred under viewport `point`."""
    popup = window.quick_add
    assert popup.isVisible()
    where = window.view.mapToScene(point)   # before the view scrolls to show the node
    QTest.keyClicks(popup.search, text)
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert not popup.isVisible()
    new = window.scene.selected_node_ids()
    assert len(new) == 1 and window.document.graph.nodes[new[0]].op == op
    assert window.document.graph.nodes[new[0]].pos == (round(where.x() - 90),
                                                       round(where.y() - 30))


def move_pointer(view, point):
    """A real mouse move to viewport `point`, even if QTest believes the pointer is
    already there (it then sends nothing)."""
    QTest.mouseMove(view.viewport(), point + QPoint(1, 1))
    QTest.mouseMove(view.viewport(), point)


def add_refused_input(window):
    """An input of 5 elements, which cannot feed the seed's a.b ((4, 3) and (5,) do
    not broadcast): (its output, a.b) as scene points."""
    node_id = window.add_op("input", QPointF(-300, 400))
    window.document.set_params(node_id, {"source": "fill", "fill": 2.0, "shape": (5,)})
    scene = window.scene
    return scene.nodes[node_id].output_pos(), scene.nodes["a"].input_pos("b")


def press_and_move(view, start, end):
    """A drag from scene point `start` to `end`, the button still held: the viewport
    point to release it at."""
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(start))
    for t in (0.3, 0.6, 1.0):
        QTest.mouseMove(vp, view.mapFromScene(start + (end - start) * t))
    return view.mapFromScene(end)


def header_point(item):
    return item.mapToScene(QPointF(60, 12))
