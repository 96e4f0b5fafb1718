"""The core never imports Qt: it must work where no GUI library exists."""
import subprocess
import sys

BLOCK_QT = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import gradviz, gradviz.report, gradviz.cli
from gradviz.core import devices, engine, export, fileformat, graph, ops, shapes, examples
g = gradviz.load(examples.example_path('seed'))
print(float(g.run().value('c')))
assert 'grad_x = grad_a * y' in export.to_numpy(g) + export.to_torch(g)
assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]
"""


def test_core_imports_and_runs_with_qt_blocked():
    out = subprocess.run([sys.executable, "-c", BLOCK_QT], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "6.770325017108724"
