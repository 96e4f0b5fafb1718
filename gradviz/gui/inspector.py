"""The inspector: the selected node's (or edge's) value and gradient at full
resolution, as pyqtgraph image views with level controls (one 2-d slice at a time),
a numeric table, and statistics; copy as text or save as .npy."""
from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                               QPushButton, QSlider, QSpinBox, QSplitter, QStyle, QTableView,
                               QTabWidget, QVBoxLayout, QWidget)

from ..core.preview import Previews
from ..core.shapes import shape_text
from ..core.views import NAMES
from . import colors, theme

SAMPLE = 4096   # about how many numbers are formatted to size the table's columns
CELL_PADDING = 12   # pixels beyond the text and the delegate's margins in a table cell


def number_text(x):
    """A number as the table, its tooltips and Copy show it: the shortest text that
    reads back as the same float."""
    return repr(float(x))


def width_samples(array):
    """Texts of `array`'s numbers to size the table's columns by: its finite extremes
    and an evenly spaced sample (every number, below 2 x SAMPLE of them)."""
    flat = np.asarray(array).reshape(-1)
    finite = flat[np.isfinite(flat)]
    extremes = (finite.min(), finite.max()) if finite.size else ()
    sample = flat[::max(1, flat.size // SAMPLE)]
    return [number_text(x) for x in (*extremes, *sample)]


class ArrayTableModel(QAbstractTableModel):
    """A read-only view of an array as a table: the last axis across, every other axis
    flattened down (row headers show the leading index). Cells are formatted only when
    shown, so a 2048 x 2048 array opens at once."""

    def __init__(self, array=None):
        super().__init__()
        self.set_array(np.zeros((0, 0)) if array is None else array)

    def set_array(self, array):
        self.beginResetModel()
        self.array = np.asarray(array)
        a = self.array
        if a.ndim < 2:
            self.grid = a.reshape(1, a.size)
        else:
            self.grid = a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])
        self.lead_shape = a.shape[:-1]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self.grid.shape[0]

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self.grid.shape[1]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return number_text(self.grid[index.row(), index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical and len(self.lead_shape) > 1:
            return str(tuple(int(i) for i in np.unravel_index(section, self.lead_shape)))
        return str(section)


def slice_labels(ndim):
    """Labels of the axes an image is sliced along: all but the last two. A 4-d array's
    are N and C, as the canvas tiles it (rows of batch items, channels across)."""
    names = ("N", "C") if ndim == 4 else ("",) * max(ndim - 2, 0)
    return [f"axis {i} ({name})" if name else f"axis {i}" for i, name in enumerate(names)]


def image_slice(array, index):
    """The 2-d image of `array` at `index` (one entry per sliced axis): 0-/1-d as one
    row. Always 2-d, so pyqtgraph never reads a last axis of 3 or 4 as colors."""
    a = np.asarray(array)
    image = a.reshape(1, -1) if a.ndim < 2 else a[tuple(index)]
    return image.astype(np.float64, copy=False)


class SliceControls(QWidget):
    """A spin box and a slider for each sliced axis: which 2-d slice the images show."""
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ndim = None
        self.spins, self.sliders = [], []
        self.rows = QWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.rows)
        self.set_shape(())

    def index(self):
        return tuple(spin.value() for spin in self.spins)

    def set_shape(self, shape):
        """Controls for an array of `shape`; indices stay where they fit."""
        if len(shape) != self.ndim:
            self._rebuild(len(shape))
        for spin, slider, size in zip(self.spins, self.sliders, shape):
            spin.setSuffix(f" of {size}")
            spin.setMaximum(max(size - 1, 0))
            slider.setMaximum(max(size - 1, 0))
        self.setVisible(bool(self.spins))

    def _rebuild(self, ndim):
        self.ndim = ndim
        self.rows.hide()
        self.rows.deleteLater()
        self.rows = QWidget()
        layout = QHBoxLayout(self.rows)   # one row: the dock is short
        layout.setContentsMargins(0, 0, 0, 0)
        self.spins, self.sliders = [], []
        for label in slice_labels(ndim):
            spin, slider = QSpinBox(), QSlider(Qt.Orientation.Horizontal)
            spin.setPrefix(f"{label}: ")
            spin.setToolTip("Index along this axis, from 0; the images show the last two axes")
            spin.valueChanged.connect(slider.setValue)
            slider.valueChanged.connect(spin.setValue)
            spin.valueChanged.connect(lambda _: self.changed.emit())
            slider.setMinimumWidth(160)
            layout.addWidget(spin)
            layout.addWidget(slider)
            self.spins.append(spin)
            self.sliders.append(slider)
        layout.addStretch(1)
        self.layout().addWidget(self.rows)


def stats_text(stats, device):
    if stats is None:
        return "no gradient: not upstream of the target"
    return (f"shape {shape_text(stats['shape'])} · {stats['dtype']} · {device}\n"
            f"min {stats['min']:.8g}   max {stats['max']:.8g}\n"
            f"mean {stats['mean']:.8g}   L2 {stats['l2']:.8g}\n"
            f"NaN {stats['nan']}   +Inf {stats['posinf']}   −Inf {stats['neginf']}")


class Inspector(QWidget):
    """`status(text)` reports to the status bar; `name_of(node_id)` is how the user
    knows a node (its label)."""

    def __init__(self, status, name_of=str, parent=None):
        super().__init__(parent)
        self.status = status
        self.name_of = name_of
        self.stale = False            # the result is not of the current graph
        self.result = None
        self.subject = None           # ("node", id) or ("edge", Edge)
        self.arrays = {}              # "value"/"grad" -> host array
        self.limits = {}              # "value"/"grad" -> m of the color levels (-m, m)
        self.images = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        side = QVBoxLayout()
        self.title = QLabel("Select a node or an edge to inspect it.")
        self.title.setWordWrap(True)
        self.stats = {kind: QLabel() for kind in NAMES}
        side.addWidget(self.title)
        for kind, label in self.stats.items():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # A font, not a style sheet: a label with its own style sheet keeps the
            # text color of the theme it started in (light text on the light theme).
            mono = QFont("DejaVu Sans Mono")
            mono.setPointSizeF(8)
            label.setFont(mono)
            side.addWidget(QLabel(f"<b>{NAMES[kind]}</b>"))
            side.addWidget(label)
        self.which = QComboBox()
        for kind, name in NAMES.items():
            self.which.addItem(name, kind)
        self.which.setToolTip("Which array the table, Copy and Save use")
        self.which.currentIndexChanged.connect(self._show_table)
        row = QHBoxLayout()
        copy = QPushButton("Copy")
        copy.setToolTip("Copy the array to the clipboard as text")
        copy.clicked.connect(self.copy)
        save = QPushButton("Save .npy…")
        save.clicked.connect(self.save_dialog)
        row.addWidget(self.which)
        row.addWidget(copy)
        row.addWidget(save)
        side.addLayout(row)
        side.addStretch(1)
        holder = QWidget()
        holder.setLayout(side)
        holder.setMaximumWidth(300)
        self.tabs = QTabWidget()
        self.slices = SliceControls()
        self.slices.changed.connect(self._show_images)
        self.image_page = QSplitter()
        images = QWidget()
        image_layout = QVBoxLayout(images)
        image_layout.setContentsMargins(0, 0, 0, 0)
        image_layout.addWidget(self.slices)
        image_layout.addWidget(self.image_page, 1)
        self.tabs.addTab(images, "Images")
        self.table = QTableView()
        self.model = ArrayTableModel()
        self.table.setModel(self.model)
        self.tabs.addTab(self.table, "Table")
        layout.addWidget(holder)
        layout.addWidget(self.tabs, 1)

    def _image_view(self, kind):
        """pyqtgraph ImageViews are made on first use: start-up does not pay for them."""
        if kind not in self.images:
            import pyqtgraph as pg
            item = pg.ImageItem(np.zeros((1, 1)), axisOrder="row-major")
            view = pg.ImageView(imageItem=item)
            view.ui.roiBtn.hide()
            view.ui.menuBtn.hide()
            view.setColorMap(colors.colormap(colors.DIVERGING))
            self.images[kind] = view
            self.image_page.addWidget(view)
        return self.images[kind]

    # ---- subject --------------------------------------------------------------------
    def show_node(self, node_id):
        self.subject = ("node", node_id) if node_id else None
        self.refresh()

    def show_edge(self, edge):
        self.subject = ("edge", edge)
        self.refresh()

    def set_result(self, result):
        self.result, self.stale = result, False
        self.refresh()

    def set_stale(self, stale):
        if stale != self.stale:
            self.stale = stale
            self.refresh()

    def refresh(self):
        result, subject = self.result, self.subject
        self.arrays = {}
        if result is None or subject is None or (
                subject[0] == "node" and subject[1] not in result) or (
                subject[0] == "edge" and subject[1].dst not in result):
            waiting = result is not None and subject is not None and (
                subject[1] if subject[0] == "node" else subject[1].dst) in result.waiting
            self.title.setText("Select a node or an edge to inspect it." if subject is None
                               else "Waiting for an input: connect it to see values."
                               if waiting else "Not run yet.")
            for label in self.stats.values():
                label.clear()
            for view in self.images.values():
                view.setImage(np.zeros((1, 1)))   # let go of the arrays shown
                view.setVisible(False)
            self.slices.set_shape(())
            self.model.set_array(np.zeros((0, 0)))
            return
        previews = Previews.of(result)
        if subject[0] == "node":
            node_id = subject[1]
            stats = {k: previews.stats(node_id, k) for k in NAMES}
            self.arrays = {"value": result.value(node_id)}
            if stats["grad"] is not None:
                self.arrays["grad"] = result.grad(node_id)
        else:
            edge = subject[1]
            stats = {"value": previews.stats(edge.src, "value"),
                     "grad": previews.edge_stats(edge.dst, edge.port)}
            self.arrays = {"value": result.value(edge.src)}
            if stats["grad"] is not None:
                self.arrays["grad"] = result.edge_grad(edge.src, edge.dst, edge.port)
        self.show_title()
        for kind, label in self.stats.items():
            label.setText(stats_text(stats[kind], result.device.name))
        self.limits = {kind: colors.symmetric_limit(stats[kind]["absmax"])
                       for kind in self.arrays}
        self.slices.set_shape(self.arrays["value"].shape)
        self._show_images(auto_range=True)
        self._show_table()

    def show_title(self):
        """What is inspected, by the names the user gave, and whether it is stale."""
        if not self.arrays:
            return
        kind, what = self.subject
        if kind == "node":
            text = f"<b>{escape(self.name_of(what))}</b>"
        else:
            text = (f"<b>{escape(self.name_of(what.src))} → {escape(self.name_of(what.dst))}"
                    f".{what.port}</b><br>the value it carries and the gradient flowing back")
        if self.stale:
            text += (f"<br><span style='color:{theme.STALE.name()}'>stale: not the current "
                     "graph</span>")
        self.title.setText(text)

    def _show_images(self, auto_range=False):
        """Each array's 2-d slice at the slice controls' index, levels from the whole array."""
        for kind in NAMES:
            view = self._image_view(kind)
            array = self.arrays.get(kind)
            view.setVisible(array is not None and array.size > 0)
            if array is not None and array.size:
                m = self.limits[kind]
                view.setImage(image_slice(array, self.slices.index()), autoRange=auto_range,
                              autoLevels=False, levels=(-m, m), autoHistogramRange=False)
                view.ui.histogram.setHistogramRange(-m, m)

    def _show_table(self):
        array = self.arrays.get(self.which.currentData())
        self.model.set_array(np.zeros((0, 0)) if array is None else array)
        self._fit_columns()

    def _fit_columns(self):
        """Every column as wide as the widest number shown, so none is cut off with "…"."""
        table, grid = self.table, self.model.grid
        text = max((table.fontMetrics().horizontalAdvance(t) for t in width_samples(grid)),
                   default=0)
        # Qt's item delegate leaves a margin either side of the text (its size varies
        # with the style and the platform: keep room to spare); the grid takes a pixel.
        margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                           table) + 1
        header = table.horizontalHeader()
        label = header.sectionSizeHint(grid.shape[1] - 1) if grid.shape[1] else 0
        header.setDefaultSectionSize(max(text + 2 * margin + CELL_PADDING, label))

    # ---- export -----------------------------------------------------------------------
    def current(self):
        return self.arrays.get(self.which.currentData())

    def copy(self):
        array = self.current()
        if array is None:
            return
        if array.ndim <= 2:
            text = "".join("\t".join(map(number_text, row.tolist())) + "\n"
                           for row in np.atleast_2d(array))
        else:
            text = np.array2string(array, precision=17, threshold=array.size + 1)
        QApplication.clipboard().setText(text)
        self.status(f"Copied a {array.shape} array as text")

    def save_dialog(self):
        if self.current() is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save array", "", "NumPy arrays (*.npy)")
        if path:
            self.save(path if path.endswith(".npy") else path + ".npy")

    def save(self, path):
        try:
            np.save(path, np.array(self.current()), allow_pickle=False)
        except OSError as e:
            self.status(f"Cannot save {path}: {e.strerror or e}")
            return False
        self.status(f"Saved {path}")
        return True
