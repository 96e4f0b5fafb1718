"""Pictures of a whole graph, as PNG or SVG: the editor's File ▸ Export Image… and
`gradviz render` (which runs the graph first and needs no display)."""
from __future__ import annotations

import math
import os
import warnings

from PySide6.QtCore import QBuffer, QByteArray, QRectF, QSize, QSizeF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from . import theme
from .document import Document
from .legend import legend_box, paint_legend
from .scene import GraphScene

MARGIN = 40           # scene units left around the items, as Fit All leaves
MAX_SIDE = 16384      # pixels per side of a PNG; a larger request is scaled down,
MAX_PIXELS = 2 ** 27  # as is one over 128 megapixels (512 MiB of pixels)
MAX_FIT_ZOOM = 1.5    # a canvas --size never blows a small graph up more than Fit All


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


def is_svg(path):
    return os.fspath(path).lower().endswith(".svg")


def items_rect(scene):
    """Every item of the scene, with a margin."""
    return scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def legend_room(legend):
    """Width and height the legend takes in a picture's bottom right corner, its
    distance from the edges included (the box paint_legend draws)."""
    box = legend_box(QRectF(), legend)   # placed from a corner at (0, 0)
    return -box.left(), -box.top()


def graph_rect(scene):
    """The part of the scene a picture of the whole graph shows: every item, with a
    margin, and room below for the legend where it would cover an item."""
    rect = items_rect(scene)
    if scene.legend:
        width, height = legend_room(scene.legend)
        if scene.items(QRectF(rect.right() - width, rect.bottom() - height, width, height)):
            rect.setBottom(rect.bottom() + height)
    return rect


def fitted_rect(scene, width, height):
    """The scene rect a width x height canvas shows after Fit All: the whole graph,
    centred, at most MAX_FIT_ZOOM times its size."""
    rect = items_rect(scene)
    zoom = min(width / rect.width(), height / rect.height(), MAX_FIT_ZOOM)
    source = QRectF(0, 0, width / zoom, height / zoom)
    source.moveCenter(rect.center())
    return source


def capped_scale(rect, scale):
    """`scale`, or less where a PNG of `rect` would pass MAX_SIDE or MAX_PIXELS."""
    return min(scale, MAX_SIDE / rect.width(), MAX_SIDE / rect.height(),
               math.sqrt(MAX_PIXELS / (rect.width() * rect.height())))


def paint_graph(painter, scene, source, target):
    """Draw the scene's `source` rect (grid, nodes, edges) into the painter's `target`
    rect, and the legend in target's corner as the canvas shows it."""
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, target, source)
    paint_legend(painter, target, scene.legend)


def picture_bytes(scene, source, size, scale, svg):
    """The scene's `source` rect drawn into `size` (a QSizeF) and shown `scale` times
    larger, as an SVG document or as PNG bytes."""
    pixels = QSize(round(size.width() * scale), round(size.height() * scale))
    target = QRectF(0, 0, size.width(), size.height())
    data = QByteArray()
    buffer = QBuffer(data)
    if svg:
        device = QSvgGenerator()
        device.setOutputDevice(buffer)
        device.setSize(pixels)
        device.setResolution(96)   # width and height (in mm) measure `pixels` CSS pixels
        device.setViewBox(target)
    else:
        device = QImage(pixels, QImage.Format.Format_ARGB32_Premultiplied)
        if device.isNull():
            raise OSError(f"not enough memory for a {pixels.width()}x{pixels.height()} "
                          f"pixel image")
        device.setDevicePixelRatio(scale)   # drawn in `size` units, `scale` pixels each
        device.fill(theme.CANVAS)   # under the edges' antialiased pixels
    painter = QPainter(device)
    paint_graph(painter, scene, source, target)
    painter.end()
    if not svg and not device.save(buffer, "PNG"):
        raise OSError("cannot encode the PNG")
    return data.data()


def save_picture(scene, source, size, scale, path):
    """Write the picture (see picture_bytes) to `path`: an SVG where it ends in .svg,
    else a PNG. Raises OSError, with the system's reason, when it cannot."""
    data = picture_bytes(scene, source, size, scale, is_svg(path))
    with open(path, "wb") as file:
        file.write(data)


def export_picture(scene, path, scale):
    """Save the whole graph at `scale` times its size; returns the scale used, less
    than asked where a PNG would be too large (MAX_SIDE, MAX_PIXELS)."""
    source = graph_rect(scene)
    if not is_svg(path):
        scale = capped_scale(source, scale)
    save_picture(scene, source, source.size(), scale, path)
    return scale


def render(graph, path, view="both", size=(1000, 560), device="cpu", shared=False,
           memory_budget=None, scale=None):
    """Run `graph` and save its picture (heatmaps, edges, legend) as a PNG, or an SVG
    where `path` ends in .svg: the whole graph at `scale` times its size when a scale
    is given, else as a `size` canvas shows it after Fit All."""
    theme.apply_app_style(ensure_app())
    document = Document()
    document.replace(graph)
    scene = GraphScene(document)
    scene.view_mode, scene.shared_scale = view, shared
    scene.show_result(graph.run(device=device, memory_budget=memory_budget))
    if scale is None:
        save_picture(scene, fitted_rect(scene, *size), QSizeF(*size), 1.0, path)
        return
    used = export_picture(scene, path, scale)
    if used < scale:
        warnings.warn(f"the picture would pass {MAX_SIDE} pixels a side or "
                      f"{MAX_PIXELS // 2 ** 20} megapixels: drawn at {used:.0%}")
