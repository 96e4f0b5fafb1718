"""Heatmap items: a preview drawn as colored cells, row 0 on top and column 0 on the
left, as NumPy prints it."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QTransform
from PySide6.QtWidgets import QGraphicsItem

from .colors import heatmap_rgba, locate

# Numbers are printed in a cell when they fit in a font of at least NUMBER_MIN_PX
# pixels (at most NUMBER_MAX_PX), with this many significant digits.
NUMBER_MIN_PX, NUMBER_MAX_PX = 7, 12
NUMBER_DIGITS = 3


def cell_text(value):
    """A cell's number as the notebook would print it: a few significant digits."""
    return f"{value:.{NUMBER_DIGITS}g}"


def contrast_color(rgba):
    """Black on light cells, white on dark ones."""
    r, g, b = (int(v) for v in rgba[:3])
    return QColor("black") if 0.299 * r + 0.587 * g + 0.114 * b > 140 else QColor("white")


class Heatmap(QGraphicsItem):
    """An (rows, cols, 4) uint8 image of cells, cell (r, c) at (c, r) in item units
    (scaled to pixels by the item's transform): row 0 on top, as NumPy prints it. A
    plain item rather than pyqtgraph's ImageItem: a thousand nodes make two thousand
    of them, and ImageItem costs far more to create and to move."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image = None    # the colors, uint8 (rows, cols, 4)
        self.qimage = None   # the same memory, as Qt draws it
        self.preview = None
        self.grid_shape = (0, 0)
        self.wide_scalar = False
        self.printed = {}    # (row, col) -> the number printed there by the last paint
        self._numbers = None   # (cells, widest text at NUMBER_MAX_PX): made once a preview

    def set_preview(self, preview, low, high, table, max_width, max_height, max_cell,
                    wide_scalar=False, rgba=None):
        """Draw `preview` (a core Preview) in at most max_width x max_height pixels,
        cells at most `max_cell` a side. `rgba`: its colors, if made already (a painter
        colors many heatmaps at once)."""
        self.preview = preview
        self.wide_scalar = wide_scalar
        self._numbers = None
        if rgba is None:
            rgba = heatmap_rgba(preview.data, low, high, table)
        rows, cols = rgba.shape[:2]
        if (rows, cols) != self.grid_shape:
            self.prepareGeometryChange()
            self.grid_shape = (rows, cols)
        if rows == 0 or cols == 0:
            self.setVisible(False)
            return
        self.setVisible(True)
        fill_w, fill_h = min(max_width / cols, max_cell), min(max_height / rows, max_cell)
        width = height = min(fill_w, fill_h)   # square cells, like the array's grid ...
        if wide_scalar and rows == cols == 1:
            width = max_width
        elif preview.data.ndim <= 2:
            # ... but a thin matrix fills its panel in the thin direction, not a strip
            if cols * width < max_width / 2:
                width = fill_w
            if rows * height < max_height / 2:
                height = fill_h
        self.image = rgba
        self.qimage = QImage(rgba.data, cols, rows, 4 * cols, QImage.Format.Format_RGBA8888)
        self.setTransform(QTransform.fromScale(width, height))
        self.update()

    def thumbnail(self):
        """The cells as one image (for a node drawn compact), or None."""
        return self.qimage

    def boundingRect(self):
        rows, cols = self.grid_shape
        return QRectF(0, 0, cols, rows)

    def paint(self, painter, option, widget=None):
        if self.qimage is not None:
            painter.drawImage(self.boundingRect(), self.qimage)
        self.printed = {}
        scene = self.scene()
        if scene is not None and getattr(scene, "numbers_in_cells", False):
            self._paint_numbers(painter)

    def _paint_numbers(self, painter):
        """Each cell's number, when the cells are big enough on screen to hold it and
        each cell is one element (not a block's mean). A scalar prints its own."""
        if self.preview is None or not self.preview.exact or self.wide_scalar:
            return
        to_device = painter.worldTransform()
        width, height = abs(to_device.m11()), abs(to_device.m22())
        if width < NUMBER_MIN_PX * 2 or height < NUMBER_MIN_PX * 1.3:
            return
        cells, widest = self._cell_numbers()
        size = min(NUMBER_MAX_PX, height * 0.6, NUMBER_MAX_PX * (width - 2) / widest)
        if size < NUMBER_MIN_PX:
            return   # the numbers would not be legible: the colors alone, as before
        font = QFont("DejaVu Sans Mono")
        font.setPixelSize(int(size))
        painter.save()
        painter.resetTransform()
        painter.setFont(font)
        for row, col, text in cells:
            painter.setPen(contrast_color(self.image[row, col]))
            rect = to_device.mapRect(QRectF(col, row, 1, 1))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            self.printed[(row, col)] = text
        painter.restore()

    def _cell_numbers(self):
        """(row, col, text) of every cell and the widest text's width in a font of
        NUMBER_MAX_PX, made once per preview (not on every repaint)."""
        if self._numbers is None:
            rows, cols = self.grid_shape
            cells = []
            for row in range(rows):
                for col in range(cols):
                    where = locate(self.preview.data.shape, row, col)
                    if where is not None:
                        value = self.preview.data[(*where[0], where[1], where[2])]
                        cells.append((row, col, cell_text(float(value))))
            font = QFont("DejaVu Sans Mono")
            font.setPixelSize(NUMBER_MAX_PX)
            metrics = QFontMetricsF(font)
            widest = max((metrics.horizontalAdvance(t) for *_, t in cells), default=1)
            self._numbers = cells, widest
        return self._numbers

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
