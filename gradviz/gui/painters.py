"""Painters: how a view is drawn in each node's body, found by the view's `painter`
name. A painter turns a run's reductions (prepared in the worker) into body items on
the GUI thread, with the color limits the scene worked out for the run.

A new kind of picture is a painter class here plus a body item; a new view that draws
its arrays as heatmaps needs only its declaration in `gradviz.core.views`."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem

from . import colors, display, layout, theme
from .heatmap import Heatmap, contrast_color


class HeatmapBody(QGraphicsItem):
    """Heatmaps side by side, each with a caption under it; a scalar's number is
    printed on its cell. Heatmap items are reused from run to run."""

    def __init__(self, parent):
        super().__init__(parent)
        self.panels = []
        self.maps = []       # (HeatmapPanel, Heatmap)
        self._labels = []    # number text over scalar cells
        self._height = float(layout.BODY_LINE)
        self._width = float(layout.NODE_WIDTH)
        self._room = layout.room(1)

    def show(self, panels, room, width, images):
        """Draw `panels`, each heatmap in `room` (a layout.Room), in a node `width`
        wide; `images`: each panel's colors (`colors.heatmap_rgba`), None where it has
        no preview."""
        for label in self._labels:
            label.setParentItem(None)
            if label.scene():
                label.scene().removeItem(label)
        heatmaps = [h for _, h in self.maps]
        for extra in heatmaps[len(panels):]:
            extra.setParentItem(None)
            if extra.scene():
                extra.scene().removeItem(extra)
        heatmaps = heatmaps[:len(panels)]
        while len(heatmaps) < len(panels):
            heatmaps.append(Heatmap(self))
        self.panels, self.maps, self._labels = list(panels), [], []
        if (width, room) != (self._width, self._room):
            self.prepareGeometryChange()
            self._width, self._room = width, room
        for i, (panel, heatmap, rgba) in enumerate(zip(self.panels, heatmaps, images)):
            heatmap.setPos(layout.MARGIN + i * (room.width + layout.PANEL_GAP), 0)
            if panel.preview is None:
                heatmap.setVisible(False)
            else:
                scalar = bool(panel.scalar_text)
                heatmap.set_preview(panel.preview, panel.low, panel.high,
                                    colors.lut(panel.colormap), room.width,
                                    layout.SCALAR_HEIGHT if scalar else room.height,
                                    room.cell, wide_scalar=scalar, rgba=rgba)
                if scalar:
                    self._labels.append(self._number_label(panel, heatmap))
            self.maps.append((panel, heatmap))
        heights = [m.pixel_size()[1] for _, m in self.maps if m.isVisibleTo(self)]
        height = max(heights, default=layout.BODY_LINE) + layout.CAPTION
        if height != self._height:
            self.prepareGeometryChange()
            self._height = height
        self.update()

    def _number_label(self, panel, heatmap):
        """A scalar's number, printed on its cell in black or white, whichever reads."""
        label = QGraphicsSimpleTextItem(panel.scalar_text, self)
        font = QFont("DejaVu Sans Mono")
        font.setPointSizeF(7.5)
        label.setFont(font)
        label.setBrush(contrast_color(heatmap.image[0, 0]))
        w, h = heatmap.pixel_size()
        box = label.boundingRect()
        label.setPos(heatmap.x() + (w - box.width()) / 2, heatmap.y() + (h - box.height()) / 2)
        label.setZValue(1)
        return label

    def height(self):
        return self._height

    def boundingRect(self):
        return QRectF(0, 0, self._width, self._height)

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setFont(theme.small_mono_font(painter.font()))
        width = self._room.width
        bottom = self._height - layout.CAPTION
        for i, (panel, _) in enumerate(self.maps):
            x = layout.MARGIN + i * (width + layout.PANEL_GAP)
            if panel.preview is None:
                painter.setPen(theme.TEXT_DIM)
                painter.drawText(QRectF(x, 0, width, layout.BODY_LINE),
                                 Qt.AlignmentFlag.AlignVCenter, panel.note)
            painter.setPen(theme.TEXT)
            painter.drawText(QRectF(x, bottom + 2, width, layout.CAPTION),
                             Qt.AlignmentFlag.AlignVCenter, panel.caption)

    def cell_at(self, pos):
        """(panel, lead, row, col) under a point in this item's coordinates, or None."""
        for panel, heatmap in self.maps:
            if heatmap.isVisibleTo(self):
                cell = heatmap.cell_at(pos)
                if cell is not None:
                    return (panel, *cell)
        return None


class HeatmapPainter:
    """Each of the view's arrays as a heatmap on a diverging scale centred on zero,
    per node or shared over the graph."""

    def paint(self, previews, view, limit_of, node_items):
        """Fill the bodies of the nodes in the run, with the color limits `limit_of`
        ({(node, kind): limit}, from `display.limits`)."""
        shown = []
        for node_id, item in node_items.items():
            if node_id in previews.result:
                room = item.room(len(view.arrays))
                shown.append((item, room, *display.heatmap_panels(previews, node_id, view,
                                                                  limit_of, room)))
        images = iter(color_panels([p for *_, panels, _ in shown for p in panels]))
        for item, room, panels, warning in shown:
            item.body_of(HeatmapBody).show(panels, room, item.node_width,
                                           [next(images) for _ in panels])
            item.set_warning(warning)
            item.fit_body()


def color_panels(panels):
    """Each HeatmapPanel's colors (None where it has no preview), made together: a few
    NumPy calls per color map for the whole graph."""
    images = [None] * len(panels)
    for name in {p.colormap for p in panels if p.preview is not None}:
        chosen = [i for i, p in enumerate(panels) if p.preview is not None and p.colormap == name]
        made = colors.heatmap_rgba_many([(panels[i].preview.data, panels[i].low,
                                          panels[i].high) for i in chosen], colors.lut(name))
        for i, rgba in zip(chosen, made):
            images[i] = rgba
    return images


PAINTERS = {"heatmap": HeatmapPainter()}
