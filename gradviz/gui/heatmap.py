"""Heatmap items: a preview drawn as colored cells with pyqtgraph's ImageItem, row 0
on top and column 0 on the left, as NumPy prints it."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTransform

from .colors import heatmap_rgba, locate
from .layout import MAX_CELL


class Heatmap(pg.ImageItem):
    def __init__(self, parent=None):
        # pyqtgraph's default axis order is column-major, which would show NumPy arrays
        # transposed; row-major keeps a[row, col] at (row down, col right).
        super().__init__(axisOrder="row-major")
        if parent is not None:
            self.setParentItem(parent)
        self.preview = None
        self.cell = 1.0
        self.grid_shape = (0, 0)

    def set_preview(self, preview, low, high, table, max_width, max_height, wide_scalar=False):
        """Draw `preview` (a core Preview) in at most max_width x max_height pixels."""
        self.preview = preview
        rgba = heatmap_rgba(preview.data, low, high, table)
        rows, cols = rgba.shape[:2]
        self.grid_shape = (rows, cols)
        if rows == 0 or cols == 0:
            self.setVisible(False)
            return
        self.setVisible(True)
        self.cell = max(1.0, min(max_width / cols, max_height / rows, MAX_CELL))
        self.setImage(rgba, autoLevels=False)
        sx = max_width / cols if wide_scalar and rows == cols == 1 else self.cell
        self.setTransform(QTransform.fromScale(sx, self.cell))

    def pixel_size(self):
        t = self.transform()
        rows, cols = self.grid_shape
        return cols * t.m11(), rows * t.m22()

    def rect_in_parent(self):
        w, h = self.pixel_size()
        return QRectF(self.pos(), QPointF(self.pos().x() + w, self.pos().y() + h))

    def cell_at(self, parent_pos):
        """(lead, row, col) of the preview cell under a point in parent coordinates,
        or None outside the cells or on a tile separator."""
        if self.preview is None or not self.rect_in_parent().contains(parent_pos):
            return None
        local = self.mapFromParent(parent_pos)
        row, col = int(local.y()), int(local.x())
        rows, cols = self.grid_shape
        if not (0 <= row < rows and 0 <= col < cols):
            return None
        return locate(self.preview.data.shape, row, col)
