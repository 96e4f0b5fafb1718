"""Pictures of a whole graph, as PNG or SVG: the editor's File ▸ Export Image… and
`gradviz render` (which runs the graph first and needs no display), at the end of the
run or as it stood after one step of it."""
from __future__ import annotations

import math
import os
import warnings

from PySide6.QtCore import QBuffer, QByteArray, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from ..core import check, compare
from ..core.health import health
from ..core.trace import caption, step_index
from ..core.views import get_view
from . import theme
from .document import Document
from .legend import legend_box, paint_legend
from .scene import GraphScene
from .view import OVERLAY_STRIP

MARGIN = 40           # scene units left around the items, as Fit All leaves
MAX_SIDE = 16384      # pixels per side of a PNG; a larger request is scaled down,
MAX_PIXELS = 2 ** 27  # as is one over 128 megapixels (512 MiB of pixels)
MAX_FIT_ZOOM = 1.5    # a canvas --size never blows a small graph up more than Fit All
CAPTION_INSET, CAPTION_HEIGHT, CAPTION_PAD = 10, 24, 8   # a caption's box: from the
# picture's corner, its height, and from its sides to the text
CAPTION_ROOM = CAPTION_INSET + CAPTION_HEIGHT   # left free above the graph for a caption


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
    at most MAX_FIT_ZOOM times its size, centred in what the legend's strip on the
    right leaves free (as the editor's Fit All does)."""
    rect = items_rect(scene)
    free = width - OVERLAY_STRIP if width > 2 * OVERLAY_STRIP else width
    zoom = min(free / rect.width(), height / rect.height(), MAX_FIT_ZOOM)
    source = QRectF(0, 0, width / zoom, height / zoom)
    source.moveCenter(rect.center() + QPointF((width - free) / 2 / zoom, 0))
    return source


def whole_rect(scene, captioned=False):
    """graph_rect, grown at the top by a caption's room where one will be drawn."""
    source = graph_rect(scene)
    if captioned:
        source.setTop(source.top() - CAPTION_ROOM)
    return source


def canvas_rect(scene, width, height, captioned=False):
    """fitted_rect, or where a caption will be drawn, the graph fitted below the
    caption's room and the rect grown up over that room (at the same zoom)."""
    if not captioned:
        return fitted_rect(scene, width, height)
    source = fitted_rect(scene, width, height - CAPTION_ROOM)
    source.setTop(source.top() - CAPTION_ROOM * source.width() / width)
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
    scene.paint_in(source)
    scene.render(painter, target, source)
    paint_legend(painter, target, scene.legend)


def caption_font():
    font = QFont("DejaVu Sans")
    font.setPointSizeF(8.5)
    return font


def paint_caption(painter, target, text):
    """`text` in target's top left corner (the legend takes the bottom right), light on
    a dark translucent box, cut short with … where the picture is too narrow."""
    font = caption_font()
    metrics = QFontMetricsF(font, painter.device())
    room = target.width() - 2 * (CAPTION_INSET + CAPTION_PAD)
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
    box = QRectF(target.left() + CAPTION_INSET, target.top() + CAPTION_INSET,
                 metrics.horizontalAdvance(shown) + 2 * CAPTION_PAD, CAPTION_HEIGHT)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(17, 18, 20, 215))   # the legend's box
    painter.drawRoundedRect(box, 5, 5)
    painter.setFont(font)
    painter.setPen(theme.HEADER_TEXT)   # light on the dark box, in either scheme
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, shown)
    painter.restore()


def paint_picture(device, scene, source, target, caption):
    painter = QPainter(device)
    paint_graph(painter, scene, source, target)
    if caption is not None:
        paint_caption(painter, target, caption)
    painter.end()


def picture_image(scene, source, size, scale, caption=None):
    """The scene's `source` rect drawn into `size` (a QSizeF), `scale` pixels a unit,
    with `caption` in a corner where one is given."""
    pixels = QSize(round(size.width() * scale), round(size.height() * scale))
    image = QImage(pixels, QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise OSError(f"not enough memory for a {pixels.width()}x{pixels.height()} "
                      f"pixel image")
    image.setDevicePixelRatio(scale)   # drawn in `size` units, `scale` pixels each
    image.fill(theme.CANVAS)   # under the edges' antialiased pixels
    paint_picture(image, scene, source, QRectF(0, 0, size.width(), size.height()), caption)
    return image


def picture_bytes(scene, source, size, scale, svg, caption=None):
    """The picture (see picture_image) as an SVG document or as PNG bytes."""
    data = QByteArray()
    buffer = QBuffer(data)
    if svg:
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(QSize(round(size.width() * scale), round(size.height() * scale)))
        generator.setResolution(96)   # width and height (in mm) measure those CSS pixels
        target = QRectF(0, 0, size.width(), size.height())
        generator.setViewBox(target)
        paint_picture(generator, scene, source, target, caption)
    elif not picture_image(scene, source, size, scale, caption).save(buffer, "PNG"):
        raise OSError("cannot encode the PNG")
    return data.data()


def save_picture(scene, source, size, scale, path, caption=None):
    """Write the picture (see picture_bytes) to `path`: an SVG where it ends in .svg,
    else a PNG. Raises OSError, with the system's reason, when it cannot."""
    data = picture_bytes(scene, source, size, scale, is_svg(path), caption)
    with open(path, "wb") as file:
        file.write(data)


def export_picture(scene, path, scale, source=None, caption=None):
    """Save the whole graph (`source`, by default its graph_rect) at `scale` times its
    size; returns the scale used, less than asked where a PNG would be too large
    (MAX_SIDE, MAX_PIXELS)."""
    if source is None:
        source = graph_rect(scene)
    if not is_svg(path):
        scale = capped_scale(source, scale)
    save_picture(scene, source, source.size(), scale, path, caption)
    return scale


def picture_scene(graph, view="both", shared=False):
    """A scene of `graph` for pictures, painting results in `view`."""
    theme.apply_app_style(ensure_app())
    document = Document()
    document.replace(graph)
    scene = GraphScene(document)
    scene.view_mode, scene.shared_scale = view, shared
    return scene


def show_step(scene, result, step):
    """Show the traced run `result` as it stood after `step` (negative: from the end),
    marked as step mode marks it; returns a caption worded as step mode's timeline."""
    index = step_index(result.trace, step)
    scene.show_step(result, index)
    return caption(result.trace, index, scene.title)


def render(graph, path, view="both", size=(1000, 560), device="cpu", shared=False,
           memory_budget=None, scale=None, step=None):
    """Run `graph` and save its picture (heatmaps, edges, legend) as a PNG, or an SVG
    where `path` ends in .svg: the whole graph at `scale` times its size when a scale
    is given, else as a `size` canvas shows it after Fit All. With a `step`, the run is
    shown as it stood after that step of its trace, captioned."""
    scene = picture_scene(graph, view, shared)
    captioned = step is not None
    result = graph.run(device=device, memory_budget=memory_budget, trace=captioned)
    result.derived["health"] = health(result, {n: node.op for n, node in graph.nodes.items()})
    instrument = get_view(view).instrument
    if instrument == "check":
        check.attach(result, check.check_gradients(graph, device=device))
    elif instrument == "compare":   # the settings Run ▸ Compare starts from
        settings = compare.parse_setting(f"{device}:{graph.dtype}"), ("cpu", "float32")
        compare.attach(result, compare.differences(graph, *settings)[0])
    scene.show_result(result)
    # A step is framed as the finished run is, as every frame of gradviz animate is.
    source = (canvas_rect(scene, *size, captioned) if scale is None
              else whole_rect(scene, captioned))
    caption = show_step(scene, result, step) if captioned else None
    if scale is None:
        save_picture(scene, source, QSizeF(*size), 1.0, path, caption)
        return
    used = export_picture(scene, path, scale, source, caption)
    if used < scale:
        warnings.warn(f"the picture would pass {MAX_SIDE} pixels a side or "
                      f"{MAX_PIXELS // 2 ** 20} megapixels: drawn at {used:.0%}")


def png_bytes(graph, size=(900, 420), view="both"):
    """What `render` draws, as PNG bytes (Jupyter shows a graph with these)."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "graph.png")
        render(graph, path, view, size)
        with open(path, "rb") as f:
            return f.read()
