"""File ▸ Export Image… and `gradviz render`: the whole graph, whatever is in view, as a
PNG at a chosen scale (within a size cap) or as an SVG."""
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QInputDialog, QLineEdit

import gradviz
from gradviz.cli import main as cli_main
from gradviz.core.examples import example_path
from gradviz.gui import theme
from gradviz.gui.render import MARGIN, MAX_PIXELS, MAX_SIDE, capped_scale
from tests.gui.conftest import answer_next_dialog

SVG = "{http://www.w3.org/2000/svg}"


def when_dialog(kind, answer):
    """Call answer(dialog) on the next modal dialog of class `kind`."""
    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            answer(dialog)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


def type_file_name(path, name_filter=None):
    """In the next file dialog: go to path's folder, pick `name_filter`, type path's
    name, press Enter."""
    def answer(dialog):
        dialog.setDirectory(str(path.parent))
        if name_filter:
            dialog.selectNameFilter(name_filter)
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.clear()
        QTest.keyClicks(name, path.name)
        QTest.keyClick(name, Qt.Key.Key_Return)
    when_dialog(QFileDialog, answer)


def choose_scale(text):
    """In the next input dialog: pick `text` in its list with the keyboard, press Enter."""
    def answer(dialog):
        combo = dialog.findChild(QComboBox)
        QTest.keyClicks(combo, text)
        assert combo.currentText() == text
        QTest.keyClick(combo, Qt.Key.Key_Return)
    when_dialog(QInputDialog, answer)


def press_ctrl_e(window):
    QTest.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)


def zoom_in_on_part(window):
    """Zoom in with the keys until some node is only partly in view."""
    view = window.view
    for _ in range(6):
        QTest.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert not all(shown.contains(node.sceneBoundingRect())
                   for node in window.scene.nodes.values())


def close(color, expected, tolerance):
    return max(abs(color.red() - expected.red()), abs(color.green() - expected.green()),
               abs(color.blue() - expected.blue())) <= tolerance


def check_every_node_drawn_whole(image, scene, scale):
    """Each node's header (its category's color) and the far corner of its body are
    where the node lies in the scene, relative to the picture's top left corner."""
    origin = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN).topLeft()

    def color_at(point):
        x, y = ((point - origin) * scale).toTuple()
        assert 0 <= x < image.width() and 0 <= y < image.height()
        return image.pixelColor(int(x), int(y))

    for node in scene.nodes.values():
        rect = node.mapRectToScene(QRectF(0, 0, node.boundingRect().width() - 4,
                                          node.boundingRect().height() - 4))
        header = theme.CATEGORY.get(node.spec.category, theme.DEFAULT_CATEGORY)
        assert close(color_at(rect.topLeft() + QPointF(4, 8)), header, 10), node.node_id
        assert close(color_at(rect.bottomRight() - QPointF(6, 6)), theme.NODE_BODY, 3), \
            node.node_id


def test_ctrl_e_exports_the_whole_graph_at_the_chosen_scale(make_window, tmp_path):
    window = make_window(str(example_path("cnn")))
    zoom_in_on_part(window)
    path = tmp_path / "cnn.png"
    type_file_name(path)
    choose_scale("300 %")
    press_ctrl_e(window)
    image = QImage(str(path))
    whole = window.scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    assert (image.width(), image.height()) == (round(whole.width() * 3),
                                               round(whole.height() * 3))
    check_every_node_drawn_whole(image, window.scene, 3)
    assert window.statusBar().currentMessage() == f"Exported {path}"


def test_a_png_is_exported_at_200_percent_unless_the_user_picks_another(make_window,
                                                                        tmp_path):
    window = make_window(str(example_path("seed")))
    path = tmp_path / "seed"
    type_file_name(path, "PNG images (*.png)")
    when_dialog(QInputDialog, lambda dialog: QTest.keyClick(dialog.findChild(QComboBox),
                                                            Qt.Key.Key_Return))
    press_ctrl_e(window)
    image = QImage(str(path) + ".png")
    whole = window.scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    assert image.width() == round(whole.width() * 2)


def test_the_svg_filter_exports_a_valid_svg_without_asking_a_scale(make_window, tmp_path,
                                                                   monkeypatch):
    window = make_window(str(example_path("cnn")))
    zoom_in_on_part(window)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: pytest.fail("asked"))
    type_file_name(tmp_path / "cnn", "SVG images (*.svg)")
    press_ctrl_e(window)
    check_svg(tmp_path / "cnn.svg")


def check_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg" and root.get("width") and root.get("height")
    assert root.findall(f".//{SVG}image") and root.findall(f".//{SVG}path")


def test_a_graph_too_large_for_the_cap_is_exported_smaller_and_says_so(window, tmp_path):
    g = gradviz.Graph()
    g.add("input", id="x", value=[[1.0, 2.0]], pos=(0, 0))
    g.add("sum", "x", id="far", pos=(12000, 0))
    window.document.replace(g)
    path = tmp_path / "wide.png"
    assert window.export_image(str(path), 2.0)
    assert QImage(str(path)).width() == MAX_SIDE
    assert f"pass {MAX_SIDE} pixels a side" in window.statusBar().currentMessage()


def test_the_pixel_cap_holds_for_a_graph_large_both_ways():
    rect = QRectF(0, 0, 9000, 9000)
    scale = capped_scale(rect, 2.0)
    assert round(rect.width() * scale) * round(rect.height() * scale) <= MAX_PIXELS
    assert capped_scale(QRectF(0, 0, 900, 400), 2.0) == 2.0


def test_an_unwritable_path_is_refused_with_the_reason(window, tmp_path):
    seen = []
    answer_next_dialog("OK", seen)
    assert not window.export_image(str(tmp_path / "no such folder" / "x.png"), 1.0)
    assert "No such file or directory" in seen[0]


def test_render_command_writes_the_whole_graph_as_svg_or_scaled_png(qapp, tmp_path):
    cnn = str(example_path("cnn"))
    assert cli_main(["render", cnn, "-o", str(tmp_path / "cnn.svg")]) == 0
    check_svg(tmp_path / "cnn.svg")
    sizes = {}
    for scale in (1, 2):
        out = tmp_path / f"cnn-{scale}.png"
        assert cli_main(["render", cnn, "-o", str(out), "--scale", str(scale)]) == 0
        sizes[scale] = QImage(str(out)).size().toTuple()
    assert all(abs(2 * one - two) <= 1 for one, two in zip(sizes[1], sizes[2]))


@pytest.mark.filterwarnings("default")   # shown as the command shows it, not raised
def test_render_command_warns_when_the_cap_shrinks_the_picture(qapp, tmp_path, capsys):
    g = gradviz.Graph()
    g.add("input", id="x", value=[[1.0, 2.0]], pos=(0, 0))
    g.add("sum", "x", id="far", pos=(12000, 0))
    gradviz.save(g, tmp_path / "wide.gradviz")
    out = tmp_path / "wide.png"
    assert cli_main(["render", str(tmp_path / "wide.gradviz"), "-o", str(out),
                     "--scale", "2"]) == 0
    assert QImage(str(out)).width() == MAX_SIDE
    assert f"gradviz: warning: the picture would pass {MAX_SIDE} pixels a side" in \
        capsys.readouterr().err
