"""The local-derivative card: a node's backward rule with the live arrays filled in,
each a small heatmap with its exact numbers on hover. It shows one backward step of
a traced run, or, for a selected node outside step mode, the same step rebuilt from
a plain run."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QGridLayout, QLabel, QSizePolicy, QToolTip, QVBoxLayout,
                               QWidget)

from ..core.ops import get_op
from ..core.preview import make_preview
from ..core.shapes import shape_text
from ..core.trace import Contribution, Step, operands_of, rule_of, summed_axes
from . import colors

TILE = 72          # the largest side of an array's picture, in pixels
HINT = ("Select a node, or step through a run (Run ▸ Step Through), to see how its "
        "gradient passes to its inputs.")
TILE_CELLS = 24    # arrays with more cells a side are shown as block means


def step_of(result, node_id, op):
    """The backward step of node `node_id` (an `op`) as a plain run knows it (every
    contribution sent, the sums complete), or None when no gradient reaches it."""
    g = result.device_grad(node_id) if node_id in result else None
    if g is None:
        return None
    spec = get_op(op)
    srcs = result.inputs[node_id]
    inputs = tuple(result.device_value(src) for src in srcs)
    rule = rule_of(spec)
    contributions = tuple(
        Contribution(src, port, part, summed_axes(part.shape, result.shapes[src]))
        for src, port in zip(srcs, spec.inputs)
        if (part := result.device_edge_grad(node_id, port)) is not None)
    return Step("backward", node_id, g, rule,
                operands_of(spec, rule, g, result.device_value(node_id), inputs),
                contributions)


class ArrayTile(QLabel):
    """An array as a small heatmap on the diverging scale, symmetric about zero; hover
    a cell for its index and exact value."""

    def __init__(self, array, parent=None):
        super().__init__(parent)
        self.array = np.asarray(array, dtype=np.float64)
        self.preview = make_preview(np, np.asarray, self.array, TILE_CELLS, TILE_CELLS)
        self.limit = colors.symmetric_limit(colors.finite_absmax(self.array))
        rgba = colors.heatmap_rgba(self.preview.data, -self.limit, self.limit,
                                   colors.lut(colors.DIVERGING))
        rows, cols = rgba.shape[:2]
        self.cell = max(1, min(TILE // max(rows, cols), 24))
        image = QImage(rgba.data, cols, rows, 4 * cols, QImage.Format.Format_RGBA8888).copy()
        self.setPixmap(QPixmap.fromImage(image).scaled(
            cols * self.cell, rows * self.cell, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation))
        self.setFixedSize(cols * self.cell, rows * self.cell)
        self.setMouseTracking(True)

    def text_at(self, x, y):
        """Index and value of the cell under pixel (x, y)."""
        where = colors.locate(self.preview.data.shape, int(y // self.cell), int(x // self.cell))
        if where is None:
            return ""
        index = self.preview.source_index(*where)
        if not all(isinstance(i, int) for i in index):
            ranges = ", ".join(str(i) if isinstance(i, int) else f"{i[0]}:{i[1]}" for i in index)
            value = float(self.preview.data[(*where[0], where[1], where[2])])
            return f"[{ranges}] block mean = {value!r}"
        return f"[{', '.join(map(str, index))}] = {float(self.array[index])!r}"

    def mouseMoveEvent(self, event):
        text = self.text_at(event.position().x(), event.position().y())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)


class DerivativeCard(QWidget):
    """The rule and its arrays: first the operands it names (g, the inputs, out),
    then what each input edge receives (summed back over broadcast axes)."""

    def __init__(self, name_of=str, parent=None):
        super().__init__(parent)
        self.name_of = name_of
        self.step = None
        self.tiles = {}               # caption -> ArrayTile
        # The dock keeps its width from step to step, whatever a step's notes say.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel(HINT)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.grid_host)
        layout.addStretch(1)

    def show_text(self, text=""):
        """No step to show: say why (default: how to get one)."""
        self.step = None
        self._clear()
        self.title.setText(text or HINT)

    def show_forward(self, node_id, op):
        self.show_text(f"<b>{self.name_of(node_id)} ({op})</b>: the forward pass computes "
                       "its value from its inputs; its gradient comes in the backward pass.")

    def show_step(self, step, op, to_host=np.asarray):
        """Show a backward step of an `op` node; `to_host` brings the run's arrays to
        the host."""
        self.step = step
        self._clear()
        title = f"{self.name_of(step.node)} ({op})"
        self.title.setText(f"<b>{title}</b>: {step.rule or 'an input: nothing to pass on'}")
        row = 0
        for name, array in step.operands.items():
            self._add(row, name, to_host(array), "the gradient arriving" if name == "g" else "")
            row += 1
        for c in step.contributions:
            how = f"summed over axis {', '.join(map(str, c.unbroadcast))}" \
                if c.unbroadcast else ""
            self._add(row, f"∂{c.port} → {self.name_of(c.src)}", to_host(c.array), how)
            row += 1

    def _clear(self):
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            widget.hide()   # gone from the card now, not at the next event loop
            widget.deleteLater()
        self.tiles = {}

    def _add(self, row, caption, array, note):
        tile = ArrayTile(array)
        self.tiles[caption] = tile
        self.grid.addWidget(QLabel(caption), row, 0)
        self.grid.addWidget(tile, row, 1)
        detail = shape_text(tuple(tile.array.shape)) + (f", {note}" if note else "")
        label = QLabel(detail)
        label.setWordWrap(True)
        label.setStyleSheet("color: #9a9ca3")
        self.grid.addWidget(label, row, 2)
