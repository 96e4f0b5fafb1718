"""The File menu's work: open, save, prompts over unsaved changes, recent files,
examples, image and code export and crash recovery. Mixed into the main window."""
from __future__ import annotations

import os
import time

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ..core import export, fileformat
from ..core.errors import GradvizError
from ..core.examples import example_path
from ..core.graph import Graph
from .autosave import discard, leftovers
from .render import MAX_PIXELS, MAX_SIDE, export_picture, is_svg

FILE_FILTER = "gradviz graphs (*.gradviz);;All files (*)"
EXPORT_FILTER = "PNG images (*.png);;SVG images (*.svg)"
EXPORT_SCALES = ["100 %", "200 %", "300 %", "400 %"]
MAX_RECENT = 8
# File ▸ Export ▸ …: kind (gradviz.core.export), menu text, file type, status tip.
CODE_EXPORTS = (
    ("numpy", "&NumPy Script…", "Python scripts (*.py)",
     "The graph as a NumPy script: the forward pass, then the backward pass op by op"),
    ("torch", "&PyTorch Script…", "Python scripts (*.py)",
     "The graph's forward pass in PyTorch, differentiated by autograd"),
    ("notebook", "Jupyter &Notebook…", "Jupyter notebooks (*.ipynb)",
     "The NumPy script as a notebook, each step's rule explained"),
)


class FileActions:
    """Needs `document`, `autosave`, `settings`, `recent_menu`, `view`, `scene` and
    `show_message` on the window it is mixed into."""

    def maybe_save(self):
        """True when it is fine to drop the current document (saved, discarded)."""
        if not self.document.modified:
            return True
        answer = QMessageBox.warning(
            self, "Unsaved changes",
            f"Save changes to {self.document.title} before closing it?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_document(self):
        if self.maybe_save():
            self.document.replace(Graph())
            self.autosave.clear()

    def open_dialog(self):
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open graph", self._folder(), FILE_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path, ask=True):
        """Open a file; on failure show why and keep the current document."""
        if ask and not self.maybe_save():
            return False
        try:
            self.document.open(path)
        except GradvizError as e:
            QMessageBox.critical(self, "Cannot open file", str(e))
            return False
        self._add_recent(self.document.path)
        self.autosave.clear()
        if self.document.graph.description:
            self.show_message(self.document.graph.description, 30000)
        return True

    def open_example(self, name):
        if self.open_path(str(example_path(name))):
            # An example opens as a new copy named after it: saving never overwrites it.
            self.document.path = None
            self.document.name = f"{name} (example)"
            self.document.path_changed.emit("")

    def save(self):
        if not self.document.path:
            return self.save_as_dialog()
        return self.save_to(self.document.path)

    def save_as_dialog(self):
        suggestion = os.path.join(self._folder(), self.document.title.split(" (")[0]
                                  .removesuffix(fileformat.SUFFIX) + fileformat.SUFFIX)
        path, _ = QFileDialog.getSaveFileName(self, "Save graph as", suggestion, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(fileformat.SUFFIX):
            path += fileformat.SUFFIX
        return self.save_to(path)

    def save_to(self, path):
        try:
            self.document.save(path)
        except GradvizError as e:
            QMessageBox.critical(self, "Cannot save", str(e))
            return False
        self._add_recent(self.document.path)
        self.autosave.clear()
        self.show_message(f"Saved {self.document.path}")
        return True

    def revert(self):
        path = self.document.path
        if not path or not self.document.modified:
            return
        answer = QMessageBox.question(self, "Revert", f"Drop all changes to "
                                      f"{self.document.title} since it was saved?")
        if answer == QMessageBox.StandardButton.Yes:
            self.open_path(path, ask=False)

    def export_dialog(self):
        path, chosen = QFileDialog.getSaveFileName(self, "Export image", self._folder(),
                                                   EXPORT_FILTER)
        if not path:
            return
        if not path.lower().endswith((".png", ".svg")):
            path += ".svg" if chosen.startswith("SVG") else ".png"
        # An SVG is drawn to scale-free vectors (its heatmaps at their own pixels).
        scale = 1.0 if is_svg(path) else self._ask_export_scale()
        if scale:
            self.export_image(path, scale)

    def _ask_export_scale(self):
        """The PNG's scale the user picks, or None when they cancel."""
        text, ok = QInputDialog.getItem(self, "Export image", "Scale of the PNG:",
                                        EXPORT_SCALES, EXPORT_SCALES.index("200 %"), False)
        return int(text.removesuffix(" %")) / 100 if ok else None

    def export_image(self, path, scale):
        """The whole graph as the canvas draws it (heatmaps, edges, legend), whatever
        part of it is in view: an SVG where `path` ends in .svg, else a PNG at
        `scale` times the graph's size (less where it would pass MAX_SIDE pixels)."""
        try:
            used = export_picture(self.scene, path, scale)
        except OSError as e:
            QMessageBox.critical(self, "Cannot export", f"Cannot write {path}: "
                                 f"{e.strerror or e}")
            return False
        if used < scale:
            self.show_message(f"Exported {path} at {used:.0%}: at {scale:.0%} it would "
                              f"pass {MAX_SIDE} pixels a side or "
                              f"{MAX_PIXELS // 2 ** 20} megapixels", 0)
        else:
            self.show_message(f"Exported {path}")
        return True

    def add_code_exports(self, menu):
        """Fill File ▸ Export with one entry per kind of code."""
        self.code_export_actions = {}
        for kind, text, _, tip in CODE_EXPORTS:
            action = menu.addAction(text, lambda k=kind: self.export_code_dialog(k))
            action.setStatusTip(tip)
            self.code_export_actions[kind] = action

    def export_code_dialog(self, kind):
        _, text, file_filter, _ = next(entry for entry in CODE_EXPORTS if entry[0] == kind)
        suffix = export.SUFFIXES[kind]
        stem = self.document.title.split(" (")[0].removesuffix(fileformat.SUFFIX)
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {text.replace('&', '').rstrip('…')}",
            os.path.join(self._folder(), stem + suffix), f"{file_filter};;All files (*)")
        if not path:
            return False
        if not os.path.splitext(path)[1]:
            path += suffix
        return self.export_code(path, kind, stem)

    def export_code(self, path, kind, title=None):
        """Write the graph as code (see gradviz.core.export.write); say where."""
        try:
            written = export.write(self.document.graph, path, kind, title=title)
        except GradvizError as e:
            QMessageBox.critical(self, "Cannot export", str(e))
            return False
        except OSError as e:
            QMessageBox.critical(self, "Cannot export", f"Cannot write {path}: "
                                 f"{e.strerror or e}")
            return False
        self.show_message(f"Exported {path}" + (f" (arrays in {written[1]})"
                                                if len(written) > 1 else ""))
        return True

    def _folder(self):
        return os.path.dirname(self.document.path) if self.document.path else os.getcwd()

    def _add_recent(self, path):
        recent = [p for p in self._recent() if p != path]
        self.settings.setValue("recent", ([path] + recent)[:MAX_RECENT])
        self._refresh_recent()

    def _recent(self):
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _refresh_recent(self):
        self.recent_menu.clear()
        for path in self._recent():
            self.recent_menu.addAction(path, lambda p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(self._recent()))

    def offer_recovery(self):
        """After a crash: offer the newest autosave left by a gradviz that is gone."""
        found = leftovers(self.autosave.folder)
        if not found:
            return False
        path, meta = found[0]   # the others stay for the next start
        original, base_dir = (value if isinstance(value, str) else None
                              for value in (meta.get("path"), meta.get("base_dir")))
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(meta["time"]))
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work",
                          f"gradviz closed unexpectedly with unsaved changes to "
                          f"{original or 'an untitled graph'} "
                          f"(autosaved {when}). Recover them?", parent=self)
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.exec()
        if box.clickedButton() is recover:
            try:
                graph = fileformat.load(path, base_dir=base_dir)
            except GradvizError as e:
                QMessageBox.critical(self, "Cannot recover", str(e))
                return False
            self.document.replace(graph, original, modified=True)
            discard(path)
            self.autosave.save_now()
            return True
        discard(path)
        return False
