"""`gradviz render --step` and `gradviz animate`: the run as it stood after one step of
its trace, and every step of a phase as the frames of a GIF or an animated PNG."""
import numpy as np
import pytest
from PIL import Image, ImageSequence
from PySide6.QtCore import QPointF

import gradviz
from gradviz.cli import main as cli_main
from gradviz.core.examples import example_path
from gradviz.gui import theme
from gradviz.gui.render import CAPTION_ROOM, graph_rect, picture_scene

SEED = str(example_path("seed"))
SIZE = "400x240"


def rgb(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def frames(path):
    """(format, [each frame as an RGB array]) of an animation file."""
    with Image.open(path) as image:
        return image.format, [np.asarray(f.convert("RGB")).astype(int)
                              for f in ImageSequence.Iterator(image)]


def close(rgb, color, tolerance=40):
    return max(abs(int(a) - b) for a, b in zip(rgb, color.getRgb())) <= tolerance


def render(tmp_path, name, *args):
    out = tmp_path / f"{name}.png"
    assert cli_main(["render", SEED, "-o", str(out), *args]) == 0
    return rgb(out)


def seed_steps(phase):
    """Indices of the seed run's steps of `phase`, from a traced run of its own."""
    trace = gradviz.load(SEED).run(trace=True).trace
    return [i for i, step in enumerate(trace) if phase in ("both", step.phase)]


def seed_scene(view):
    """The seed's finished run in a scene, and the top left corner of a --scale 1
    picture of it."""
    graph = gradviz.load(SEED)
    scene = picture_scene(graph, view)
    scene.show_result(graph.run())
    return scene, graph_rect(scene).topLeft()


def crop(rect, origin):
    """(rows, cols) of a scene rect in a --scale 1 picture whose corner is `origin`."""
    rect = rect.translated(-origin)
    return (slice(int(rect.top()), int(rect.bottom()) + 1),
            slice(int(rect.left()), int(rect.right()) + 1))


def outline_color(picture, item, origin):
    """The color on the middle of a node's left side, where its outline runs."""
    point = item.mapToScene(QPointF(0, item.boundingRect().height() / 2)) - origin
    return picture[int(point.y()), int(point.x())]


def test_step_0_shows_only_the_first_forward_node_marked_current(qapp, tmp_path):
    plain = render(tmp_path, "plain", "--view", "values", "--scale", "1")
    first = render(tmp_path, "first", "--view", "values", "--scale", "1", "--step", "0")
    assert first.shape == (plain.shape[0] + CAPTION_ROOM, *plain.shape[1:])
    below_caption = first[CAPTION_ROOM:]
    computed = gradviz.load(SEED).run(trace=True).trace[0].node
    scene, origin = seed_scene("values")
    for node_id, item in scene.nodes.items():
        within_outline = crop(item.body.sceneBoundingRect().adjusted(3, 0, -3, 0), origin)
        same = np.array_equal(below_caption[within_outline], plain[within_outline])
        assert same == (node_id == computed), node_id
    current = scene.nodes[computed]
    assert close(outline_color(below_caption, current, origin), theme.STEP)
    assert not close(outline_color(plain, current, origin), theme.STEP)


def test_the_last_step_is_the_finished_run_with_its_node_marked(qapp, tmp_path):
    plain = render(tmp_path, "plain", "--scale", "1")
    last = render(tmp_path, "last", "--scale", "1", "--step", "-1")
    below_caption = last[CAPTION_ROOM:]
    scene, origin = seed_scene("both")
    current = scene.nodes[gradviz.load(SEED).run(trace=True).trace[-1].node]
    differs = np.zeros(plain.shape[:2], bool)
    differs[crop(current.sceneBoundingRect(), origin)] = True
    np.testing.assert_array_equal(below_caption[~differs], plain[~differs])
    assert close(outline_color(below_caption, current, origin), theme.STEP)
    assert (last[:CAPTION_ROOM].min(axis=-1) > 200).any()   # the caption's light text


def test_a_canvas_at_a_step_has_the_canvas_size(qapp, tmp_path):
    picture = render(tmp_path, "step", "--size", SIZE, "--step", "3", "--view", "grads")
    assert picture.shape[:2] == (240, 400)


def test_an_svg_at_a_step_is_captioned_with_what_the_step_did(qapp, tmp_path):
    out = tmp_path / "step.svg"
    assert cli_main(["render", SEED, "-o", str(out), "--step", "-1"]) == 0
    last = gradviz.load(SEED).run(trace=True).trace[-1]
    assert f"backward: {last.node}" in out.read_text()


def test_an_animated_png_holds_each_backward_step_as_render_step_draws_it(qapp, tmp_path):
    out = tmp_path / "backward.png"
    assert cli_main(["animate", SEED, "-o", str(out), "--phase", "backward",
                     "--size", SIZE]) == 0
    kind, shown = frames(out)
    steps = seed_steps("backward")
    assert kind == "PNG" and len(shown) == len(steps)
    for index, frame in zip(steps, shown):
        np.testing.assert_array_equal(
            frame, render(tmp_path, f"step{index}", "--size", SIZE, "--step", str(index)))


@pytest.mark.parametrize("phase", ["both", "forward"])
def test_a_gif_has_one_frame_per_step_in_colors_close_to_the_png(phase, qapp, tmp_path):
    gif, png = tmp_path / "steps.gif", tmp_path / "steps.png"
    for out in (gif, png):
        assert cli_main(["animate", SEED, "-o", str(out), "--phase", phase, "--size", SIZE,
                         "--fps", "4"]) == 0
    kind, shown = frames(gif)
    _, exact = frames(png)
    assert kind == "GIF" and len(shown) == len(seed_steps(phase)) == len(exact)
    assert all(frame.shape == (240, 400, 3) for frame in shown)
    assert max(np.abs(a - b).max() for a, b in zip(shown, exact)) <= 16
    with Image.open(gif) as image:
        assert image.info["duration"] == 250 and image.info["loop"] == 0


@pytest.mark.parametrize("fps", ["0", "-2", "fast"])
def test_a_bad_fps_is_refused(fps, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["animate", SEED, "-o", str(tmp_path / "a.gif"), "--fps", fps])
    assert exit_.value.code == 2
    assert "argument --fps: must be a number from" in capsys.readouterr().err
    assert not (tmp_path / "a.gif").exists()


def test_an_animation_is_a_gif_or_a_png(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli_main(["animate", SEED, "-o", str(tmp_path / "a.mp4")])
    assert "must end in .gif or .png" in capsys.readouterr().err
