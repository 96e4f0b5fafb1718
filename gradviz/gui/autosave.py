"""Autosave of unsaved work, and recovery after a crash.

Each running gradviz is a session with a random name. It holds an OS lock on
`<name>.lock` in the data folder for as long as it runs and, while its document has
unsaved changes, writes `<name>.gradviz` beside it, plus `<name>.json`: the document's
path and the folder its relative .npy paths are resolved against. The kernel releases
a lock when its process ends, however it ends, so an autosave whose lock can be taken
was left by a session that is gone; pids repeat (containers, reboots), locks do not.
A clean close removes all three files; nothing else removes an autosave that has not
been offered."""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import time

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from ..core import fileformat

INTERVAL_MS = 60_000
_COMPANIONS = (".gradviz", ".json", ".lock")


def data_folder():
    """GRADVIZ_DATA_DIR, else the platform's per-user app data folder."""
    base = os.environ.get("GRADVIZ_DATA_DIR") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)
    return os.path.join(base, "autosave")


def _lock(path):
    """A descriptor holding an exclusive lock on `path`, or None while another open
    file (another session) holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def leftovers(folder=None):
    """Autosaves of sessions that are gone, newest first: (file, meta) pairs."""
    folder = folder or data_folder()
    found = []
    if not os.path.isdir(folder):
        return found
    for name in os.listdir(folder):
        stem, ext = os.path.splitext(name)
        if ext != ".gradviz" or name.startswith("."):
            continue
        if not _gone(os.path.join(folder, stem + ".lock")):
            continue
        path = os.path.join(folder, name)
        try:
            with open(os.path.join(folder, stem + ".json"), encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            meta = {}
        if not isinstance(meta, dict):
            meta = {}
        meta["time"] = _when(meta.get("time"), path)
        found.append((path, meta))
    return sorted(found, key=lambda item: -item[1]["time"])


def _gone(lock_path):
    """True when no running session holds this lock."""
    try:
        fd = _lock(lock_path)
    except OSError:
        return False
    if fd is not None:
        os.close(fd)
    return fd is not None


def _sweep(folder):
    """Remove what sessions that are gone left besides autosaves to offer: temporary
    files of a killed autosave, and locks with nothing to recover."""
    names = os.listdir(folder) if os.path.isdir(folder) else ()
    for name in names:
        stem, ext = os.path.splitext(os.path.join(folder, name))
        if ext == ".lock" and _gone(stem + ".lock"):
            fileformat.remove_leftovers(stem + ".gradviz")
            if not os.path.exists(stem + ".gradviz"):
                discard(stem + ".gradviz")


def _when(recorded, path):
    """The autosave's time: as recorded, if it is a plausible one, else the file's."""
    if isinstance(recorded, (int, float)) and 0 <= recorded < 2 ** 33:
        return float(recorded)
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def discard(path):
    """Remove an autosave and its companion files."""
    stem = os.path.splitext(path)[0]
    for ext in _COMPANIONS:
        try:
            os.unlink(stem + ext)
        except OSError:
            pass


class Autosave(QObject):
    def __init__(self, document, folder=None, interval_ms=INTERVAL_MS, parent=None):
        super().__init__(parent)
        self.document = document
        self.folder = folder or data_folder()
        stem = os.path.join(self.folder, secrets.token_hex(8))
        self.path = stem + ".gradviz"
        self._lock_fd = None
        try:
            os.makedirs(self.folder, exist_ok=True)
            self._lock_fd = _lock(stem + ".lock")
        except OSError:
            pass  # no data folder: autosave fails quietly, as when saving
        _sweep(self.folder)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self.timer.start(interval_ms)
        document.modified_changed.connect(lambda modified: None if modified else self.clear())

    def save_now(self):
        """Write the document if it has unsaved changes. Never raises: autosave must
        not interrupt work; a failure leaves the previous autosave."""
        if not self.document.modified:
            return False
        graph = self.document.graph
        meta = {"path": self.document.path, "time": time.time(),
                "base_dir": graph.base_dir or os.getcwd()}
        try:
            os.makedirs(self.folder, exist_ok=True)
            fileformat.save(graph, self.path, relocate=False)
            with open(os.path.splitext(self.path)[0] + ".json", "w", encoding="utf-8") as f:
                json.dump(meta, f)
        except Exception:
            return False
        finally:
            backup = self.path + ".bak"
            if os.path.exists(backup):
                os.unlink(backup)
        return True

    def clear(self):
        """Remove this session's autosave (its lock stays while the session runs)."""
        for ext in (".gradviz", ".json"):
            try:
                os.unlink(os.path.splitext(self.path)[0] + ext)
            except OSError:
                pass

    def close(self):
        """End the session cleanly: no autosave, no lock."""
        self.timer.stop()
        self.clear()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            discard(self.path)
