"""The instruments in the editor: health marks and their thresholds, the gradient
check with progress and Cancel."""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from gradviz.core.examples import example_path
from gradviz.gui.health_dialog import ThresholdsDialog


def test_health_marks_show_on_the_nodes_and_in_the_legend(make_window, qtbot):
    window = make_window(str(example_path("vanishing")))
    x = window.scene.nodes["x"]
    assert [f.name for f in x.health] == ["vanishing"]
    assert "↓ vanishing: gradient RMS is" in x.toolTip()
    assert [f.name for f in window.scene.nodes["s6"].health] == ["saturated"]
    assert window.scene.legend["health"].startswith("↓ 15 vanishing")


def test_the_seed_graph_has_no_marks(window):
    assert all(item.health == [] for item in window.scene.nodes.values())
    assert window.scene.legend["health"] == ""


def test_thresholds_are_set_in_their_dialog(make_window, qtbot):
    window = make_window(str(example_path("vanishing")))

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ThresholdsDialog):
            QTimer.singleShot(20, answer)
            return
        field = dialog.fields["vanishing"]
        field.selectAll()
        QTest.keyClicks(field, "1e-20")
        QTest.keyClick(field, Qt.Key.Key_Return)
    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        window.act_thresholds.trigger()
    assert window.scene.nodes["x"].health == []
    assert float(window.settings.value("health/vanishing")) == 1e-20


def test_a_threshold_that_is_not_a_number_is_refused_in_the_dialog(window, qtbot):
    dialog = ThresholdsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.findChildren(QLineEdit)[2]    # dead
    field.selectAll()
    QTest.keyClicks(field, "often")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert dialog.result() == 0 and "dead: 'often'" in dialog.error.text()
