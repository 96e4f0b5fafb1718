"""A node on the canvas: header with its name and op, ports, and a body that shows
its latest results (a painter's body item, such as heatmaps)."""
import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QToolTip

from ...core.health import SYMBOLS
from ...core.ops import get_op
from .. import layout, theme
from .inline_text import InlineText
from .compact import CompactImages
from .port import PortItem


class TitleItem(InlineText):
    """The node's name; double-click to edit, Enter to commit, Escape to cancel."""

    def __init__(self, node_item):
        super().__init__(node_item, self._rename, node_item.refresh)
        self.node_item = node_item
        self.setDefaultTextColor(theme.HEADER_TEXT)
        font = QFont()
        font.setBold(True)
        self.setFont(font)
        self.setPos(6, 2)

    def _rename(self, text):
        self.scene().rename_node(self.node_item.node_id, text)

    def show_name(self, name):
        """The node's name, elided to fit the header unless it is being edited."""
        if not self.editing:
            room = self.node_item.node_width * 0.62
            text = QFontMetricsF(self.font()).elidedText(name, Qt.TextElideMode.ElideRight,
                                                         room)
            if text != self.toPlainText():   # a run refreshes every node: keep it cheap
                self.setPlainText(text)

    def start_editing(self):
        super().start_editing(self.node_item.node.title)


class NodeItem(QGraphicsItem):
    _top_z = 0.0   # the z of the node last pressed: it stays on top

    def __init__(self, node):
        super().__init__()
        self.node_id = node.id
        self.node = node
        self.spec = get_op(node.op)
        self._body = None     # what the latest run painted, or None (see `body`)
        self.warning = ""
        self.error = None
        self.waiting = False
        self.is_target = False
        self.stale = False
        self.step_mark = None   # step mode: "current" or "pending" (not reached yet)
        self.step_note = ""     # step mode: a partial sum's "1 of 2"
        self.health = []        # gradient health flags of the last run
        self.verdict = None     # the gradient check's NodeCheck, once checked
        self.detail = True      # False: drawn compact (see layout.DETAIL_ZOOM)
        self._ports_for = None  # (collapsed, detail) the ports were placed for
        self._compact = (None, None)   # (key, compact title) made for that key
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.dragged_size = None   # (width, height) while its corner is dragged
        self._resize_from = None   # (scene point, size) where that drag started
        self.title = TitleItem(self)
        self.images = CompactImages(self)   # shown when drawn compact
        self.inputs = {p: PortItem(self, p, QPointF(0, layout.HEADER + layout.PORT_ROW * (i + 0.5)))
                       for i, p in enumerate(self.spec.inputs)}
        self.output = PortItem(self, None, QPointF(layout.NODE_WIDTH,
                                                   layout.HEADER + layout.PORT_ROW * 0.5))
        self._height = 0.0
        self._drawn_width = layout.NODE_WIDTH
        self._fitted_to = None    # the body's state the node was laid out for
        self._bounds = QRectF()   # asked for thousands of times a frame: made on change
        self.raise_to_top()   # a new node is on top, as the last one added
        self.setPos(*node.pos)   # laid out by the scene, once it can tell its shape

    # ---- geometry -----------------------------------------------------------------
    @property
    def size(self):
        """The (width, height) the user gave the node (or is dragging), or None."""
        return self.dragged_size or self.node.size

    @property
    def node_width(self):
        return layout.node_width(self.size)

    def room(self, count):
        """The layout.Room of each of `count` heatmaps in the body."""
        return layout.room(count, self.size, len(self.spec.inputs))

    def body_top(self):
        return layout.body_top(len(self.spec.inputs))

    def boundingRect(self):
        return self._bounds

    def output_pos(self):
        return self.mapToScene(self.output.pos())

    def input_pos(self, port):
        return self.mapToScene(self.inputs[port].pos())

    def header_rect(self):
        return QRectF(0, 0, self.node_width, layout.HEADER)

    def grip_rect(self):
        """The bottom-right square that resizes the node (none when collapsed or
        drawn compact)."""
        if self.node.collapsed or not self.detail:
            return QRectF()
        g = layout.RESIZE_GRIP
        return QRectF(self.node_width - g, self._height - g, g, g)

    # ---- state ----------------------------------------------------------------------
    @property
    def body(self):
        """What the latest run painted (None: nothing). A run paints the nodes in view
        at once and the others when they are first needed (drawn, hovered or read)."""
        scene = self.scene()
        if scene is not None and self.node_id in scene.unpainted:
            scene.paint_items([self])
        return self._body

    @property
    def panels(self):
        """The body's panels (what each heatmap shows), if it has any."""
        return getattr(self.body, "panels", [])

    @staticmethod
    def reserved_body(shape):
        """The body height a node keeps from the start, so it does not grow over its
        neighbours when its first run arrives: a scalar's cell, a 1-d array's row of
        cells, else a full panel."""
        if shape is not None and len(shape) <= 1:
            cell = layout.SCALAR_HEIGHT if shape == () else layout.MAX_CELL
        else:
            cell = layout.PANEL_HEIGHT
        return cell + layout.CAPTION

    @classmethod
    def full_height(cls, spec, shape=None):
        """The height of a node of `spec` whose output has `shape` (None: unknown)."""
        ports = layout.PORT_ROW * max(len(spec.inputs), 1)
        return layout.HEADER + ports + 4 + cls.reserved_body(shape) + layout.MARGIN

    def refresh(self):
        """Re-read the node (label, params) and relayout."""
        self.title.show_name(self.node.title)
        collapsed = self.node.collapsed
        shown = self._body is not None and not self.error
        if self._body is not None:
            self._body.setVisible(shown and self.detail and not collapsed)
        if self._ports_for != (collapsed, self.detail, self.node_width):
            self._place_ports()   # not on every run's refresh
        shape = self.scene().node_shape(self.node_id) if self.scene() else None
        body = max(self._body.height() if shown else 0, self.reserved_body(shape))
        if collapsed:   # zoomed out, a taller header: room for a title read from afar
            height = layout.HEADER if self.detail else layout.COLLAPSED_COMPACT
        elif self.size is not None:
            height = layout.sized_height(self.size, len(self.spec.inputs))
        else:
            height = self.body_top() + body + layout.MARGIN
        if (height, self.node_width) != (self._height, self._drawn_width):
            self.prepareGeometryChange()
            self._height, self._drawn_width = height, self.node_width
            self.images.resize(self.node_width, height)
            self._bounds = QRectF(-2, -2, self.node_width + 4, height + 4)
        self._fitted_to = self._body_state()
        name = f"{self.node.title} (id {self.node.id})" if self.node.label else self.node.id
        tip = f"{name} · {self.spec.title}\n{self.spec.doc}"
        if self._fitted_to[1]:
            tip = f"No gradient: this node is not upstream of the target.\n\n{tip}"
        if self.health:
            reasons = "\n".join(f"{SYMBOLS[f.name]} {f.name}: {f.reason}" for f in self.health)
            tip = f"{reasons}\n\n{tip}"
        if self.verdict is not None:
            verdict = self.verdict.describe("\n")
            tip = f"gradient check: {verdict}\n\n{tip}"
        if self.warning:
            tip = f"{self.warning}\n\n{tip}"
        if self.error:
            tip = f"{self.error}\n\n{tip}"
        if tip != self.toolTip():
            self.setToolTip(tip)
        self.update()

    def _place_ports(self):
        """Ports in their rows; a collapsed node's all at its header's middle (its
        edges end there), with no input ports to drop a wire on."""
        collapsed = self.node.collapsed
        self._ports_for = (collapsed, self.detail, self.node_width)
        for i, item in enumerate(self.inputs.values()):
            item.setPos(0, layout.HEADER / 2 if collapsed
                        else layout.HEADER + layout.PORT_ROW * (i + 0.5))
            item.setVisible(self.detail and not collapsed)
        self.output.setPos(self.node_width, layout.HEADER / 2 if collapsed
                           else layout.HEADER + layout.PORT_ROW * 0.5)

    def body_of(self, body_type):
        """The node's body as a `body_type` item (the current one when it is one, so
        a painter reuses its items from run to run); the node relayouts after."""
        if not isinstance(self._body, body_type):
            self.clear_body()
            self._body = body_type(self)
            self._body.setPos(0, self.body_top())
            self._body.setVisible(self.detail and not self.node.collapsed)
            self._body.setOpacity(theme.STALE_OPACITY if self.stale else 1.0)
        self.waiting = False
        return self._body

    def clear_body(self, waiting=False):
        """Nothing to show: not run yet, or left out of the last run while an input
        upstream is not connected (`waiting`)."""
        if self._body is not None:
            self._body.setParentItem(None)
            if self._body.scene():
                self._body.scene().removeItem(self._body)
            self._body = None
        self.warning = ""
        self.waiting = waiting
        self.refresh()

    def set_warning(self, warning):
        """A problem in what the body shows (NaN or Inf): ⚠ in the header."""
        if warning != self.warning:
            self.warning = warning
            self.refresh()

    def fit_body(self):
        """After the body showed a run: relayout when what the layout depends on changed
        (its height, or whether it has a gradient), not on every run; drawn compact, the
        node's own picture holds the run's images."""
        if self._fitted_to != self._body_state():
            self.refresh()
        if not self.detail:
            self.images.update()

    def _body_state(self):
        body = self._body
        return (body.height() if body is not None else None,
                any(p.preview is None and p.note for p in getattr(body, "panels", ())))

    def set_error(self, message):
        if message != self.error:
            self.error = message
            self.refresh()

    def set_stale(self, stale):
        """Dim the body and mark the header while the results shown are not of the
        current graph."""
        self.stale = stale
        if self._body is not None:
            self._body.setOpacity(theme.STALE_OPACITY if stale else 1.0)
        self.images.setOpacity(theme.STALE_OPACITY if stale else 1.0)
        if self.detail:   # the header's "stale" mark (drawn compact, it has none)
            self.update()

    def set_health(self, flags):
        """Health flags of the last run: marks in the header, reasons on hover."""
        if flags != self.health:
            self.health = list(flags)
            self.refresh()

    def set_verdict(self, node_check):
        """The gradient check's verdict on this node (None: not checked)."""
        if node_check is not self.verdict:
            self.verdict = node_check
            self.refresh()

    def set_step(self, mark=None, note=""):
        """Step mode: `mark` "current" highlights the node, "pending" dims it; `note`
        goes in the header. No arguments: back to normal."""
        self.step_mark, self.step_note = mark, note
        self.setOpacity(theme.PENDING_OPACITY if mark == "pending" else 1.0)
        self.update()

    def set_target(self, is_target):
        if is_target != self.is_target:   # every run says which: most often the same
            self.is_target = is_target
            self.update()

    def set_detail(self, detail):
        """Full detail, or compact: the canvas is zoomed out below DETAIL_ZOOM."""
        if detail != self.detail:
            self.detail = detail
            for item in (self.title, self.output):
                item.setVisible(detail)
            self.images.setVisible(not detail)
            # Compact nodes are kept as pixmaps: panning across a thousand of them
            # blits pixmaps instead of painting each again.
            self.setCacheMode(QGraphicsItem.CacheMode.NoCache if detail
                              else QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.refresh()

    # ---- painting ---------------------------------------------------------------------
    def paint(self, painter, option, widget=None):
        if not self.detail:
            self._paint_compact(painter)
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        width = self.node_width
        rect = QRectF(0, 0, width, self._height)
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        painter.fillPath(path, theme.NODE_BODY)
        header = QPainterPath()
        header.addRoundedRect(self.header_rect(), 6, 6)
        header.addRect(QRectF(0, layout.HEADER / 2, width, layout.HEADER / 2))
        header.setFillRule(Qt.FillRule.WindingFill)   # the overlap is filled, not a hole
        painter.fillPath(header.simplified(),
                         theme.CATEGORY.get(self.spec.category, theme.DEFAULT_CATEGORY))
        painter.setPen(theme.HEADER_DIM)
        small = theme.small_font(painter.font())
        painter.setFont(small)
        op_rect = QRectF(0, 0, width - 8, layout.HEADER)
        shape = self.scene().node_shape_text(self.node_id) if self.scene() else ""
        badge = f"{shape}  {self.spec.name}" if shape and shape != "scalar" else self.spec.name
        badge = f"∂ {badge}" if self.is_target else badge
        metrics = QFontMetricsF(small)
        room = width - 16 - self.title.boundingRect().width()
        marks = self._header_marks()
        room -= sum(metrics.horizontalAdvance(text) + 10 for text, _ in marks)
        badge = metrics.elidedText(badge, Qt.TextElideMode.ElideMiddle, room)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(op_rect, right, badge)
        shift = metrics.horizontalAdvance(badge + "  ")
        for text, color in marks:   # each on a dark pill: readable on every header color
            wide = metrics.horizontalAdvance(text)
            pill = QRectF(op_rect.right() - shift - wide - 3, 5, wide + 6, layout.HEADER - 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.MARK_BACKGROUND)
            painter.drawRoundedRect(pill, 3, 3)
            painter.setPen(color)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            shift += wide + 10
        if not self.node.collapsed:   # a collapsed node is its header alone
            painter.setPen(theme.TEXT)
            for port, item in self.inputs.items():
                painter.drawText(QRectF(12, item.y() - 9, 80, 18),
                                 Qt.AlignmentFlag.AlignVCenter, port)
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(QRectF(width - 92, self.output.y() - 9, 80, 18),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             "out")
            painter.setFont(theme.small_mono_font(painter.font()))
            self._paint_status(painter)
            self._paint_grip(painter, width)
        if self.error:
            outline = QPen(theme.NODE_ERROR, 2.5)
        elif self.step_mark == "current":
            outline = QPen(theme.STEP, 3)
        elif self.isSelected():
            outline = QPen(theme.NODE_SELECTED, 2)
        elif self.is_target:
            outline = QPen(theme.NODE_TARGET, 2)
        else:
            outline = QPen(theme.NODE_BORDER, 1)
        painter.setPen(outline)
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        painter.drawPath(path)

    def _paint_grip(self, painter, width):
        """Three short diagonal lines in the corner that resizes the node."""
        painter.setPen(QPen(theme.TEXT_DIM, 1))
        for i in (4, 7, 10):
            painter.drawLine(QPointF(width - 3, self._height - i),
                             QPointF(width - i, self._height - 3))

    def _paint_compact(self, painter):
        """The node as seen from afar: its header's color behind a title of at least
        TITLE_MIN_PX on screen (its images are CompactImages, drawn over it)."""
        zoom = max(painter.worldTransform().m11(), 1e-3)
        width = self.node_width
        rect = QRectF(0, 0, width, self._height)
        painter.fillRect(rect, theme.NODE_BODY)
        font, band, title = self.compact_title(zoom)
        band = min(band, self._height)
        painter.fillRect(QRectF(0, 0, width, band),
                         theme.CATEGORY.get(self.spec.category, theme.DEFAULT_CATEGORY))
        painter.setFont(font)
        painter.setPen(theme.HEADER_TEXT)
        painter.drawText(QRectF(4, 0, width - 8, band),
                         Qt.AlignmentFlag.AlignVCenter, title)
        if self.node.params.get("trainable"):   # the header's "trainable" mark, as a bar
            painter.fillRect(QRectF(0, band, width, 4 / zoom), theme.TRAINABLE)
        color = theme.NODE_ERROR if self.error else theme.NODE_SELECTED if self.isSelected() \
            else theme.NODE_TARGET if self.is_target else theme.NODE_BORDER
        painter.setPen(QPen(color, max(1.0, 2 / zoom) if color != theme.NODE_BORDER else 0))
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        painter.drawRect(rect)

    def compact_title(self, zoom):
        """(font, band height, title) of the compact title at `zoom`: TITLE_MIN_PX high
        on screen, smaller (down to TITLE_FLOOR_PX) where that lets the whole name fit,
        within the node's height, elided only past that. Made once per zoom and title
        (panning repaints every node)."""
        key = (zoom, self.node.title, self._height, self.node_width)
        if self._compact[0] != key:
            room, name = self.node_width - 8, self.node.title
            font = QFont()
            font.setBold(True)
            pixels = max(13, math.ceil(layout.TITLE_MIN_PX / zoom))
            font.setPixelSize(pixels)
            wide = QFontMetricsF(font).horizontalAdvance(name)
            if wide > room:
                pixels = max(math.ceil(layout.TITLE_FLOOR_PX / zoom),
                             math.floor(pixels * room / wide))
            pixels = max(1, min(pixels, math.floor((self._height - 4) / 1.25)))
            font.setPixelSize(pixels)
            metrics = QFontMetricsF(font)
            title = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
            self._compact = (key, (font, metrics.height() + 4, title))
        return self._compact[1]

    def _header_marks(self):
        """(text, color) of the marks left of the op's name, right to left: stale or a
        step's partial sum, gradient health, the gradient check's verdict, trainable."""
        marks = []
        if self.stale and self._body is not None:
            marks.append(("stale", theme.STALE))
        elif self.step_note:
            marks.append((self.step_note, theme.STEP))
        if self.health:
            marks.append((" ".join(SYMBOLS[f.name] for f in self.health), theme.HEALTH))
        if self.verdict is not None:
            if not self.verdict.ok:
                marks.append(("✗", theme.NODE_ERROR))
            elif self.verdict.kink.any():
                marks.append(("✓ kink", theme.STALE))
            else:
                marks.append(("✓", theme.PORT_OK))
        if self.node.params.get("trainable"):
            marks.append(("trainable", theme.TRAINABLE))
        return marks

    def _paint_status(self, painter):
        """What the body says when it shows no results, and the ⚠ of a warning."""
        line = QRectF(layout.MARGIN, self.body_top(), self.node_width - 2 * layout.MARGIN,
                      layout.BODY_LINE)
        if self.error:
            painter.setPen(theme.NODE_ERROR)
            painter.drawText(line, Qt.AlignmentFlag.AlignVCenter, "error: hover for details")
        elif self._body is None:
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(line, Qt.AlignmentFlag.AlignVCenter,
                             "waiting for an input" if self.waiting else "not run yet")
        if self.warning and not self.error:
            painter.setPen(theme.NODE_ERROR)
            painter.drawText(QRectF(8, 0, 20, layout.HEADER), Qt.AlignmentFlag.AlignVCenter,
                             "⚠")

    def cell_at(self, pos):
        """(panel, lead, row, col) under a point in item coordinates, or None."""
        body = self.body
        if body is None or not body.isVisible():
            return None
        return body.cell_at(body.mapFromParent(pos))

    def tip_at(self, pos):
        """What hovering at `pos` (item coordinates) tells: the numbers of a heatmap
        cell, the node's description over its header (or anywhere when no cell is
        under the pointer), else nothing."""
        cell = self.cell_at(pos)
        if cell is not None:
            return self.scene().describe_cell(self.node_id, *cell) if self.scene() else ""
        if self.body is not None and self.body.isVisible() and \
                not self.header_rect().contains(pos):
            return ""
        return self.toolTip()

    def hoverMoveEvent(self, event):
        on_grip = self.grip_rect().contains(event.pos())
        if on_grip != self.hasCursor():
            if on_grip:
                self.setCursor(Qt.CursorShape.SizeFDiagCursor)
            else:
                self.unsetCursor()
        # The text follows the pointer from cell to cell at once; the scene's help
        # event (Qt's tooltip delay) then shows the same text, so it stays.
        text = self.tip_at(event.pos())
        if text:
            QToolTip.showText(event.screenPos(), text)
        elif QToolTip.isVisible():
            QToolTip.hideText()

    # ---- interaction --------------------------------------------------------------
    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene():
            self.scene().node_moved(self)
        return super().itemChange(change, value)

    def raise_to_top(self):
        NodeItem._top_z += 1e-6
        self.setZValue(NodeItem._top_z)

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and \
                self.grip_rect().contains(event.pos()):
            self._resize_from = (event.scenePos(), (self.node_width, self._height))
            event.accept()
            return
        cell = self.cell_at(event.pos())
        if cell is not None and self.scene():
            self.scene().pick_cell(self.node_id, *cell)
        self.raise_to_top()   # a node being dragged passes over the others
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._resize_from is None:
            super().mouseMoveEvent(event)
            return
        start, (width, height) = self._resize_from
        delta = event.scenePos() - start
        self.dragged_size = (max(width + delta.x(), layout.MIN_NODE_WIDTH),
                             layout.sized_height((0, height + delta.y()), len(self.spec.inputs)))
        self.scene().node_resized(self)

    def mouseReleaseEvent(self, event):
        if self._resize_from is None:
            super().mouseReleaseEvent(event)
            return
        size, self.dragged_size, self._resize_from = self.dragged_size, None, None
        if size is not None:   # the document's step relayouts the node
            self.scene().resize_node(self.node_id, (float(round(size[0])),
                                                    float(round(size[1]))))

    def mouseDoubleClickEvent(self, event):
        if self.header_rect().contains(event.pos()):
            self.title.start_editing()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)
