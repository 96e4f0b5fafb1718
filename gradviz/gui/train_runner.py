"""Steps a Trainer in a thread of its own as fast as it goes, and hands the window a
frame (the run at the current values, prepared for display) at most FRAME_RATE times
a second.

Both threads need Python's GIL, and a thread that holds it keeps it for up to the
switch interval (5 ms) before another may run: a GUI thread that makes hundreds of Qt
calls per frame, each one giving the GIL up and asking for it back, would then take
seconds per frame. So the training thread gives the GIL up after every step, and
waits while the window shows and paints a frame it was handed, until the window
says `frame_drawn` (at most FRAME_WAIT: a hidden window paints nothing). Where a
frame takes the window longer than a frame period, frames come less often: training
keeps at least TRAIN_SHARE of the time."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal, Slot

FRAME_RATE = 25
FRAME_WAIT = 0.25   # seconds
TRAIN_SHARE = 0.3


class TrainRunner(QObject):
    frame = Signal(object)       # the RunResult to show
    finished = Signal(object)    # None, or the error that ended training
    _frame_ready = Signal()
    _done = Signal(int, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread = None
        self._job = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest = None
        self._drawn = threading.Event()
        self._frame_ready.connect(self._hand_frame)
        self._done.connect(self._on_done)

    @property
    def running(self):
        return self._thread is not None

    def start(self, trainer, steps, prepare):
        """Take `steps` steps of `trainer`; `prepare(result)` runs in the thread on
        each frame (the display's reductions)."""
        self.stop()
        self._job += 1
        job, stop = self._job, threading.Event()
        self._stop = stop

        def work():
            error, shown, period = None, 0.0, 1 / FRAME_RATE
            try:
                for done in range(1, steps + 1):
                    if stop.is_set():
                        break
                    trainer.step()
                    now = time.monotonic()
                    last = done == steps or trainer.diverged is not None
                    if now - shown >= period or last:
                        shown = now
                        self._publish(trainer, prepare)
                        self._drawn.wait(FRAME_WAIT)
                        drawing = time.monotonic() - now
                        period = max(1 / FRAME_RATE, drawing / (1 - TRAIN_SHARE))
                    else:
                        time.sleep(0)   # gives the GIL up: the window stays responsive
                    if last:
                        break
            except Exception as e:   # reported on the training, shown by the window
                error = e
            self._done.emit(job, error)
        self._thread = threading.Thread(target=work, name="gradviz-train", daemon=True)
        self._thread.start()

    def stop(self):
        """Stop after the step in progress and wait for it: the trainer is then the
        window's to read. A stopped training reports nothing more (no `finished`)."""
        if self._thread is not None:
            self._job += 1
            self._stop.set()
            self._drawn.set()
            self._thread.join()
            self._thread = None
            with self._lock:
                self._latest = None

    def _publish(self, trainer, prepare):
        result = trainer.result()   # the run at the new values, reused by the next step
        prepare(result)
        self._drawn.clear()
        with self._lock:
            waiting, self._latest = self._latest is not None, result
        if not waiting:
            self._frame_ready.emit()

    @Slot()
    def _hand_frame(self):
        with self._lock:
            result, self._latest = self._latest, None
        if result is not None:
            self.frame.emit(result)
        else:
            self._drawn.set()

    def frame_drawn(self):
        """The window has painted the last frame: training goes on."""
        self._drawn.set()

    @Slot(int, object)
    def _on_done(self, job, error):
        if job != self._job:
            return   # a training stopped and replaced
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._hand_frame()   # the last frame, if the window has not taken it
        self.finished.emit(error)
