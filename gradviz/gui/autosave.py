"""Autosave of unsaved work, and recovery after a crash. Each running gradviz writes
`<pid>.gradviz` (plus `<pid>.json` with the document's path) into the data folder while
its document has unsaved changes, and removes both when it closes cleanly."""
from __future__ import annotations

import json
import os
import time

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from ..core import fileformat

INTERVAL_MS = 60_000


def data_folder():
    """GRADVIZ_DATA_DIR, else the platform's per-user app data folder."""
    base = os.environ.get("GRADVIZ_DATA_DIR") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)
    return os.path.join(base, "autosave")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(folder=None):
    """Autosaves of gradviz processes that are gone, newest first: (file, meta) pairs."""
    folder = folder or data_folder()
    found = []
    if not os.path.isdir(folder):
        return found
    for name in os.listdir(folder):
        stem, ext = os.path.splitext(name)
        if ext != ".gradviz" or not stem.isdigit():
            continue
        if int(stem) == os.getpid() or _alive(int(stem)):
            continue
        path = os.path.join(folder, name)
        try:
            with open(os.path.join(folder, stem + ".json"), encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            meta = {}
        meta.setdefault("time", os.path.getmtime(path))
        found.append((path, meta))
    return sorted(found, key=lambda item: -float(item[1].get("time", 0)))


def discard(path):
    for p in (path, os.path.splitext(path)[0] + ".json"):
        try:
            os.unlink(p)
        except OSError:
            pass


class Autosave(QObject):
    def __init__(self, document, folder=None, interval_ms=INTERVAL_MS, parent=None):
        super().__init__(parent)
        self.document = document
        self.folder = folder or data_folder()
        self.path = os.path.join(self.folder, f"{os.getpid()}.gradviz")
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self.timer.start(interval_ms)
        document.modified_changed.connect(lambda modified: None if modified else self.clear())

    def save_now(self):
        """Write the document if it has unsaved changes. Never raises: autosave must
        not interrupt work; a failure leaves the previous autosave."""
        if not self.document.modified:
            return False
        try:
            os.makedirs(self.folder, exist_ok=True)
            fileformat.save(self.document.graph, self.path)
            with open(os.path.splitext(self.path)[0] + ".json", "w", encoding="utf-8") as f:
                json.dump({"path": self.document.path, "time": time.time()}, f)
        except Exception:
            return False
        finally:
            backup = self.path + ".bak"
            if os.path.exists(backup):
                os.unlink(backup)
        return True

    def clear(self):
        discard(self.path)
