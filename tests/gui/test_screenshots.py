"""Golden screenshots of the seed graph in each view, compared pixel by pixel with a
tolerance that survives font antialiasing but not a wrong color, a flipped matrix or a
missing edge. `make goldens` regenerates them; a failure writes NAME.actual.png and
NAME.diff.png next to the golden for review."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

import gradviz
from gradviz.core.examples import example_path
from gradviz.gui import theme
from gradviz.gui.render import render

GOLDENS = Path(__file__).parent.parent / "screenshots"
SIZE = (900, 420)
CHANNEL_TOLERANCE = 40     # antialiasing differences stay below this
MAX_BAD_PIXELS = 150       # a missing edge or a flipped 4x3 heatmap is far more
UPDATE = os.environ.get("GRADVIZ_UPDATE_GOLDENS") == "1"


def pixels(path):
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, :image.width()].copy()


def compare(actual_path, golden_path):
    """Number of pixels whose color differs by more than the tolerance; on failure
    the actual image and a diff image are written beside the golden."""
    actual, golden = pixels(actual_path), pixels(golden_path)
    if actual.shape != golden.shape:
        return actual.size
    diff = np.abs(actual.astype(int) - golden.astype(int)).max(axis=-1)
    bad = int((diff > CHANNEL_TOLERANCE).sum())
    if bad > MAX_BAD_PIXELS:
        stem = golden_path.with_suffix("")
        QImage(str(actual_path)).save(f"{stem}.actual.png")
        marked = golden.copy()
        marked[diff > CHANNEL_TOLERANCE] = (255, 0, 255, 255)
        QImage(marked.data, marked.shape[1], marked.shape[0], 4 * marked.shape[1],
               QImage.Format.Format_RGBA8888).save(f"{stem}.diff.png")
    return bad


def check_golden(name, actual):
    """Compare a rendered picture with its approved golden (or replace the golden
    with GRADVIZ_UPDATE_GOLDENS=1)."""
    golden = GOLDENS / f"{name}.png"
    if UPDATE:
        actual.replace(golden)
        pytest.skip(f"regenerated {golden.name} (GRADVIZ_UPDATE_GOLDENS=1)")
    assert golden.exists(), f"no golden {golden.name}: run make goldens"
    bad = compare(actual, golden)
    assert bad <= MAX_BAD_PIXELS, f"{bad} pixels differ; see {golden.stem}.diff.png"


@pytest.mark.parametrize("view", ["values", "grads", "both"])
def test_seed_graph_looks_as_approved(view, qapp, tmp_path):
    actual = tmp_path / "actual.png"
    render(gradviz.load(example_path("seed")), actual, view, SIZE)
    check_golden(f"seed-{view}", actual)


# Two backward steps of the fan-out example: a has sent its part to x ("1 of 2"),
# then tanh has sent the second part and x's gradient is complete.
STEPS = {"fanout-step8": 8, "fanout-step10": 10}


@pytest.mark.parametrize("name", STEPS)
def test_backward_steps_look_as_approved(name, qapp, tmp_path):
    actual = tmp_path / "actual.png"
    render(gradviz.load(example_path("fanout")), actual, "both", SIZE, step=STEPS[name])
    check_golden(name, actual)


def test_comparison_catches_a_flipped_heatmap(qapp, tmp_path):
    """The tolerance is tight enough to see a 4x3 matrix upside down."""
    graph = gradviz.load(example_path("seed"))
    value = np.random.default_rng(0).standard_normal((4, 3))
    graph.set_params("x", {"source": "value", "value": value})
    render(graph, tmp_path / "a.png", "values", SIZE)
    graph.set_params("x", {"source": "value", "value": value[::-1]})
    render(graph, tmp_path / "b.png", "values", SIZE)
    assert compare(tmp_path / "b.png", tmp_path / "a.png") > MAX_BAD_PIXELS


def test_render_command_writes_a_png(tmp_path):
    out = tmp_path / "seed.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "gradviz", "render", str(example_path("seed")),
                           "-o", str(out), "--view", "grads", "--size", "640x360"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 360)
    bad = subprocess.run([sys.executable, "-m", "gradviz", "render", str(example_path("seed")),
                          "-o", str(out), "--size", "huge"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert bad.returncode == 2 and "--size must be WIDTHxHEIGHT" in bad.stderr


@pytest.fixture
def scheme_restored():
    yield
    theme.use("dark")


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_cnn_at_fit_all_reads_in_both_schemes(scheme, qapp, qtbot, tmp_path, scheme_restored):
    """Zoomed out to fit, every node's name is readable (drawn compact)."""
    from gradviz.gui.document import Document
    from gradviz.gui.render import load_fonts
    from gradviz.gui.scene import GraphScene
    from gradviz.gui.view import GraphView
    load_fonts(qapp)
    theme.use(scheme)
    document = Document()
    document.replace(gradviz.load(example_path("cnn")))
    scene = GraphScene(document)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(*SIZE)
    view.show()
    qtbot.waitExposed(view)
    scene.show_result(document.graph.run())
    view.fit_all()
    assert not scene.detail
    actual = tmp_path / "actual.png"
    view.viewport().grab().save(str(actual))
    check_golden(f"cnn-fit-{scheme}", actual)
