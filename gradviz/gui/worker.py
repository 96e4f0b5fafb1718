"""Runs the engine off the GUI thread. A newer request supersedes an older one: a
stale result is never shown."""
from __future__ import annotations

import logging
import traceback
from typing import Callable, NamedTuple

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.engine import Engine
from ..core.errors import GradvizError

log = logging.getLogger(__name__)


class Job(NamedTuple):
    """One run request: a snapshot of the graph, and `prepare(result)`, run in the
    worker too (the display's reductions)."""
    run_id: int
    graph: object
    device: str
    target: str | None
    prepare: Callable | None
    memory_budget: int | None
    trace: bool


class _Worker(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self):
        super().__init__()
        self.engine = Engine()   # lives in the worker thread: its cache is never shared

    @Slot(object)
    def run(self, job):
        try:
            result = self.engine.run(job.graph, device=job.device, target=job.target,
                                     partial=True, memory_budget=job.memory_budget,
                                     trace=job.trace)
            if job.prepare is not None:
                job.prepare(result)
        except GradvizError as e:
            self.failed.emit(job.run_id, e)
        except Exception as e:  # a bug: report it on the run, keep the app alive
            log.error("run failed:\n%s", traceback.format_exc())
            self.failed.emit(job.run_id,
                             RuntimeError(f"internal error: {type(e).__name__}: {e}"))
        else:
            self.done.emit(job.run_id, result)


class RunController(QObject):
    finished = Signal(object)     # RunResult of the latest request
    failed = Signal(object)       # its error
    _submit = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("gradviz-run")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.done.connect(self.on_worker_done)
        self._worker.failed.connect(self.on_worker_failed)
        self._thread.start()
        self._latest = 0
        self._running = False
        self._pending = None

    @property
    def busy(self):
        return self._running

    def request(self, graph, device="cpu", target=None, prepare=None, memory_budget=None,
                trace=False):
        """Run a snapshot of `graph`; later edits do not reach a run in progress.
        `prepare(result)`, if given, also runs in the worker thread (display work);
        `trace` records the run step by step."""
        self._latest += 1
        job = Job(self._latest, graph.copy(), device, target, prepare, memory_budget, trace)
        if self._running:
            self._pending = job
        else:
            self._dispatch(job)

    def _dispatch(self, job):
        self._running = True
        self._submit.emit(job)

    def _next(self):
        self._running = False
        if self._pending is not None:
            job, self._pending = self._pending, None
            self._dispatch(job)

    @Slot(int, object)
    def on_worker_done(self, run_id, result):
        self._next()
        if run_id == self._latest:
            self.finished.emit(result)

    @Slot(int, object)
    def on_worker_failed(self, run_id, error):
        self._next()
        if run_id == self._latest:
            self.failed.emit(error)

    def shutdown(self):
        self._thread.quit()
        self._thread.wait()
