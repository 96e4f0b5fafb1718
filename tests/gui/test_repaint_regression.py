"""PySide6-Essentials 6.12.0 aborted CPython < 3.12 after a few hundred repaints
(`Fatal Python error: bool_dealloc`). Repaint a pyqtgraph image thousands of times in a
child process: a crash there fails this test instead of killing the suite."""
import subprocess
import sys

SCRIPT = """
import numpy as np, pyqtgraph as pg
from PySide6 import QtGui, QtWidgets
app = QtWidgets.QApplication([])
item = pg.ImageItem(axisOrder="row-major")
scene = QtWidgets.QGraphicsScene()
scene.addItem(item)
image = QtGui.QImage(64, 64, QtGui.QImage.Format.Format_ARGB32)
painter = QtGui.QPainter(image)
rng = np.random.default_rng(0)
for i in range(3000):
    item.setImage(rng.standard_normal((8, 8)), levels=(-2, 2))
    scene.render(painter)
painter.end()
print("ok", i + 1)
"""


def test_thousands_of_repaints_do_not_abort():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=300, env={**__import__("os").environ,
                                           "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ok", "3000"]
