"""Views: the ways a run can be shown on the canvas, declared once. The CLI's --view,
the editor's toolbar, menu, keys and legend all read this registry; a new view is one
declaration here plus its painter in the GUI (`gradviz.gui.painters`).

A view says what it needs from a run: which arrays each node shows (`arrays`, left to
right), what an edge's badge shows (`edge_array`: the value it carries or the gradient
flowing back through it), and how they are reduced for display (`reduce`, run on the
device in the worker thread). How it is painted is the painter's business."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import GradvizError
from .preview import Previews

NAMES = {"value": "value", "grad": "gradient"}   # what each array is called on screen


def block_means(previews: Previews, node_id, kind, max_rows, max_cols):
    """The node's array as block means in at most max_rows x max_cols cells."""
    return previews.node(node_id, kind, max_rows, max_cols)


@dataclass(frozen=True)
class View:
    name: str                 # as typed: --view NAME
    title: str                # as shown: menu, toolbar
    key: str                  # its shortcut
    doc: str
    arrays: tuple             # per node, left to right: "value", "grad"
    edge_array: str           # on edges: "value" carried, or "grad" flowing back
    reduce: Callable = block_means
    painter: str = "heatmap"
    colormap: str = "diverging"   # or "sequential", for magnitudes from 0 up
    missing: str = "no gradient"  # what a node without the array says
    instrument: str = ""          # an instrument whose results it shows ("check")


VIEWS: dict[str, View] = {}


def register_view(view: View) -> View:
    if view.name in VIEWS:
        raise ValueError(f"view {view.name!r} is declared twice")
    VIEWS[view.name] = view
    return view


def get_view(name) -> View:
    try:
        return VIEWS[name]
    except KeyError:
        raise GradvizError(f"unknown view {name!r} (known: {', '.join(VIEWS)})") from None


register_view(View("values", "Values", "1", "Each node's value", ("value",), "value"))
register_view(View("grads", "Gradients", "2", "Each node's gradient", ("grad",), "grad"))
register_view(View("both", "Both", "3", "Each node's value and gradient side by side",
                   ("value", "grad"), "grad"))
register_view(View("check", "Gradient Check", "4",
                   "Each checked node's gradient error against central differences",
                   ("error",), "grad", colormap="sequential", missing="not checked",
                   instrument="check"))
register_view(View("compare", "Compare", "5",
                   "Each node's difference between two settings (Run ▸ Compare)",
                   ("value diff", "grad diff"), "grad", colormap="sequential",
                   missing="not compared", instrument="compare"))
