"""gradviz: see how gradients flow through a computation.

    import gradviz
    g = gradviz.Graph()
    x = g.add("input", id="x", value=[[1.0, 2.0]])
    c = g.add("sum", g.add("mul", x, x))
    r = g.run(device="cpu", target=c)
    r.value(c), r.grad(x)
"""
from .core.engine import Engine, RunResult
from .core.errors import DeviceError, GradvizError, GraphError, GraphFileError
from .core.fileformat import load, save
from .core.graph import Edge, Graph, Node
from .core.ops import OPS
from .core.tracing import Tracer as build
from .core.train import TrainResult, train
from .notebook import edit, graph_png, run_png

# Jupyter shows a graph, and a run, as its picture. The core stays Qt-free: the drawing
# is imported only when a notebook asks for it.
Graph._repr_png_ = graph_png
RunResult._repr_png_ = run_png

__version__ = "0.1.0"
__all__ = ["Graph", "Node", "Edge", "Engine", "RunResult", "load", "save", "OPS", "build",
           "edit", "train", "TrainResult", "GradvizError", "GraphError", "GraphFileError", "DeviceError"]
