"""A bird's-eye view of the whole graph in a corner of the canvas; click it to go there."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from . import theme
from .items.frame import FrameItem

SIZE = (180, 120)
MARGIN = 10
NOTE_COLOR = QColor(200, 190, 120)   # comments


class Minimap:
    def __init__(self, view):
        self.view = view
        self.visible = True

    def frame(self):
        """The minimap's rectangle in viewport pixels (top right)."""
        width = self.view.viewport().width()
        return QRectF(width - SIZE[0] - MARGIN, MARGIN, *SIZE)

    def _world(self, rects):
        """What the minimap shows: the nodes' `rects` and the part of the canvas in
        view."""
        rect = QRectF()
        for node in rects:
            rect = rect.united(node)
        for item in self.view.scene().notes.values():
            rect = rect.united(item.sceneBoundingRect())
        shown = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        return rect.united(shown).adjusted(-40, -40, 40, 40)

    def _mapping(self, rects=None):
        """(scale, world rect, frame) so that world points map into the frame."""
        if rects is None:
            rects = [node.sceneBoundingRect() for node in self.view.scene().nodes.values()]
        frame, world = self.frame(), self._world(rects)
        scale = min(frame.width() / world.width(), frame.height() / world.height())
        return scale, world, frame

    def _to_frame(self, rect, scale, world, frame):
        return QRectF(frame.left() + (rect.left() - world.left()) * scale,
                      frame.top() + (rect.top() - world.top()) * scale,
                      rect.width() * scale, rect.height() * scale)

    def paint(self, painter):
        nodes = self.view.scene().nodes
        if not self.visible or not nodes and not self.view.scene().notes:
            return
        rects = [item.sceneBoundingRect() for item in nodes.values()]
        scale, world, frame = self._mapping(rects)
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor(80, 82, 88), 1))
        painter.setBrush(QColor(17, 18, 20, 215))
        painter.drawRoundedRect(frame, 5, 5)
        painter.setPen(Qt.PenStyle.NoPen)
        by_color = {}   # one drawRects call per color: a thousand nodes stay cheap
        for item, rect in zip(nodes.values(), rects):
            color = theme.NODE_SELECTED if item.isSelected() else \
                theme.CATEGORY.get(item.spec.category, theme.DEFAULT_CATEGORY)
            by_color.setdefault(color.rgba(), []).append(rect)
        painter.save()
        painter.translate(frame.left() - world.left() * scale, frame.top() - world.top() * scale)
        painter.scale(scale, scale)
        for item in self.view.scene().notes.values():   # frames and comments, faint
            color = QColor(theme.frame_colors(item.frame.color)[0]
                           if isinstance(item, FrameItem) else NOTE_COLOR)
            color.setAlpha(200 if item.isSelected() else 90)
            painter.setBrush(color)
            painter.drawRect(item.sceneBoundingRect())
        for rgba, rects in by_color.items():
            painter.setBrush(QColor.fromRgba(rgba))
            painter.drawRects(rects)
        painter.restore()
        shown = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(230, 230, 230), 1))
        painter.drawRect(self._to_frame(shown, scale, world, frame).intersected(frame))
        painter.restore()

    def scene_point(self, viewport_pos):
        """The scene point under a viewport point inside the minimap, or None."""
        if not self.visible or not self.view.scene().nodes and not self.view.scene().notes:
            return None
        scale, world, frame = self._mapping()
        if not frame.contains(viewport_pos):
            return None
        return world.topLeft() + (viewport_pos - frame.topLeft()) / scale
