"""The color legend drawn over the canvas: what each color means and the limits in
force, always matching the heatmaps."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage

from ..core.health import SYMBOLS
from ..core.views import NAMES
from . import colors, display, theme
from .display import ROBUST_PERCENTILE

BAR_W, BAR_H, ROW = 110, 8, 26
NUMBER_W = 44          # the limit left of a bar (room for "-0.447")
WIDTH = BAR_W + NUMBER_W + 104
STALE_TEXT = "stale: not the current graph (F5 runs it)"
# Arrays of instruments, as the legend calls them (in the plural).
INSTRUMENT_NAMES = {"error": "gradient error", "value diff": "value difference",
                    "grad diff": "gradient difference"}


def _bar_image(table, start=0.0):
    row = table[np.linspace(start * 255, 255, BAR_W).astype(int)]
    rgba = np.concatenate([row, np.full((BAR_W, 1), 255, np.uint8)], axis=1)
    data = np.ascontiguousarray(np.repeat(rgba[None], BAR_H, axis=0))
    image = QImage(data.data, BAR_W, BAR_H, 4 * BAR_W, QImage.Format.Format_RGBA8888)
    return image.copy()  # own the pixels: `data` goes away


def legend_rows(legend):
    """(label, left text, right text, which bar) rows for a scene's legend dict."""
    rows = []
    names = {kind: f"{name}s" for kind, name in {**NAMES, **INSTRUMENT_NAMES}.items()}
    limits = legend["limits"]
    how = f" (p{ROBUST_PERCENTILE} of |x|)" if legend.get("robust") else ""
    sequential = legend.get("colormap") == "sequential"
    bar = "errors" if sequential else "diverging"
    if all(limit is None for limit in limits.values()):
        what = " and ".join(names[k] for k in limits)
        rows.append((f"{what}: per-node limits{how}", "0" if sequential else "−", "+", bar))
    else:
        for kind, limit in limits.items():
            rule = ("0 to the tolerance" if legend.get("instrument") == "check"
                    else f"shared limits{how}")
            rows.append((f"{names[kind]}: {rule}",
                         "0" if sequential else f"{-limit:.3g}", f"{limit:.3g}", bar))
    rows.append(("edges: RMS of gradient flowing back", "0", f"{legend['edge_top']:.3g}",
                 "sequential"))
    return rows


def legend_health(flags):
    """The legend's health line for {node: [Flag]}: how many nodes carry each mark."""
    counts = {}
    for node_flags in flags.values():
        # one mark per node, though NaN may be in its value and in its gradient
        for name in dict.fromkeys(flag.name for flag in node_flags):
            counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{SYMBOLS[name]} {count} {name}" for name, count in counts.items())


def _notes(legend):
    """The legend's text lines above its bars, with their colors."""
    notes = []
    if legend.get("stale"):
        notes.append((STALE_TEXT, theme.STALE))
    if legend.get("health"):
        notes.append((f"health: {legend['health']}", theme.HEALTH))
    return notes


def legend_box(viewport_rect, legend):
    """Where the legend sits: the bottom-right corner of the viewport."""
    height = ROW * len(legend_rows(legend)) + 26 + 16 * len(_notes(legend))
    return QRectF(viewport_rect.width() - WIDTH - 10, viewport_rect.height() - height - 10,
                  WIDTH, height)


def paint_legend(painter, viewport_rect, legend):
    if not legend:
        return
    rows = legend_rows(legend)
    bars = {"diverging": _bar_image(colors.lut(colors.DIVERGING)),
            "errors": _bar_image(colors.lut(colors.SEQUENTIAL)),
            "sequential": _bar_image(colors.lut(colors.SEQUENTIAL), display.EDGE_FLOOR)}
    box = legend_box(viewport_rect, legend)
    painter.save()
    painter.resetTransform()
    painter.setRenderHint(painter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(17, 18, 20, 215))
    painter.drawRoundedRect(box, 6, 6)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(7.5)
    painter.setFont(font)
    y = box.top() + 6
    for text, color in _notes(legend):
        painter.setPen(color)
        painter.drawText(QRectF(box.left() + 8, y, box.width() - 16, 12),
                         Qt.AlignmentFlag.AlignLeft,
                         painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                                          int(box.width() - 16)))
        y += 16
    for label, left, right, bar in rows:
        painter.setPen(QColor(230, 230, 230))
        painter.drawText(QRectF(box.left() + 8, y, box.width() - 16, 12),
                         Qt.AlignmentFlag.AlignLeft,
                         painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight,
                                                          int(box.width() - 16)))
        painter.drawImage(QRectF(box.left() + NUMBER_W + 8, y + 14, BAR_W, BAR_H), bars[bar])
        painter.drawText(QRectF(box.left() + 4, y + 12, NUMBER_W, 12),
                         Qt.AlignmentFlag.AlignRight, left)
        painter.drawText(QRectF(box.left() + NUMBER_W + 12 + BAR_W, y + 12, 60, 12),
                         Qt.AlignmentFlag.AlignLeft, right)
        y += ROW
    x = box.left() + 8
    for name, rgb in (("NaN", colors.NAN), ("+Inf", colors.POS_INF), ("−Inf", colors.NEG_INF)):
        painter.fillRect(QRectF(x, y + 3, 10, 10), QColor(*rgb))
        painter.setPen(QColor(230, 230, 230))
        painter.drawText(QRectF(x + 14, y + 1, 40, 14), Qt.AlignmentFlag.AlignLeft, name)
        x += 56
    painter.restore()
