"""Starting the editor."""
from __future__ import annotations

import logging
import os
import sys
import traceback

log = logging.getLogger("gradviz")


# Libraries Qt's X11 plugin loads (the Debian/Ubuntu package for each). Qt aborts the
# process when one is missing; gradviz says which instead.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def display_problem():
    """Why no window can open here, or None. Qt itself would abort the process."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM") \
            or os.environ.get("WAYLAND_DISPLAY"):
        return None
    if not os.environ.get("DISPLAY"):
        return ("no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
                "use 'gradviz run FILE' to run a graph without one")
    missing = [package for library, package in XCB_LIBRARIES.items()
               if not _loadable(library)]
    if missing:
        return ("Qt's X11 support needs system libraries that are missing; install them "
                f"(Debian/Ubuntu: sudo apt-get install {' '.join(missing)})")
    return None


def _loadable(library):
    import ctypes
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def _excepthook(window):
    """Log every exception that reaches the event loop; show the first of each kind once."""
    shown = set()

    def hook(kind, value, tb):
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        key = (kind, str(value))
        if key in shown:
            window.show_message(f"Error: {value}")
            return
        shown.add(key)
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.warning(window, "Unexpected error",
                            f"{kind.__name__}: {value}\n\nYour document is intact; "
                            "please save it. Details are in the log.")
    return hook


def create_window(path=None, recover=True):
    """The main window with `path` (default: the seed example) loaded and running."""
    from ..core.examples import example_path
    from .main_window import MainWindow
    from .render import load_fonts
    from .theme import apply_app_style
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    load_fonts(QApplication.instance())
    apply_app_style(QApplication.instance())
    window = MainWindow()
    if not (recover and window.offer_recovery()):
        if path is None:
            window.open_path(str(example_path("seed")), ask=False)
            window.document.path = None   # the default document is a new copy
            window.document.name = "seed (example)"
            window.document.path_changed.emit("")
        elif not window.open_path(path, ask=False):
            window.document.replace(__import__("gradviz").Graph())
    QTimer.singleShot(0, window.check_devices)
    return window


def main(path=None):
    problem = display_problem()
    if problem:
        print(f"gradviz: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("gradviz")
    app.setOrganizationName("gradviz")
    # Collect garbage only from the GUI thread's event loop. PySide deletes the Qt
    # objects Python owns when their wrappers are collected; a collection that starts
    # inside a Qt call (a connect, say) or in the worker thread can deadlock or crash.
    from pyqtgraph.util.garbage_collector import GarbageCollector
    app._gradviz_gc = GarbageCollector(interval=1.0)
    probe = bool(os.environ.get("GRADVIZ_STARTUP_PROBE"))
    window = create_window(path, recover=not probe)
    sys.excepthook = _excepthook(window)
    window.show()
    if probe:
        _probe_first_paint(window)
    return app.exec()


def _probe_first_paint(window):
    """For the start-up benchmark: print once the computed graph is painted, then quit."""
    from PySide6.QtWidgets import QApplication

    def painted(_result):
        window.repaint()
        QApplication.processEvents()
        print("painted", flush=True)
        QApplication.quit()
    window.runner.finished.connect(painted)
