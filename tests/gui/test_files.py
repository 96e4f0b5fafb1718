"""Files in the editor: save and open, prompts, recovery, bad files, drops, stale runs."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

import gradviz
from gradviz.core import fileformat
from gradviz.gui.autosave import leftovers
from tests.gui.conftest import answer_next_dialog


def modify(window):
    window.document.rename("x", "changed")


def test_save_then_open_gives_the_same_document(window, qtbot, tmp_path):
    modify(window)
    path = tmp_path / "mine.gradviz"
    assert window.save_to(str(path))
    assert not window.document.modified and window.windowTitle() == "mine.gradviz[*] — gradviz"
    saved = window.document.saved_json()
    window.new_document()
    assert window.document.graph.nodes == {}
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        assert window.open_path(str(path))
    assert window.document.saved_json() == saved
    assert window._recent()[0] == str(path)
    assert not window.document.modified


def test_title_marks_unsaved_changes(window):
    assert not window.isWindowModified()
    modify(window)
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_unsaved_changes_prompt_cancel_keeps_document(window, qtbot):
    modify(window)
    before = window.document.saved_json()
    seen = []
    answer_next_dialog("Cancel", seen)
    window.new_document()
    assert "Save changes to seed (example)" in seen[0]
    assert window.document.saved_json() == before and window.document.modified


def test_unsaved_changes_prompt_discard(window, qtbot):
    modify(window)
    answer_next_dialog("Discard")
    window.new_document()
    assert window.document.graph.nodes == {} and not window.document.modified


def test_unsaved_changes_prompt_save_writes_the_file(window, qtbot, tmp_path):
    path = tmp_path / "kept.gradviz"
    window.save_to(str(path))
    modify(window)
    answer_next_dialog("Save")
    window.new_document()
    assert gradviz.load(path).nodes["x"].label == "changed"


def test_closing_with_unsaved_changes_asks(window, qtbot):
    modify(window)
    answer_next_dialog("Cancel")
    window.close()
    assert window.isVisible()


def test_corrupt_file_leaves_current_document(window, qtbot, tmp_path):
    modify(window)
    before = window.document.saved_json()
    bad = tmp_path / "bad.gradviz"
    bad.write_text('{"format": "gradviz", "version": [1, 0], "nodes": [], "edges": [}')
    seen = []
    answer_next_dialog("OK", seen)
    assert not window.open_path(str(bad), ask=False)
    assert "bad.gradviz: not valid JSON" in seen[0]
    assert window.document.saved_json() == before and window.document.modified


def test_failed_save_keeps_document_and_old_file(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "g.gradviz"
    window.save_to(str(path))
    old = path.read_bytes()
    modify(window)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space")))
    seen = []
    answer_next_dialog("OK", seen)
    assert not window.save_to(str(path))
    assert "No space" in seen[0]
    assert path.read_bytes() == old and window.document.modified


def test_dropping_a_file_opens_it(window, qtbot, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="only", value=[1.0, 2.0])
    gradviz.save(g, tmp_path / "drop.gradviz")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "drop.gradviz"))])
    window.document.undo_stack.setClean()
    vp = window.view.viewport()
    point = vp.rect().center()
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, drop)
    assert list(window.document.graph.nodes) == ["only"]
    assert window.document.path == str(tmp_path / "drop.gradviz")


HOLD_LOCK = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
             "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()")


def other_session(window, name, time=None):
    """A running session `name` whose autosave is a copy of `window`'s (a process that
    holds its lock); kill it to make it a crashed one."""
    folder, stem = window.autosave.folder, os.path.splitext(window.autosave.path)[0]
    with open(stem + ".json", encoding="utf-8") as f:
        meta = json.load(f)
    if time is not None:
        meta["time"] = time
    with open(os.path.join(folder, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(meta, f)
    shutil.copy(stem + ".gradviz", os.path.join(folder, name + ".gradviz"))
    process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK,
                                os.path.join(folder, name + ".lock")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "locked\n"
    return process


def crash(process):
    process.kill()
    process.wait()
    process.stdin.close()
    process.stdout.close()


def test_autosave_then_recovery_after_a_crash(make_window, qtbot, tmp_path):
    window = make_window()
    modify(window)
    assert window.autosave.save_now()
    expected = window.document.saved_json()
    folder = window.autosave.folder
    session = other_session(window, "other")
    assert leftovers(folder) == []   # a running session's autosave is not offered
    crash(session)
    assert [os.path.basename(p) for p, _ in leftovers(folder)] == ["other.gradviz"]
    seen = []
    answer_next_dialog("Recover", seen)
    recovered = make_window(recover=True)
    assert "closed unexpectedly with unsaved changes" in seen[0]
    assert recovered.document.saved_json() == expected
    assert recovered.document.modified
    assert not any(os.path.exists(os.path.join(folder, "other" + ext))
                   for ext in (".gradviz", ".json", ".lock"))


def test_an_autosave_is_kept_until_it_is_offered(make_window, qtbot):
    """Two crashed sessions, one named after this process's pid (pids repeat): the
    newer is offered first, the other is kept (not taken as this session's) and
    offered at the next start."""
    window = make_window()
    modify(window)
    assert window.autosave.save_now()
    folder = window.autosave.folder
    crash(other_session(window, str(os.getpid()), time=1000.0))
    crash(other_session(window, "newer", time=2000.0))
    seen = []
    answer_next_dialog("Discard", seen)
    make_window(recover=True)
    assert not os.path.exists(os.path.join(folder, "newer.gradviz"))
    assert os.path.exists(os.path.join(folder, f"{os.getpid()}.gradviz"))
    answer_next_dialog("Recover", seen)
    recovered = make_window(recover=True)
    assert len(seen) == 2 and recovered.document.graph.nodes["x"].label == "changed"
    assert leftovers(folder) == []


def test_start_clears_what_crashed_sessions_left_besides_autosaves(make_window, qtbot):
    """A killed autosave's temporary file, and the lock of a session with nothing to
    recover, are removed at the next start; a running session's files are not."""
    window = make_window()
    modify(window)
    assert window.autosave.save_now()
    folder = window.autosave.folder
    running = other_session(window, "running")
    crash(other_session(window, "killed"))
    for name in ("killed", "running"):
        open(os.path.join(folder, f".{name}.gradviz.x1.tmp"), "w").close()
        os.unlink(os.path.join(folder, name + ".gradviz"))
    make_window()
    names = set(os.listdir(folder))
    assert not {".killed.gradviz.x1.tmp", "killed.lock", "killed.json"} & names
    assert {".running.gradviz.x1.tmp", "running.lock"} <= names
    crash(running)


def test_opening_a_file_clears_temporary_files_of_a_killed_save(window, tmp_path):
    path = tmp_path / "doc.gradviz"
    assert window.save_to(str(path))
    litter = tmp_path / ".doc.gradviz.k1ll3d.tmp"
    litter.write_text("half a save")
    other = tmp_path / ".other.gradviz.k1ll3d.tmp"
    other.write_text("someone else's")
    assert window.open_path(str(path), ask=False)
    assert not litter.exists() and other.exists()


def write_npy_input(folder):
    """A graph file in `folder` whose input reads `data/arr.npy` (relative)."""
    (folder / "data").mkdir(parents=True)
    array = np.arange(12.0).reshape(4, 3)
    np.save(folder / "data" / "arr.npy", array)
    graph = gradviz.Graph()
    graph.base_dir = str(folder)
    graph.add("input", id="x", source="npy", path="data/arr.npy")
    graph.add("sum", "x", id="s")
    fileformat.save(graph, folder / "doc.gradviz")
    return folder / "doc.gradviz", array


def test_save_as_elsewhere_keeps_relative_npy_paths_pointing_at_the_same_file(
        window, qtbot, tmp_path):
    path, array = write_npy_input(tmp_path / "project")
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        assert window.open_path(str(path), ask=False)
    (tmp_path / "elsewhere").mkdir()
    assert window.save_to(str(tmp_path / "elsewhere" / "copy.gradviz"))
    reopened = gradviz.load(tmp_path / "elsewhere" / "copy.gradviz")
    assert reopened.nodes["x"].params["path"] == os.path.join("..", "project", "data",
                                                              "arr.npy")
    np.testing.assert_array_equal(reopened.run().value("x"), array)
    with qtbot.waitSignal(window.runner.finished, timeout=10000) as run:
        window.run_now()   # the open document still reads the same file
    np.testing.assert_array_equal(run.args[0].value("x"), array)


def test_recovered_work_keeps_relative_npy_paths(make_window, qtbot, tmp_path):
    path, array = write_npy_input(tmp_path / "project")
    window = make_window(str(path))
    modify(window)
    assert window.autosave.save_now()
    crash(other_session(window, "crashed"))
    answer_next_dialog("Recover")
    recovered = make_window(recover=True)
    assert recovered.document.path == str(path)
    np.testing.assert_array_equal(recovered.last_result.value("x"), array)


def test_autosave_is_removed_on_clean_close(window, qtbot):
    modify(window)
    window.autosave.save_now()
    assert os.path.exists(window.autosave.path)
    answer_next_dialog("Discard")
    window.close()
    assert not os.path.exists(window.autosave.path)


def test_example_opens_as_untitled_copy(window, qtbot):
    window.document.undo_stack.setClean()
    window.open_example("seed")
    assert window.document.path is None and "c" in window.document.graph.nodes


def test_a_newer_run_supersedes_a_stale_one(qtbot):
    from gradviz.gui.worker import RunController
    controller = RunController()
    try:
        big = gradviz.Graph()
        big.add("input", id="x", source="fill", fill=1.0, shape=(1024, 1024))
        big.add("sum", "x", id="s")
        small = gradviz.Graph()
        small.add("input", id="x", value=[5.0])
        small.add("sum", "x", id="s")
        results = []
        controller.finished.connect(results.append)
        with qtbot.waitSignal(controller.finished, timeout=10000):
            controller.request(big)
            controller.request(small)
            controller.request(small)
        qtbot.waitUntil(lambda: not controller.busy)   # nothing left to run or report
        assert len(results) == 1 and float(results[0].value("s")) == 5.0
    finally:
        controller.shutdown()


def test_gui_stays_responsive_while_running(window, qtbot):
    """The run happens off the GUI thread: events are handled before it finishes."""
    doc = window.document
    handled = []
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        doc.set_params("x", {"source": "fill", "fill": 0.5, "shape": (2048, 2048)})
        doc.set_params("y", {"source": "fill", "fill": 2.0, "shape": (2048, 2048)})
        doc.set_params("z", {"source": "randn", "seed": 3, "offset": 0,
                             "shape": (2048, 2048)})
        qtbot.waitUntil(lambda: window.runner.busy)   # the coalesced run has started
        from PySide6.QtCore import QTimer
        QTimer.singleShot(0, lambda: handled.append(window.runner.busy))
    assert handled == [True]
    assert float(window.last_result.value("c")) == np.sum(
        1.0 + fileformat.loads(fileformat.dumps(doc.graph)).run().value("z"))


def test_no_display_is_one_line_not_an_abort():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "gradviz"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("gradviz: no display found") and out.stderr.count("\n") == 1


def test_revert_drops_changes_after_confirmation(window, qtbot, tmp_path):
    path = tmp_path / "r.gradviz"
    window.save_to(str(path))
    saved = window.document.saved_json()
    modify(window)
    answer_next_dialog("Yes")
    window.revert()
    assert window.document.saved_json() == saved and not window.document.modified


def test_open_recent_lists_and_opens_files(window, qtbot, tmp_path):
    paths = []
    for name in ("one", "two"):
        g = gradviz.Graph()
        g.add("input", id=name, value=[1.0])
        gradviz.save(g, tmp_path / f"{name}.gradviz")
        paths.append(str(tmp_path / f"{name}.gradviz"))
        window.document.undo_stack.setClean()
        window.open_path(paths[-1])
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions][:2] == [paths[1], paths[0]]
    actions[1].trigger()
    assert list(window.document.graph.nodes) == ["one"]


def test_missing_x11_libraries_are_named_instead_of_a_qt_abort(monkeypatch):
    from gradviz.gui import app
    monkeypatch.setenv("DISPLAY", ":9")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(app, "_loadable", lambda library: library != "libxcb-icccm.so.4")
    problem = app.display_problem()
    assert "sudo apt-get install libxcb-icccm4" in problem
    monkeypatch.setattr(app, "_loadable", lambda library: True)
    assert app.display_problem() is None


def test_starting_with_a_bad_file_says_why_and_opens_an_empty_document(make_window, tmp_path):
    bad = tmp_path / "broken.gradviz"
    bad.write_text('{"format": "gradviz", "version": [9, 0], "nodes": [], "edges": []}')
    seen = []
    answer_next_dialog("OK", seen)
    window = make_window(str(bad))
    assert "written by a newer gradviz" in seen[0]
    assert window.document.graph.nodes == {} and window.document.path is None


def test_a_file_whose_shapes_do_not_fit_opens_in_the_editor(window, qtbot, tmp_path):
    """Saved with y at 5 elements (the editor accepts it), the file opens from a new
    window at start-up: `a` shows the error, nothing is lost, fixing y runs again."""
    with qtbot.waitSignal(window.runner.failed, timeout=10000):
        window.document.set_params("y", {"source": "fill", "fill": 1.0, "shape": (5,)})
    path = tmp_path / "mismatch.gradviz"
    assert window.save_to(str(path))
    saved = window.document.saved_json()
    from gradviz.gui.app import create_window
    reopened = create_window(str(path), recover=False)   # runs from the event loop
    qtbot.addWidget(reopened)
    with qtbot.waitSignal(reopened.runner.failed, timeout=10000) as failed:
        reopened.show()
    assert "do not broadcast" in str(failed.args[0])
    assert reopened.document.path == str(path) and reopened.document.saved_json() == saved
    assert "(4, 3) and (5,) do not broadcast" in reopened.scene.nodes["a"].error
    with qtbot.waitSignal(reopened.runner.finished, timeout=10000):
        reopened.document.set_params("y", {"source": "fill", "fill": 1.0, "shape": (4, 3)})
    assert reopened.scene.nodes["a"].error is None
    reopened.document.undo_stack.setClean()
    reopened.close()
