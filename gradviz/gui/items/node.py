"""A node on the canvas: header with its name and op, ports, and a body that shows
its latest value and gradient."""
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen,
                           QTextCursor)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem, QGraphicsTextItem, QToolTip

from ...core.ops import get_op
from .. import theme
from ..display import PANEL_GAP, PANEL_HEIGHT
from ..heatmap import Heatmap
from .port import PortItem

CAPTION = 16


class TitleItem(QGraphicsTextItem):
    """The node's name; double-click to edit, Enter to commit, Escape to cancel."""

    def __init__(self, node_item):
        super().__init__(node_item)
        self.node_item = node_item
        self.setDefaultTextColor(theme.TEXT)
        font = QFont()
        font.setBold(True)
        self.setFont(font)
        self.setPos(6, 2)
        self._editing = False

    def show_name(self, name):
        """The node's name, elided to fit the header unless it is being edited."""
        if not self._editing:
            room = theme.NODE_WIDTH * 0.62
            self.setPlainText(QFontMetricsF(self.font()).elidedText(
                name, Qt.TextElideMode.ElideRight, room))

    def start_editing(self):
        self._editing = True
        self.setPlainText(self.node_item.node.title)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cursor)

    def _finish(self, commit):
        if not self._editing:
            return
        self._editing = False
        text = self.toPlainText()
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        if self.scene() and self.scene().focusItem() is self:
            self.scene().setFocusItem(None)
        if commit:
            self.scene().rename_node(self.node_item.node_id, text)
        self.node_item.refresh()

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(True)
        elif event.key() == Qt.Key.Key_Escape:
            self._finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        self._finish(True)


class NodeItem(QGraphicsItem):
    def __init__(self, node):
        super().__init__()
        self.node_id = node.id
        self.node = node
        self.spec = get_op(node.op)
        self.panels = []
        self._maps = []      # (Panel, Heatmap)
        self._labels = []    # number text over scalar cells
        self.warning = ""
        self.error = None
        self.waiting = False
        self.is_target = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.title = TitleItem(self)
        rows = max(len(self.spec.inputs), 1)
        self.inputs = {p: PortItem(self, p, QPointF(0, theme.HEADER + theme.PORT_ROW * (i + 0.5)))
                       for i, p in enumerate(self.spec.inputs)}
        self.output = PortItem(self, None, QPointF(theme.NODE_WIDTH,
                                                   theme.HEADER + theme.PORT_ROW * 0.5))
        self._ports_height = theme.PORT_ROW * rows
        self._height = 0.0
        self.setPos(*node.pos)
        self.refresh()

    # ---- geometry -----------------------------------------------------------------
    def body_top(self):
        return theme.HEADER + self._ports_height + 4

    def panel_width(self):
        n = max(len(self.panels), 1)
        return (theme.NODE_WIDTH - 16 - PANEL_GAP * (n - 1)) / n

    def boundingRect(self):
        return QRectF(-2, -2, theme.NODE_WIDTH + 4, self._height + 4)

    def output_pos(self):
        return self.mapToScene(self.output.pos())

    def input_pos(self, port):
        return self.mapToScene(self.inputs[port].pos())

    def header_rect(self):
        return QRectF(0, 0, theme.NODE_WIDTH, theme.HEADER)

    # ---- state ----------------------------------------------------------------------
    def refresh(self):
        """Re-read the node (label, params) and relayout."""
        self.title.show_name(self.node.title)
        heights = [m.pixel_size()[1] for p, m in self._maps if m.isVisible()]
        height = self.body_top() + (max(heights, default=theme.BODY_LINE)) + CAPTION + 8
        if height != self._height:
            self.prepareGeometryChange()
            self._height = height
        tip = f"{self.node.id} · {self.spec.title}\n{self.spec.doc}"
        if any(p.preview is None for p in self.panels):
            tip = f"No gradient: this node is not upstream of the target.\n\n{tip}"
        if self.warning:
            tip = f"{self.warning}\n\n{tip}"
        if self.error:
            tip = f"{self.error}\n\n{tip}"
        self.setToolTip(tip)
        self.update()

    def set_panels(self, panels, warning=""):
        """Show one heatmap per panel, side by side (Values, Gradients or Both).
        Heatmap items are reused from run to run; only their images change."""
        self.waiting = False
        for label in self._labels:
            if label.scene():
                label.scene().removeItem(label)
        heatmaps = [h for _, h in self._maps]
        for extra in heatmaps[len(panels):]:
            extra.setParentItem(None)
            if extra.scene():
                extra.scene().removeItem(extra)
        heatmaps = heatmaps[:len(panels)]
        while len(heatmaps) < len(panels):
            heatmaps.append(Heatmap(self))
        self.panels, self._maps, self._labels = list(panels), [], []
        self.warning = warning
        width = self.panel_width()
        for i, (panel, heatmap) in enumerate(zip(self.panels, heatmaps)):
            heatmap.setPos(8 + i * (width + PANEL_GAP), self.body_top())
            if panel.preview is None:
                heatmap.setVisible(False)
            else:
                scalar = bool(panel.scalar_text)
                heatmap.set_preview(panel.preview, panel.low, panel.high, panel.table,
                                    width, 24 if scalar else PANEL_HEIGHT, wide_scalar=scalar)
                if scalar:
                    self._labels.append(self._number_label(panel, heatmap))
            self._maps.append((panel, heatmap))
        self.refresh()

    def _number_label(self, panel, heatmap):
        """A scalar's number, printed on its cell in black or white, whichever reads."""
        label = QGraphicsSimpleTextItem(panel.scalar_text, self)
        font = QFont("DejaVu Sans Mono")
        font.setPointSizeF(7.5)
        label.setFont(font)
        r, g, b = (int(v) for v in heatmap.image[0, 0, :3])
        light = 0.299 * r + 0.587 * g + 0.114 * b > 140
        label.setBrush(QColor("black") if light else QColor("white"))
        w, h = heatmap.pixel_size()
        box = label.boundingRect()
        label.setPos(heatmap.x() + (w - box.width()) / 2, heatmap.y() + (h - box.height()) / 2)
        label.setZValue(1)
        return label

    def set_waiting(self, waiting):
        """Left out of the last run: an input upstream is not connected yet."""
        self.waiting = waiting
        self.update()

    def set_error(self, message):
        self.error = message
        self.refresh()

    def set_target(self, is_target):
        self.is_target = is_target
        self.update()

    # ---- painting ---------------------------------------------------------------------
    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, theme.NODE_WIDTH, self._height)
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        painter.fillPath(path, theme.NODE_BODY)
        header = QPainterPath()
        header.addRoundedRect(self.header_rect(), 6, 6)
        header.addRect(QRectF(0, theme.HEADER / 2, theme.NODE_WIDTH, theme.HEADER / 2))
        painter.fillPath(header.simplified(),
                         theme.CATEGORY.get(self.spec.category, theme.DEFAULT_CATEGORY))
        painter.setPen(theme.TEXT_DIM)
        small = QFont(painter.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 6))
        painter.setFont(small)
        op_rect = QRectF(0, 0, theme.NODE_WIDTH - 8, theme.HEADER)
        shape = self.scene().node_shape_text(self.node_id) if self.scene() else ""
        badge = f"{shape}  {self.spec.name}" if shape and shape != "scalar" else self.spec.name
        badge = f"∂ {badge}" if self.is_target else badge
        room = theme.NODE_WIDTH - 16 - self.title.boundingRect().width()
        badge = QFontMetricsF(small).elidedText(badge, Qt.TextElideMode.ElideMiddle, room)
        painter.drawText(op_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         badge)
        painter.setPen(theme.TEXT)
        for port, item in self.inputs.items():
            painter.drawText(QRectF(12, item.y() - 9, 80, 18), Qt.AlignmentFlag.AlignVCenter,
                             port)
        painter.setPen(theme.TEXT_DIM)
        painter.drawText(QRectF(theme.NODE_WIDTH - 92, self.output.y() - 9, 80, 18),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "out")
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(small.pointSizeF())
        painter.setFont(mono)
        self._paint_body(painter)
        if self.error:
            outline = QPen(theme.NODE_ERROR, 2.5)
        elif self.isSelected():
            outline = QPen(theme.NODE_SELECTED, 2)
        elif self.is_target:
            outline = QPen(theme.NODE_TARGET, 2)
        else:
            outline = QPen(theme.NODE_BORDER, 1)
        painter.setPen(outline)
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        painter.drawPath(path)

    def _paint_body(self, painter):
        top = self.body_top()
        if self.error:
            painter.setPen(theme.NODE_ERROR)
            painter.drawText(QRectF(8, top, theme.NODE_WIDTH - 16, theme.BODY_LINE),
                             Qt.AlignmentFlag.AlignVCenter, "error: hover for details")
            return
        if not self.panels:
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(QRectF(8, top, theme.NODE_WIDTH - 16, theme.BODY_LINE),
                             Qt.AlignmentFlag.AlignVCenter,
                             "waiting for an input" if self.waiting else "not run yet")
            return
        width = self.panel_width()
        bottom = max((m.pixel_size()[1] for _, m in self._maps if m.isVisible()),
                     default=theme.BODY_LINE)
        for i, (panel, _) in enumerate(self._maps):
            x = 8 + i * (width + PANEL_GAP)
            if panel.preview is None:
                painter.setPen(theme.TEXT_DIM)
                painter.drawText(QRectF(x, top, width, theme.BODY_LINE),
                                 Qt.AlignmentFlag.AlignVCenter, panel.note)
            painter.setPen(theme.TEXT)
            painter.drawText(QRectF(x, top + bottom + 2, width, CAPTION),
                             Qt.AlignmentFlag.AlignVCenter, panel.caption)
        if self.warning:
            painter.setPen(theme.NODE_ERROR)
            painter.drawText(QRectF(8, 0, 20, theme.HEADER), Qt.AlignmentFlag.AlignVCenter,
                             "⚠")

    def cell_at(self, pos):
        """(panel, lead, row, col) under a point in item coordinates, or None."""
        for panel, heatmap in self._maps:
            if heatmap.isVisible():
                cell = heatmap.cell_at(pos)
                if cell is not None:
                    return (panel, *cell)
        return None

    def hoverMoveEvent(self, event):
        cell = self.cell_at(event.pos())
        text = self.scene().describe_cell(self.node_id, *cell) if cell and self.scene() else ""
        if text:
            QToolTip.showText(event.screenPos(), text)
        elif QToolTip.isVisible() and cell is None and self._maps:
            QToolTip.hideText()

    # ---- interaction --------------------------------------------------------------
    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene():
            self.scene().node_moved(self)
        return super().itemChange(change, value)

    def mouseDoubleClickEvent(self, event):
        if self.header_rect().contains(event.pos()):
            self.title.start_editing()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)
