"""The step-mode timeline: play and pause, speed, a slider over the steps of a traced
run and what the current step does. Playing only moves an index; the window shows
the frame for it."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from ..core.trace import caption

SPEEDS = (0.5, 1.0, 2.0, 4.0)   # steps per second
DEFAULT_SPEED = 1.0


class StepBar(QWidget):
    index_changed = Signal(int)

    def __init__(self, name_of=str, parent=None):
        super().__init__(parent)
        self.steps = []
        self.name_of = name_of
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.play = QPushButton("Play")
        self.play.setCheckable(True)
        self.play.setToolTip("Play the steps (→ and ← step by hand)")
        self.play.toggled.connect(self._play)
        self.play.toggled.connect(lambda on: self.play.setText("Pause" if on else "Play"))
        layout.addWidget(self.play)
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g} step{'' if speed == 1 else 's'}/s", speed)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed.currentIndexChanged.connect(lambda _: self._play(self.play.isChecked()))
        layout.addWidget(self.speed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self._moved)
        layout.addWidget(self.slider, 1)
        self.label = QLabel()
        self.label.setMinimumWidth(320)
        layout.addWidget(self.label)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._advance)

    @property
    def index(self):
        return self.slider.value()

    def set_steps(self, steps, index=0):
        self.steps = list(steps)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(len(self.steps) - 1, 0))
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self._moved(self.slider.value())

    def show_caption(self):
        """The current step's caption, with the nodes' names as they are now."""
        if self.steps:
            self.label.setText(caption(self.steps, self.index, self.name_of))

    def step_by(self, delta):
        self.slider.setValue(self.slider.value() + delta)

    def stop(self):
        self.play.setChecked(False)

    def _moved(self, index):
        if self.steps:
            self.show_caption()
            self.index_changed.emit(index)

    def _play(self, playing):
        self.timer.stop()
        if playing:
            if self.index == self.slider.maximum():
                self.slider.setValue(0)   # play again from the start
            self.timer.start(int(1000 / self.speed.currentData()))

    def _advance(self):
        if self.index >= self.slider.maximum():
            self.play.setChecked(False)
        else:
            self.step_by(1)
