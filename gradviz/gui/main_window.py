"""The main window: canvas, palette, properties, toolbar, menus and status bar."""
from __future__ import annotations

import threading

from PySide6.QtCore import QMimeData, QPointF, QRectF, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QDockWidget, QLabel,
                               QLineEdit, QMainWindow, QMenu, QVBoxLayout,
                               QWidget)

from ..core import formula
from ..core.arrange import arrange
from ..core.devices import DEVICE_KINDS
from ..core.errors import GradvizError
from ..core.examples import example_names
from ..core.graph import DTYPES
from ..core.ops import OPS, get_op
from ..core.views import VIEWS
from . import layout, theme
from .autosave import Autosave
from .document import Document, describe
from .instrument_actions import InstrumentActions
from .file_actions import FileActions
from .inspector import Inspector
from .items.comment import CommentItem
from .items.edge import EdgeItem
from .items.frame import FrameItem
from .items.node import NodeItem
from .items.reroute import RerouteItem
from .note_actions import NoteActions
from .palette import Palette, QuickAdd
from .param_editors import FieldEdit
from .properties import PropertiesPanel
from .running import STALE_DELAY_MS, Running
from .scene import GraphScene
from .step_mode import StepMode
from .training import Training
from .view import GraphView
from .worker import RunController

CLIPBOARD_MIME = "application/x-gradviz"


def _column(*widgets):
    """A widget holding `widgets` one under the other, edge to edge; (widget, stretch)
    pairs grow with the column."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for entry in widgets:
        widget, stretch = entry if isinstance(entry, tuple) else (entry, 0)
        layout.addWidget(widget, stretch)
    return column


# View ▸ Theme: saved in QSettings as "theme".
THEME_CHOICES = {"system": "Follow the &System", "dark": "&Dark", "light": "&Light"}


class MainWindow(FileActions, StepMode, InstrumentActions, Training, Running, NoteActions,
                 QMainWindow):
    _device_checked = Signal(str, bool, str)   # (device kind, available, reason)
    closed = Signal()                           # the window was closed (not cancelled)

    def __init__(self, autosave_ms=None):
        super().__init__()
        self.document = Document(self)
        self.scene = GraphScene(self.document, self)
        self.view = GraphView(self.scene, self)
        self.runner = RunController(self)
        self.last_result = None
        self.last_error = None
        self._run_started = 0.0
        self._run_ms = 0.0
        self._run_error = None      # the status bar's "Cannot run: …", while shown
        self._run_scheduled = False
        self._fit_when_shown = False
        self._stale_timer = QTimer(self, singleShot=True, interval=STALE_DELAY_MS)
        self._stale_timer.timeout.connect(self._mark_stale)
        self.quick_add = QuickAdd(self)
        self._quick_add_pos = QPointF()
        self._pending_wire = None   # the port of a wire dropped on the canvas, if any
        self.settings = QSettings("gradviz", "gradviz")
        self._build_docks()
        self._build_step_mode()
        self._build_canvas()
        self._build_instruments()
        self._build_training()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self._wire()
        self._themed = False
        self.apply_theme()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        kwargs = {} if autosave_ms is None else {"interval_ms": autosave_ms}
        self.autosave = Autosave(self.document, **kwargs, parent=self)
        self.resize(1400, 900)
        self._update_title()

    # ---- construction ---------------------------------------------------------------
    def _build_docks(self):
        self.palette = Palette(self)
        self.palette_filter = QLineEdit()
        self.palette_filter.setPlaceholderText("Search ops")
        self.palette_filter.setClearButtonEnabled(True)
        self.palette_filter.textChanged.connect(self.palette.filter)
        self.palette_filter.returnPressed.connect(   # Enter adds the best match
            lambda: self.palette.currentItem() and self.palette.activate(
                self.palette.currentItem()))
        dock = QDockWidget("Ops", self)
        dock.setObjectName("ops")
        dock.setWidget(_column(self.palette_filter, (self.palette, 1)))
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.properties = PropertiesPanel(self.document, self.show_message, self)
        dock = QDockWidget("Properties", self)
        dock.setObjectName("properties")
        dock.setWidget(self.properties)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.resizeDocks([self.findChild(QDockWidget, "ops")], [170], Qt.Orientation.Horizontal)
        self.resizeDocks([dock], [300], Qt.Orientation.Horizontal)
        self.inspector = Inspector(self.show_message, self.scene.title, self)
        dock = QDockWidget("Inspector", self)
        dock.setObjectName("inspector")
        dock.setWidget(self.inspector)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.resizeDocks([dock], [250], Qt.Orientation.Vertical)

    def add_tabbed_dock(self, title, name, widget, beside):
        """A dock tabbed behind the dock named `beside`, which stays in front."""
        other = self.findChild(QDockWidget, beside)
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(self.dockWidgetArea(other), dock)
        self.tabifyDockWidget(other, dock)
        other.raise_()
        return dock

    def _build_canvas(self):
        """The formula bar over the canvas, the step timeline under it."""
        self.formula = FieldEdit()   # once applied, Ctrl+Z undoes the formula
        self.formula.setPlaceholderText("Formula, e.g. c = sum(x*y + z): names of nodes are "
                                        "wired in, new names become inputs (Ctrl+L)")
        self.formula.returnPressed.connect(self.apply_formula)
        self.setCentralWidget(_column(self.formula, (self.view, 1), self.stepbar))

    def apply_formula(self):
        """Add what the formula bar says, as one undo step, and select it."""
        text = self.formula.text().strip()
        if not text:
            return
        graph = self.document.graph
        names = {node_id: node_id for node_id in graph.nodes}
        names.update({node.label: node.id for node in graph.nodes.values() if node.label})
        try:
            plan = formula.parse(text, names)
            ids = self.document.add_planned(plan, self._formula_positions(plan), text)
        except GradvizError as e:
            self.formula.setToolTip(str(e))
            self.show_message(f"Formula: {e}", 0)
            return
        self.formula.setToolTip("")
        self.formula.clear()
        self.formula.committed()
        self.select(ids)

    def _formula_positions(self, plan):
        """Each planned node in a column after those it uses (new inputs in the first),
        right of the existing nodes it uses, where it covers nothing."""
        graph = self.document.graph
        used = [graph.nodes[ref].pos for p in plan for ref in p.inputs if isinstance(ref, str)]
        center = self.view.mapToScene(self.view.viewport().rect().center())
        left = max((x for x, _ in used), default=center.x() - 2 * layout.COLUMN)
        top = min((y for _, y in used), default=center.y() - layout.COLUMN)
        depth, rows, positions = [], {}, []
        for p in plan:
            d = 1 + max((depth[r] if isinstance(r, int) else 0 for r in p.inputs), default=0)
            depth.append(d if p.inputs else 0)
            row = rows.get(depth[-1], 0)
            rows[depth[-1]] = row + 1
            want = (round(left + layout.COLUMN * depth[-1]), round(top + layout.ROW * row))
            positions.append(self._free_spot([(0, 0, p.op)], want))
        return positions

    def _action(self, text, slot, shortcuts=(), tip=None):
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())  # drop `checked`: slots take no args
        self.addAction(action)
        return action

    def _build_actions(self):
        K = QKeySequence.StandardKey
        a = self._action
        self.act_new = a("&New", self.new_document, [K.New])
        self.act_open = a("&Open…", self.open_dialog, [K.Open])
        self.act_save = a("&Save", self.save, [K.Save])
        self.act_save_as = a("Save &As…", self.save_as_dialog, [K.SaveAs])
        self.act_revert = a("&Revert", self.revert, tip="Reload the file, dropping changes")
        self.act_export = a("&Export Image…", self.export_dialog, ["Ctrl+E"],
                            tip="Save a picture of the whole graph as a PNG or an SVG")
        self.act_quit = a("&Quit", self.close, [K.Quit])
        self.act_undo = a("Undo", lambda: self._undo_redo(self.document.undo, "undo"),
                          [K.Undo])
        redo_keys = {k.toString(): k for k in QKeySequence.keyBindings(K.Redo)}
        for extra in ("Ctrl+Shift+Z", "Ctrl+Y"):  # both habits, whatever the platform's
            redo_keys.setdefault(extra, QKeySequence(extra))
        self.act_redo = a("Redo", lambda: self._undo_redo(self.document.redo, "redo"),
                          list(redo_keys.values()))
        stack = self.document.undo_stack
        for signal in (stack.indexChanged, stack.undoTextChanged, stack.redoTextChanged):
            signal.connect(self._follow_undo_stack)
        self._follow_undo_stack()
        self.act_copy = a("&Copy", self.copy, [K.Copy])
        self.act_paste = a("&Paste", self.paste, [K.Paste])
        self.act_duplicate = a("D&uplicate", self.duplicate, ["Ctrl+D"])
        self.act_delete = a("&Delete", self.delete_selection, ["Delete", "Backspace"])
        self.act_select_all = a("Select &All", self.select_all, [K.SelectAll])
        self._build_note_actions()
        self.act_add = a("&Add Node…", lambda: self.show_quick_add(self.view.cursor_scene_pos()),
                         tip="Search the ops (Tab on the canvas)")
        self.act_fit = a("&Fit All", self.view.fit_all, ["Home", "F"])
        self.act_collapse = a("&Collapse or Expand", self.toggle_collapsed, ["H"],
                              "Show the selected nodes as their headers alone, or whole")
        self.act_arrange = a("&Arrange", self.arrange, ["Ctrl+Shift+A"],
                             "Lay the graph out left to right by dependency (the selected "
                             "nodes only, when there is a selection)")
        self.act_zoom_100 = a("Zoom to &100%", self.view.zoom_100, ["Ctrl+0"])
        self.act_minimap = a("&Minimap", self._toggle_minimap, ["M"],
                             tip="A bird's-eye view of the graph; click it to go there")
        self.act_minimap.setCheckable(True)
        self.act_minimap.setChecked(True)
        self.act_zoom_in = a("Zoom &In", lambda: self.view.zoom_by(1.25), [K.ZoomIn, "Ctrl+="])
        self.act_zoom_out = a("Zoom &Out", lambda: self.view.zoom_by(0.8), [K.ZoomOut])
        self.act_run = a("&Run", self.run_requested, ["F5"], "Run forward and backward")
        self.act_auto = a("&Auto-run", lambda: self.act_auto.isChecked() and self.schedule_run(),
                          tip="Run again after every edit")
        self.act_auto.setCheckable(True)
        self.act_auto.setChecked(True)
        self.act_target_here = a("&Differentiate This Node", self.target_selected)
        self.act_step = a("&Step Through", self.toggle_step_mode, ["Ctrl+T"],
                          tip="Replay the run step by step: forward, then backward from "
                              "the target, one node at a time")
        self.act_step.setCheckable(True)
        self.act_step_next = a("&Next Step", lambda: self.stepbar.step_by(1), ["Right"])
        self.act_step_back = a("&Previous Step", lambda: self.stepbar.step_by(-1), ["Left"])
        for action in (self.act_step_next, self.act_step_back):
            action.setEnabled(False)   # arrow keys nudge nodes outside step mode
        self.act_probe = a("&Probe This Cell", self.probe_cell, ["P"],
                           tip="Nudge the heatmap cell last clicked and compare the "
                               "target's change with the gradient's prediction")
        self.act_compare = a("&Compare…", self.compare_settings,
                             tip="Run on two settings (device, precision) and show the "
                                 "differences")
        self.act_formula = a("&Formula Bar", lambda: (self.formula.setFocus(),
                                                      self.formula.selectAll()), ["Ctrl+L"],
                             tip="Type a formula such as c = sum(x*y + z)")
        self.act_check = a("Check &Gradients", self.check_gradients, ["Ctrl+G"],
                           tip="Test the selected nodes' gradients (or every input's) "
                               "against central differences")
        self.act_thresholds = a("&Health Thresholds…", self.ask_health_thresholds,
                                tip="When a gradient is flagged as vanishing, exploding, "
                                    "dead or saturated")
        self.act_budget = a("Memory &Budget…", self.ask_memory_budget,
                            tip="Refuse runs estimated to need more memory than this")
        self.view_group = QActionGroup(self)
        self.act_views = {}
        for view in VIEWS.values():
            action = a(f"&{view.title}", lambda m=view.name: self.scene.set_view(mode=m),
                       [view.key], tip=f"{view.doc} ({view.key})")
            action.setCheckable(True)
            self.view_group.addAction(action)
            self.act_views[view.name] = action
        self.act_views[self.scene.view_mode].setChecked(True)
        self.act_shared = a("&Shared Color Scale",
                            lambda: self.scene.set_view(shared=self.act_shared.isChecked()),
                            tip="One color scale for the whole graph instead of one per node")
        self.act_shared.setCheckable(True)
        self.act_robust = a("&Robust Color Limits",
                            lambda: self.scene.set_view(robust=self.act_robust.isChecked()),
                            tip="Color limits from the 99th percentile of |x| instead of "
                                "the largest, so a few outliers do not wash out the rest")
        self.act_robust.setCheckable(True)
        self.act_numbers = a("&Numbers in Cells", self._toggle_numbers,
                             tip="Print each value or gradient in its cell when the cell "
                                 "is big enough to hold it")
        self.act_numbers.setCheckable(True)
        self.act_numbers.setChecked(self.settings.value("numbers_in_cells", True, bool))
        self.scene.set_view(numbers=self.act_numbers.isChecked())

    def _build_menus(self):
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.act_new, self.act_open])
        self.recent_menu = file.addMenu("Open &Recent")
        self.examples_menu = file.addMenu("&Examples")
        for name in example_names():
            self.examples_menu.addAction(name, lambda n=name: self.open_example(n))
        file.addSeparator()
        file.addActions([self.act_save, self.act_save_as, self.act_revert])
        file.addAction(self.act_export)
        self.add_code_exports(file.addMenu("E&xport"))
        file.addSeparator()
        file.addAction(self.act_quit)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addActions([self.act_copy, self.act_paste, self.act_duplicate, self.act_delete])
        edit.addSeparator()
        edit.addActions([self.act_select_all, self.act_add, self.act_formula])
        edit.addSeparator()
        edit.addActions([self.act_frame, self.act_comment])
        view = bar.addMenu("&View")
        view.addActions(list(self.act_views.values()))
        view.addAction(self.act_shared)
        view.addAction(self.act_robust)
        view.addAction(self.act_numbers)
        view.addAction(self.act_thresholds)
        view.addSeparator()
        view.addActions([self.act_fit, self.act_zoom_100, self.act_zoom_in, self.act_zoom_out,
                         self.act_minimap])
        view.addSeparator()
        view.addActions([self.act_arrange, self.act_collapse])
        view.addSeparator()
        schemes = view.addMenu("&Theme")
        group = QActionGroup(self)
        self.act_themes = {}
        for name, text in THEME_CHOICES.items():
            action = schemes.addAction(text, lambda n=name: self.choose_theme(n))
            action.setCheckable(True)
            group.addAction(action)
            self.act_themes[name] = action
        self.act_themes[self.settings.value("theme", "system")].setChecked(True)
        run = bar.addMenu("&Run")
        run.addActions([self.act_run, self.act_auto, self.act_target_here])
        run.addSeparator()
        run.addActions([self.act_step, self.act_step_next, self.act_step_back])
        run.addSeparator()
        run.addActions([self.act_check, self.act_probe, self.act_compare])
        run.addSeparator()
        run.addActions([self.act_train, self.act_pause, self.act_train_step,
                        self.act_train_reset])
        run.addSeparator()
        run.addAction(self.act_budget)
        self._refresh_recent()

    # ---- the color scheme ------------------------------------------------------------
    def choose_theme(self, name):
        """View ▸ Theme: follow the desktop's color scheme, or dark or light."""
        self.settings.setValue("theme", name)
        self.act_themes[name].setChecked(True)
        self.apply_theme()

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, desktop):
        self.apply_theme(desktop)

    def apply_theme(self, desktop=None):
        """The chosen scheme, or the desktop's (`desktop`: as it just changed to)."""
        choice = self.settings.value("theme", "system")
        if choice not in ("dark", "light"):
            desktop = desktop or QGuiApplication.styleHints().colorScheme()
            choice = "light" if desktop == Qt.ColorScheme.Light else "dark"
        if choice == theme.scheme and self._themed:
            return
        self._themed = True
        theme.use(choice)
        theme.apply_app_style(QApplication.instance())
        self.run_bar.setStyleSheet(theme.toolbar_style())
        self.train_panel.apply_theme()
        self.scene.restyle()
        self.view.viewport().update()

    def _build_toolbar(self):
        bar = self.addToolBar("Run")
        bar.setObjectName("run")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setStyleSheet(theme.toolbar_style())
        self.run_bar = bar
        bar.addWidget(QLabel(" Device "))
        self.device_box = QComboBox()
        for kind in DEVICE_KINDS.values():
            self.device_box.addItem(kind.title, kind.name)
        self.device_box.setToolTip("Where the graph runs")
        bar.addWidget(self.device_box)
        self.dtype_box = QComboBox()
        self.dtype_box.addItems(list(DTYPES))
        self.dtype_box.setToolTip("Precision the graph runs in (saved with the graph)")
        bar.addWidget(self.dtype_box)
        bar.addSeparator()
        bar.addAction(self.act_run)
        bar.addAction(self.act_auto)
        bar.addAction(self.act_step)
        bar.addSeparator()
        bar.addWidget(QLabel(" Differentiate "))
        self.target_box = QComboBox()
        self.target_box.setMinimumContentsLength(10)
        self.target_box.setToolTip("The node whose sum is differentiated")
        bar.addWidget(self.target_box)
        bar.addSeparator()
        bar.addActions(list(self.act_views.values()))
        bar.addAction(self.act_shared)

    def _wire(self):
        doc = self.document
        doc.edited.connect(self._on_edited)
        # An edit (not opening a file: that fits anew) keeps the view where it is.
        doc.undo_stack.indexChanged.connect(lambda _: self.view.stop_fitting())
        doc.modified_changed.connect(lambda _: self._update_title())
        doc.path_changed.connect(lambda _: self._update_title())
        doc.graph_replaced.connect(lambda _: self._on_replaced())
        self.scene.message.connect(self.show_message)
        self.scene.selectionChanged.connect(self._on_selection)
        self.scene.context_requested.connect(self._context_menu)
        self.view.quick_add_requested.connect(self.show_quick_add)
        self.view.nudge_requested.connect(self.nudge_selection)
        self.view.files_dropped.connect(lambda paths: paths and self.open_path(paths[0]))
        self.view.op_dropped.connect(lambda op, pos: self.add_op(op, pos))
        self.palette.op_chosen.connect(
            lambda op: self.add_op(op, self.view.mapToScene(self.view.viewport().rect().center())))
        self.quick_add.op_chosen.connect(self._quick_added)
        self.scene.wire_dropped.connect(lambda port, pos: self.show_quick_add(pos, port))
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failure)
        self.device_box.currentIndexChanged.connect(lambda _: self.schedule_run())
        self.target_box.activated.connect(self._on_target_chosen)
        self.dtype_box.textActivated.connect(self.document.set_dtype)
        self._device_checked.connect(self._show_device_status)

    # ---- messages and title -----------------------------------------------------------
    def show_message(self, text, timeout=8000):
        """A message on the left of the status bar, elided where it would run under
        the label on the right (the whole text is the bar's tooltip). Returns what is
        shown."""
        self._message = (text, self._elided(text), timeout)
        self.statusBar().setToolTip(text if self._message[1] != text else "")
        self.statusBar().showMessage(self._message[1], timeout)
        return self._message[1]

    def _elided(self, text):
        bar, label = self.statusBar(), getattr(self, "status_label", None)
        right = label.sizeHint().width() if label is not None and label.text() else 0
        return bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                            max(bar.width() - right - 40, 200))

    def fit_message(self):
        """Elide the message shown again, for the bar's width or the right label's
        text as they are now (the window was laid out, or the label changed)."""
        text, shown, timeout = getattr(self, "_message", ("", "", 0))
        bar = self.statusBar()
        if shown and bar.currentMessage() == shown and self._elided(text) != shown:
            self.show_message(text, timeout)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_message()

    def _update_title(self):
        self.setWindowTitle(f"{self.document.title}[*] — gradviz")
        self.setWindowModified(self.document.modified)

    # ---- editing --------------------------------------------------------------------
    @Slot()
    def _follow_undo_stack(self):
        """Undo and Redo name the step they would take, like QUndoStack's own actions."""
        stack = self.document.undo_stack
        for action, name, can, text in ((self.act_undo, "Undo", stack.canUndo, stack.undoText),
                                        (self.act_redo, "Redo", stack.canRedo, stack.redoText)):
            action.setEnabled(can())
            action.setText(f"{name} {text()}".strip())

    def _undo_redo(self, do, what):
        try:
            do()
        except GradvizError as e:
            self.show_message(f"Cannot {what}: {e}")

    @staticmethod
    def _centred(scene_pos):
        """The position of a new node whose header is centred under `scene_pos`."""
        return round(scene_pos.x() - layout.NODE_WIDTH / 2), round(scene_pos.y() - 30)

    def add_op(self, op, scene_pos):
        """Add a node centred under scene_pos, selected; returns its id."""
        pos = self._centred(scene_pos)
        pos = self._free_spot([(0, 0, op)], pos) if op in OPS else pos
        try:
            node_id = self.document.add_node(op, pos)
        except GradvizError as e:
            self.show_message(str(e))
            return None
        self.select([node_id])
        return node_id

    def show_quick_add(self, scene_pos, wire=None):
        """Quick-add at `scene_pos`; with a `wire` (the port a connection was dragged
        from and dropped on the canvas) only the ops it can connect to, and the new
        node is connected to it."""
        self._quick_add_pos, self._pending_wire = scene_pos, wire
        global_pos = self.view.viewport().mapToGlobal(self.view.mapFromScene(scene_pos))
        allowed = None
        if wire is not None and wire.is_output:
            allowed = {name for name, spec in OPS.items() if spec.inputs}
        self.quick_add.popup(global_pos, allowed)

    def _quick_added(self, op):
        wire, self._pending_wire = self._pending_wire, None
        if wire is None:
            self.add_op(op, self._quick_add_pos)
            return
        pos = self._free_spot([(0, 0, op)], self._centred(self._quick_add_pos))
        try:
            node_id = self.document.add_connected(op, pos,
                                                  wire.node_id, wire.port, wire.is_output)
        except GradvizError as e:
            self.show_message(f"Not added: {e}")
            return
        self.select([node_id])

    def toggle_collapsed(self):
        """H: collapse the selected nodes, or expand them if all are collapsed."""
        ids = self.scene.selected_node_ids()
        if not ids:
            self.show_message("Select nodes to collapse or expand (H)")
            return
        graph = self.document.graph
        self.document.set_collapsed(ids, not all(graph.nodes[n].collapsed for n in ids))

    def arrange(self):
        """View ▸ Arrange: the selected nodes (two or more), else the whole graph, laid
        out in layers (one undo step); a selection keeps its top-left corner. The edges
        among them lose their reroute points: bends made for the old places."""
        graph = self.document.graph
        ids = self.scene.selected_node_ids()
        if len(ids) < 2:   # one node selected (just dragged, say): the whole graph
            ids = list(graph.nodes)
        if len(ids) < 2:
            self.show_message("Arrange needs two nodes or more")
            return
        origin = (min(graph.nodes[n].pos[0] for n in ids),
                  min(graph.nodes[n].pos[1] for n in ids))
        positions = arrange(graph, ids, self._node_sizes(ids), origin)
        straight = {(e.dst, e.port): () for e in graph.edges
                    if e.src in positions and e.dst in positions}
        self.document.move({n: (graph.nodes[n].pos, p) for n, p in positions.items()},
                           text=f"Arrange {len(ids)} nodes", routes=straight)
        if len(ids) == len(graph.nodes):
            self.view.fit_all()

    def _node_sizes(self, ids):
        return {n: (self.scene.nodes[n].node_width,
                    self.scene.nodes[n].boundingRect().height() - 4) for n in ids}

    def delete_selection(self):
        self.document.delete(self.scene.selected_node_ids(), self.scene.selected_edges(),
                             self.scene.selected_reroutes(),
                             note_ids=self.scene.selected_note_ids())

    def nudge_selection(self, dx, dy):
        """The arrow keys move the selection, with what lies inside its frames."""
        node_ids, note_ids = self.scene.selection_with_contents()
        self.document.nudge(node_ids, dx, dy, note_ids)

    def select_all(self):
        for item in (*self.scene.nodes.values(), *self.scene.notes.values()):
            item.setSelected(True)

    def copy(self):
        ids, note_ids = self.scene.selected_node_ids(), self.scene.selected_note_ids()
        if not ids and not note_ids:
            return
        text = self.document.copy_text(ids, note_ids)
        mime = QMimeData()
        mime.setText(text)
        mime.setData(CLIPBOARD_MIME, text.encode())
        QApplication.clipboard().setMimeData(mime)
        kinds = [self.document.graph.note(n).kind for n in note_ids]
        self.show_message(f"Copied {describe(len(ids), kinds)}")

    def paste(self, text=None):
        """Paste graph-file JSON (from the clipboard): under the mouse pointer when it is
        over the canvas, else next to where the nodes were copied from."""
        if text is None:
            mime = QApplication.clipboard().mimeData()
            text = (bytes(mime.data(CLIPBOARD_MIME)).decode() if mime.hasFormat(CLIPBOARD_MIME)
                    else mime.text())
        if not text.strip():
            return
        at = self.view.pointer_scene_pos()
        try:
            ids = self.document.paste(text, at=(at.x(), at.y()) if at is not None else None,
                                      place=self._free_spot)
        except GradvizError as e:
            self.show_message(f"Nothing pasted: the clipboard holds no gradviz graph ({e})")
            return
        self.select(ids)

    def duplicate(self):
        ids, note_ids = self.scene.selected_node_ids(), self.scene.selected_note_ids()
        if ids or note_ids:  # our own graph-file JSON: it always loads
            self.select(self.document.paste(self.document.copy_text(ids, note_ids),
                                            place=self._free_spot, verb="Duplicate"))

    def _free_spot(self, group, corner):
        """Where a group of new nodes ((dx, dy, op) from its corner) overlaps none."""
        sizes = [(dx, dy, layout.NODE_WIDTH, NodeItem.full_height(get_op(op)))
                 for dx, dy, op in group]
        return self.scene.free_spot(sizes, corner)

    def select(self, ids):
        """Make exactly these nodes, frames and comments the selection, and scroll to
        show them."""
        self.scene.clearSelection()
        shown = QRectF()
        for item in (self.scene.nodes.get(i) or self.scene.notes[i] for i in ids):
            item.setSelected(True)
            shown = shown.united(item.sceneBoundingRect())
        if not shown.isEmpty():
            self.view.ensureVisible(shown, 20, 20)

    def target_selected(self):
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            self.document.set_target(ids[0])

    def _toggle_minimap(self):
        self.view.minimap.visible = self.act_minimap.isChecked()
        self.view.viewport().update()

    def _on_target_chosen(self, index):
        self.document.set_target(self.target_box.itemData(index))

    def _context_menu(self, item, screen_pos):
        menu = QMenu(self)
        if isinstance(item, NodeItem):
            menu.addAction(self.act_target_here)
            menu.addAction(self.act_probe)
            menu.addAction("Rename", item.title.start_editing)
            menu.addAction(self.act_collapse)
            if item.node.size is not None:
                menu.addAction("Reset Size",
                               lambda: self.document.resize_node(item.node_id, None))
            menu.addActions([self.act_duplicate, self.act_copy, self.act_delete])
        elif isinstance(item, EdgeItem):
            where = self.view.mapToScene(self.view.viewport().mapFromGlobal(screen_pos))
            menu.addAction("Add Reroute Point", lambda: self.scene.add_reroute(item, where))
            menu.addAction("Disconnect", self.delete_selection)
        elif isinstance(item, RerouteItem):
            menu.addAction("Remove Reroute Point", self.delete_selection)
        elif isinstance(item, (FrameItem, CommentItem)):
            self.note_menu(menu, item)
        else:
            at = self.view.mapToScene(self.view.viewport().mapFromGlobal(screen_pos))
            menu.addAction(self.act_add)
            menu.addAction("Add Co&mment", lambda: self.add_comment(at))
            if self.scene.selected_node_ids() or self.scene.selected_note_ids():
                menu.addAction(self.act_frame)
            menu.addActions([self.act_paste, self.act_fit])
        menu.addSeparator()
        menu.addAction(self.act_export)
        menu.popup(screen_pos)
        self._menu = menu  # keep it alive while shown

    def _on_selection(self):
        ids = self.scene.selected_node_ids()
        edges = self.scene.selected_edges()
        self.properties.set_node(ids[0] if len(ids) == 1 else None)
        if len(ids) == 1:
            self.inspector.show_node(ids[0])
        elif not ids and len(edges) == 1:
            self.inspector.show_edge(edges[0])
        else:
            self.inspector.show_node(None)
        self.show_card()

    def _refresh_targets(self):
        box = self.target_box
        graph = self.document.graph
        box.blockSignals(True)
        box.clear()
        box.addItem("auto (single output)", None)
        for node in graph.nodes.values():
            box.addItem(node.title, node.id)
        box.setCurrentIndex(max(box.findData(graph.target), 0) if graph.target else 0)
        box.blockSignals(False)

    def check_devices(self):
        """Ask, off the GUI thread, which devices can run here (a broken GPU driver can
        take seconds to answer); each entry stays disabled until it can, and its
        tooltip says why not."""
        for kind in DEVICE_KINDS.values():
            item = self.device_box.model().item(self.device_box.findData(kind.name))
            item.setEnabled(False)
            item.setToolTip(f"Checking for {kind.title}…")
            threading.Thread(target=lambda k=kind: self._device_checked.emit(k.name, *k.status()),
                             name=f"gradviz-{kind.name}-check", daemon=True).start()

    @Slot(str, bool, str)
    def _show_device_status(self, name, available, reason):
        item = self.device_box.model().item(self.device_box.findData(name))
        item.setEnabled(available)
        item.setToolTip(reason if available else f"Unavailable: {reason}")

    def _on_replaced(self):
        graph = self.document.graph
        if len(graph.nodes) > 1 and len({n.pos for n in graph.nodes.values()}) == 1:
            # Built in code or written without positions: laid out, as part of opening.
            for node_id, pos in arrange(graph, sizes=self._node_sizes(graph.nodes)).items():
                graph.set_pos(node_id, pos)
        self.last_result = self.last_error = None
        self.forget_training()
        self.inspector.set_result(None)
        self._clear_run_error()
        self.properties.set_node(None)
        self.view.setToolTip(self.document.graph.description)
        self.statusBar().clearMessage()   # the previous graph's description or news
        if self.isVisible():
            QTimer.singleShot(0, self.view.fit_all)
        else:   # at start-up: once the window has its size
            self._fit_when_shown = True

    def showEvent(self, event):
        super().showEvent(event)
        if self._fit_when_shown:
            self._fit_when_shown = False
            QTimer.singleShot(0, self.view.fit_all)

    # ---- closing ----------------------------------------------------------------------
    def closeEvent(self, event):
        self.pause_training()   # its values belong to the document the user may save
        if not self.maybe_save():
            event.ignore()
            return
        self.autosave.close()
        self.runner.shutdown()
        event.accept()
        self.closed.emit()
