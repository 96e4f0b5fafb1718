"""Rendering a graph to a PNG without a display (`gradviz render`)."""
from __future__ import annotations

import os


def ensure_app():
    """A QApplication, offscreen where there is no display, with the bundled fonts."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    load_fonts(app)
    return app


def load_fonts(app):
    """Register the bundled DejaVu fonts and use them: text looks the same everywhere
    (screenshots are compared pixel by pixel)."""
    from importlib import resources

    from PySide6.QtGui import QFont, QFontDatabase
    if getattr(app, "_gradviz_fonts", False):
        return
    folder = resources.files("gradviz.resources") / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"):
        QFontDatabase.addApplicationFont(str(folder / name))
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9)
    app.setFont(font)
    app._gradviz_fonts = True


def render(graph, path, view="both", size=(1000, 560), device="cpu", shared=False,
           memory_budget=None):
    """Run `graph` and save its canvas, heatmaps, edges and legend, as a PNG."""
    app = ensure_app()
    from .document import Document
    from .scene import GraphScene
    from .theme import apply_app_style
    from .view import GraphView
    from PySide6.QtCore import Qt
    apply_app_style(app)
    document = Document()
    document.replace(graph)
    scene = GraphScene(document)
    scene.view_mode, scene.shared_scale = view, shared
    canvas = GraphView(scene)
    canvas.minimap.visible = False   # a picture of the graph needs no navigation aid
    canvas.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    canvas.resize(*size)
    canvas.show()  # lays out the viewport at its real size (drawn off screen)
    result = graph.run(device=device, memory_budget=memory_budget)
    scene.show_result(result)
    canvas.fit_all()
    image = canvas.grab()
    if not image.save(os.fspath(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return image
