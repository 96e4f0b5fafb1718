"""`gradviz animate`: the steps of a traced run as an animated GIF or PNG, one frame a
step, each drawn as `gradviz render --step` draws it."""
from __future__ import annotations

import os

from PIL import Image
from PySide6.QtCore import QSizeF
from PySide6.QtGui import QImage

from ..core.trace import phase_steps
from .render import canvas_rect, picture_image, picture_scene, show_step


def pil_image(image):
    """A QImage as an RGB PIL image (the canvas is opaque)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return Image.frombuffer("RGBA", (rgba.width(), rgba.height()), bytes(rgba.constBits()),
                            "raw", "RGBA", rgba.bytesPerLine(), 1).convert("RGB")


def gif_colors(image):
    """`image` in a GIF's 256 colors, undithered. Maximum coverage keeps the small
    swatches (the legend's NaN and Inf colors) that the default median cut merges."""
    return image.quantize(256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)


def step_images(graph, view, size, device, shared, memory_budget, phase):
    """One picture per step of `phase`, all framed alike: as a `size` canvas shows the
    finished run after Fit All, so the graph holds still while its heatmaps fill in."""
    scene = picture_scene(graph, view, shared)
    result = graph.run(device=device, memory_budget=memory_budget, trace=True)
    scene.show_result(result)
    source = canvas_rect(scene, *size, captioned=True)
    images = []
    for index in phase_steps(result.trace, phase):
        caption = show_step(scene, result, index)
        images.append(pil_image(picture_image(scene, source, QSizeF(*size), 1.0, caption)))
    return images


def animate(graph, path, view="both", size=(1000, 560), device="cpu", shared=False,
            memory_budget=None, phase="both", fps=1.0):
    """Run `graph` step by step and write the steps of `phase` ("forward", "backward"
    or "both") to `path`, `fps` frames a second, looping: an animated PNG where it
    ends in .png, else a GIF. Raises OSError, with the system's reason, when it cannot."""
    images = step_images(graph, view, size, device, shared, memory_budget, phase)
    kind = "PNG" if os.fspath(path).lower().endswith(".png") else "GIF"
    if kind == "GIF":
        images = [gif_colors(image) for image in images]
    # Pillow merges identical neighbouring frames; captions (each names its step) keep
    # every step's frame.
    images[0].save(path, kind, save_all=True, append_images=images[1:],
                   duration=round(1000 / fps), loop=0)
