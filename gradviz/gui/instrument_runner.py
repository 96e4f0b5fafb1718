"""Runs an instrument (a core function taking `progress(done, total)`) off the GUI
thread, reporting progress by signal, with Cancel. Starting another one cancels the
one in progress: its result is dropped, like a superseded run's."""
from __future__ import annotations

import itertools
import threading

from PySide6.QtCore import QObject, Signal, Slot


class InstrumentRunner(QObject):
    progress = Signal(int, int)    # done, total (of the latest job)
    finished = Signal(object)      # its result
    failed = Signal(object)        # its error (GradvizError "… cancelled" on Cancel)
    _progress = Signal(int, int, int)
    _done = Signal(int, object, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs = itertools.count(1)
        self._latest = 0
        self._cancel = threading.Event()
        self._progress.connect(self._on_progress)
        self._done.connect(self._on_done)

    @property
    def busy(self):
        return self._latest != 0

    def start(self, fn, *args, **kwargs):
        """Run fn(*args, progress=..., **kwargs) in a thread of its own."""
        self.cancel()
        job, cancel = next(self._jobs), threading.Event()
        self._latest, self._cancel = job, cancel

        def progress(done, total):
            self._progress.emit(job, done, total)
            return not cancel.is_set()

        def work():
            try:
                result = fn(*args, progress=progress, **kwargs)
            except Exception as e:   # reported on the job, shown by the window
                self._done.emit(job, e, False)
            else:
                self._done.emit(job, result, True)
        threading.Thread(target=work, name="gradviz-instrument", daemon=True).start()

    def cancel(self):
        self._cancel.set()

    @Slot(int, int, int)
    def _on_progress(self, job, done, total):
        if job == self._latest:
            self.progress.emit(done, total)

    @Slot(int, object, bool)
    def _on_done(self, job, outcome, ok):
        if job != self._latest:
            return
        self._latest = 0
        (self.finished if ok else self.failed).emit(outcome)
