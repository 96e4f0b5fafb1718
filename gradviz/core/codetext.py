"""Pieces of exported code (`gradviz.core.export`): variable names made from node ids,
arrays written as exact literals, and the input op's sources written as NumPy code."""
from __future__ import annotations

import builtins
import keyword
import math
import os
import re
import unicodedata

import numpy as np

from .ops import OPS
from .ops.inputs import _resolve
from .shapes import shape_text

INLINE_LIMIT = 1000   # arrays with more elements go to the .npz beside an exported file
WIDTH = 92            # exported lines are wrapped before this many characters
# Names the exported code uses itself, besides the helpers the op table declares.
OWN_NAMES = {"np", "torch", "F", "Path", "HERE", "DATA", "_"}


def helper_names():
    return {name for spec in OPS.values() for code in (spec.numpy, spec.torch) if code
            for name, _ in code.helpers}


def _identifier(text):
    """`text` made a Python identifier: characters an identifier cannot hold become _,
    a leading digit gets an n before it; NFKC-normalized, as Python reads names."""
    name = unicodedata.normalize("NFKC", text)
    name = "".join(ch if ("_" + ch).isidentifier() else "_" for ch in name)
    if not name.isidentifier():   # empty, or it starts with a digit
        name = "n" + name
    return name


class Names:
    """The variable holding each node's value (its id, made an identifier) and each
    node's gradient (grad_ and that name); none of them shadows a keyword, a builtin,
    a module or a helper the script uses, and no two are the same."""

    def __init__(self, node_ids):
        taken = set(keyword.kwlist) | set(dir(builtins)) | OWN_NAMES | helper_names()
        self.value, self.grad = {}, {}
        for table, prefix in ((self.value, ""), (self.grad, "grad_")):
            for node_id in node_ids:
                base = prefix + _identifier(node_id)
                name, k = base, 2
                while name in taken:
                    name, k = f"{base}_{k}", k + 1
                taken.add(name)
                table[node_id] = name


def number(x):
    """A float exactly (repr), NaN and infinities as NumPy's constants."""
    x = float(x)
    if math.isfinite(x):
        return repr(x)
    return "np.nan" if math.isnan(x) else ("np.inf" if x > 0 else "-np.inf")


def _nested(array, indent):
    """Nested lists of exact numbers, a row per line where one line would be too long."""
    if array.ndim == 1:
        items = [number(x) for x in array]
    else:
        items = [_nested(sub, indent + 1) for sub in array]
    one_line = "[" + ", ".join(items) + "]"
    if "\n" not in one_line and 4 * indent + len(one_line) <= WIDTH:
        return one_line
    pad = " " * 4 * (indent + 1)
    if array.ndim > 1:
        return "[\n" + "".join(f"{pad}{item},\n" for item in items) + " " * 4 * indent + "]"
    lines, line = [], ""
    for item in items:
        if line and len(pad) + len(line) + len(item) + 2 > WIDTH:
            lines.append(line.rstrip())
            line = ""
        line += item + ", "
    lines.append(line.rstrip())
    return "[\n" + "".join(f"{pad}{x}\n" for x in lines) + " " * 4 * indent + "]"


def array_literal(array):
    """Python source that makes `array` (float64) again, every number exact."""
    array = np.asarray(array, dtype=np.float64)
    if array.size == 0:
        return f"np.zeros({array.shape!r})"
    if array.ndim == 0:
        return f"np.array({number(array)})"
    return f"np.array({_nested(array, 0)})"


class Files:
    """How exported code names files: relative to the script's folder (`HERE`, or the
    notebook's working folder) where it is known, else by absolute path."""

    def __init__(self, folder=None, notebook=False):
        self.folder, self.notebook = folder, notebook
        self.uses_here = False

    def ref(self, path):
        path = os.path.abspath(path)
        if self.folder is None:
            return repr(path)
        try:
            rel = os.path.relpath(path, self.folder)
        except ValueError:   # another drive
            return repr(path)
        if self.notebook:
            return repr(rel)
        self.uses_here = True
        return f"HERE / {rel!r}"


class Sources:
    """The input nodes as NumPy code, each as (description, lines): explicit values
    (inline, or from the .npz `data_name` when larger than INLINE_LIMIT elements),
    randn draws from NumPy's legacy stream (inputs of one seed drawn in turn, as the
    notebook drew them), fills, .npy files, and datasets and grids as their values."""

    def __init__(self, graph, names, files, data_name=None, cast=""):
        self.graph, self.names, self.files = graph, names, files
        self.data_name, self.cast = data_name, cast
        self.arrays = {}   # what goes into the .npz: variable name -> array

    def steps(self, node_ids):
        """[(description, lines)] for the given input nodes: randn inputs grouped by
        seed, in the order of their draws, then the others in the given order."""
        params = {n: self.graph.nodes[n].params for n in node_ids}
        seeds = {}
        for n in node_ids:
            if params[n]["source"] == "randn":
                seeds.setdefault(params[n]["seed"], []).append(n)
        out = [self._randn(seed, sorted(group, key=lambda n: params[n]["offset"]))
               for seed, group in seeds.items()]
        return out + [self._other(n) for n in node_ids if params[n]["source"] != "randn"]

    def _randn(self, seed, group):
        lines, drawn = [f"np.random.seed({seed})"], 0
        for n in group:
            p = self.graph.nodes[n].params
            if p["offset"] < drawn:   # draws shared with an earlier input: start again
                lines.append(f"np.random.seed({seed})")
                drawn = 0
            if p["offset"] > drawn:
                lines.append(f"_ = np.random.randn({p['offset'] - drawn})  "
                             f"# skip the next {p['offset'] - drawn} draws")
            shape = tuple(p["shape"])
            draw = (f"np.random.randn({', '.join(map(str, shape))})" if shape
                    else "np.array(np.random.randn())")
            lines.append(f"{self.names.value[n]} = {draw}{self.cast}{self._label(n)}")
            drawn = p["offset"] + math.prod(shape)
        who = ", ".join(self.names.value[n] for n in group)
        return (f"{who}: standard normals from NumPy's legacy stream, np.random.seed({seed}), "
                f"drawn in turn (np.random.randn)", lines)

    def _other(self, n):
        node = self.graph.nodes[n]
        p, name = node.params, self.names.value[n]
        source = p["source"]
        if source == "fill":
            return (f"{name}: {shape_text(p['shape'])}, every element {p['fill']!r}",
                    [f"{name} = np.full({tuple(p['shape'])!r}, {number(p['fill'])})"
                     f"{self.cast}{self._label(n)}"])
        if source == "npy":
            path = _resolve(p["path"], self.graph.base_dir)
            return (f"{name}: the file {p['path']} (loaded without pickles, as float64)",
                    [f"{name} = np.load({self.files.ref(path)}, allow_pickle=False)"
                     f".astype({'np.float64' if not self.cast else 'np.float32'})"
                     f"{self._label(n)}"])
        spec = OPS[node.op]
        array = np.asarray(p["value"] if source == "value"
                           else spec.source(p, base_dir=self.graph.base_dir))
        what = {"value": "explicit values",
                "dataset": f"the {p.get('which')} dataset's {p.get('part')} (n={p.get('n')}, "
                           f"noise={p.get('noise')}, seed={p.get('seed')}), as gradviz "
                           f"generates it",
                "grid": f"a {p.get('resolution')}×{p.get('resolution')} grid of points over "
                        f"[{p.get('low')}, {p.get('high')}]², row by row from the top"}[source]
        what = f"{name}: {what}, {shape_text(array.shape)}"
        if self.data_name is not None and array.size > INLINE_LIMIT:
            self.arrays[name] = array
            return (f"{what} (from {self.data_name})",
                    [f"{name} = DATA[{name!r}]{self.cast}{self._label(n)}"])
        return what, [f"{name} = {array_literal(array)}{self.cast}{self._label(n)}"]

    def _label(self, n):
        comment = label_comment(self.graph.nodes[n], self.names.value[n])
        return f"  # {comment}" if comment else ""


def label_comment(node, name):
    """What a line of code says about its node beyond the variable: its label, or its
    id where the variable could not be the id itself."""
    if node.label:
        return re.sub(r"\s+", " ", node.label)
    return "" if name == node.id else f"node {node.id!r}"
