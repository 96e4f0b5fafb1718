"""The Train dock's contents: the graph's training settings, the buttons (the
window's actions), the loss curve and one gradient-norm curve per trainable input."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QSpinBox, QToolButton, QVBoxLayout, QWidget)

from ..core.optim import MAX_STEPS, OPTIMIZERS, TrainSettings
from . import theme
from .param_editors import FieldEdit

# Curves of trainable inputs, in the order they appear in the graph.
CURVE_COLORS = ("#4e9be6", "#e6a04e", "#6cc070", "#d8605f", "#a58be0", "#d6c35a",
                "#5fc9c9", "#e07fc0")
LOSS_TITLE = "loss (the target's sum)"
NUMBER_FIELDS = {"lr": "learning rate", "momentum": "momentum", "beta1": "Adam β1",
                 "beta2": "Adam β2", "eps": "Adam ε"}


class TrainPanel(QWidget):
    settings_edited = Signal(object)   # TrainSettings the user asked for

    def __init__(self, actions, parent=None):
        super().__init__(parent)
        self.settings = TrainSettings()
        self.optimizer = QComboBox()
        for name, title in OPTIMIZERS.items():
            self.optimizer.addItem(title, name)
        self.optimizer.setToolTip("How a step moves the trainable inputs along their "
                                  "gradient (as torch.optim does)")
        self.optimizer.activated.connect(lambda _: self._edited())
        self.fields = {}
        form = QFormLayout()
        form.addRow("Optimizer", self.optimizer)
        for name, title in NUMBER_FIELDS.items():
            field = FieldEdit()
            field.setToolTip(f"The {title}; Enter applies it")
            field.editingFinished.connect(self._edited)
            self.fields[name] = field
            form.addRow(title[0].upper() + title[1:], field)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setToolTip("Steps one press of Train takes")
        self.steps.editingFinished.connect(self._edited)
        form.addRow("Steps per Train", self.steps)
        self.form = form
        buttons = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Plot the loss and gradient norms on a log scale "
                                  "(values ≤ 0 are left out)")
        self.log_scale.toggled.connect(self._set_log)
        self.loss_plot = self._plot(LOSS_TITLE)
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen(theme.TEXT.name(), width=1.5),
                                              connect="finite")
        self._shown = None   # (history, names) last shown
        self.norm_plot = self._plot("gradient norm")
        self.legend = self.norm_plot.addLegend(offset=(-5, 5), labelTextSize="8pt",
                                               brush=pg.mkBrush(17, 18, 20, 200))
        self.legend.setVisible(False)   # an empty box until there are curves
        self.norm_curves = {}
        self._colors = {}   # input id -> its curve's color
        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.log_scale)
        left.addWidget(self.status, 1)   # last: a longer status moves no button
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.loss_plot, 2)
        layout.addWidget(self.norm_plot, 2)
        self.show_settings(self.settings)

    @staticmethod
    def _plot(title):
        plot = pg.PlotWidget(background=theme.CANVAS.name())
        plot.setTitle(title, size="9pt")
        plot.setLabel("bottom", "step")
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")   # long runs keep their min and max
        plot.setMinimumSize(180, 140)
        return plot

    # ---- settings -----------------------------------------------------------------------
    def show_settings(self, settings):
        self.settings = settings
        self.optimizer.setCurrentIndex(self.optimizer.findData(settings.optimizer))
        for name, field in self.fields.items():
            field.setText(f"{getattr(settings, name):g}")
            field.setModified(False)
        self.steps.setValue(settings.steps)
        for name, visible in (("momentum", settings.optimizer == "momentum"),
                              *((k, settings.optimizer == "adam")
                                for k in ("beta1", "beta2", "eps"))):
            self.form.setRowVisible(self.fields[name], visible)

    def _edited(self):
        changes = {"optimizer": self.optimizer.currentData(), "steps": self.steps.value()}
        try:
            for name, field in self.fields.items():
                changes[name] = float(field.text())
            settings = self.settings.replace(**changes)
        except ValueError as e:
            self.show_status(f"Not applied: {e}".replace("could not convert string to "
                                                         "float", "not a number"), error=True)
            self.show_settings(self.settings)
            return
        for field in self.fields.values():
            field.committed()
        if settings != self.settings:
            self.settings_edited.emit(settings)

    # ---- history ------------------------------------------------------------------------
    def show_history(self, history, names):
        """Curves of `history` (a core History); `names`: input id → its title."""
        self._shown = history, names
        steps = len(history)
        x = np.arange(1, steps + 1)
        loss = _plottable(history.loss[:steps], self.log_scale)
        self.loss_curve.setData(x, loss, symbol="o" if steps == 1 else None, symbolSize=5)
        hidden = int(np.sum(np.asarray(history.loss[:steps]) <= 0)) \
            if self.log_scale.isChecked() else 0
        self.loss_plot.setTitle(LOSS_TITLE + (f" ({hidden:,} ≤ 0 not on the log scale)"
                                              if hidden else ""), size="9pt")
        for key in [k for k in self.norm_curves if k not in history.grad_norms]:
            self.norm_plot.removeItem(self.norm_curves.pop(key))
        for key, norms in history.grad_norms.items():
            curve = self.norm_curves.get(key)
            if curve is None:   # an input keeps its color from session to session
                color = self._colors.setdefault(
                    key, CURVE_COLORS[len(self._colors) % len(CURVE_COLORS)])
                curve = self.norm_curves[key] = self.norm_plot.plot(
                    pen=pg.mkPen(color, width=1.2), name=names.get(key, key),
                    connect="finite")
            curve.setData(x, _plottable(norms[:steps], self.log_scale))
        self.legend.setVisible(bool(self.norm_curves))

    def clear_history(self):
        self._shown = None
        self.loss_curve.setData([], [])
        for curve in self.norm_curves.values():
            self.norm_plot.removeItem(curve)
        self.norm_curves = {}
        self.legend.setVisible(False)
        for plot in (self.loss_plot, self.norm_plot):
            plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)   # not the last run's
            plot.enableAutoRange()   # the next curves are framed from scratch

    def apply_theme(self):
        """The plots in the current color scheme."""
        for plot in (self.loss_plot, self.norm_plot):
            plot.setBackground(theme.CANVAS)
        self.loss_curve.setPen(pg.mkPen(theme.TEXT.name(), width=1.5))

    def show_status(self, text, error=False):
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme.NODE_ERROR.name()}" if error else "")

    def _set_log(self, on):
        for plot in (self.loss_plot, self.norm_plot):
            plot.setLogMode(y=on)
        if self._shown:
            self.show_history(*self._shown)


def _plottable(values, log_scale):
    """The values as an array; on a log scale, values ≤ 0 become gaps (NaN)."""
    y = np.asarray(values, dtype=float)
    if log_scale.isChecked():
        y = np.where(y > 0, y, math.nan)
    return y
