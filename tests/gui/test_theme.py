"""Light and dark: View ▸ Theme (saved), or the desktop's color scheme followed."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from gradviz.gui import theme


@pytest.fixture(autouse=True)
def dark_afterwards():
    yield
    theme.use("dark")
    theme.apply_app_style(QApplication.instance())


def canvas_color(window):
    """The canvas's color in an empty corner of the view, as painted."""
    image = window.view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return image.pixelColor(QPoint(3, image.height() - 3)).name()


def test_the_theme_menu_switches_and_is_remembered(window, qtbot, make_window):
    assert canvas_color(window) == theme.SCHEMES["dark"]["CANVAS"]
    window.act_themes["light"].trigger()
    assert canvas_color(window) == theme.SCHEMES["light"]["CANVAS"]
    assert QApplication.instance().palette().window().color().name() == \
        theme.SCHEMES["light"]["window"]
    assert window.settings.value("theme") == "light"
    again = make_window()   # a new window reads the setting
    assert again.act_themes["light"].isChecked()
    window.act_themes["dark"].trigger()
    assert canvas_color(window) == theme.SCHEMES["dark"]["CANVAS"]


def test_following_the_system_follows_the_desktop(window, qtbot):
    """The offscreen platform has no desktop scheme to change: Qt's signal that the
    desktop's scheme changed is sent as the platform would send it."""
    window.act_themes["system"].trigger()
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.scheme == "light"
    assert canvas_color(window) == theme.SCHEMES["light"]["CANVAS"]
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.scheme == "dark"
    window.act_themes["light"].trigger()   # a choice outranks the desktop
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.scheme == "light"


def test_the_inspector_reads_in_the_light_theme(window, qtbot):
    """Its statistics kept the dark theme's light grey text on the light panel."""
    window.act_themes["light"].trigger()
    window.select(["a"])
    label = window.inspector.stats["value"]
    assert "min" in label.text()
    text = label.palette().color(label.foregroundRole())
    panel = window.inspector.palette().color(window.inspector.backgroundRole())
    assert text.name() == theme.SCHEMES["light"]["TEXT"]
    assert abs(text.lightness() - panel.lightness()) > 120
