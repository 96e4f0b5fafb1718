"""Build a graph from NumPy-style code. Inside `with gradviz.build() as t:` inputs
are declared with `t.input(...)` (an array, or the input op's params), and Python's
operators (+ - * / @ **, unary -) and the tracer's methods (one per op in the op
table: `t.sum(x, axis=0)`, `t.tanh(x)`, `t.conv2d(x, w, stride=2)`) record nodes. Shapes are checked as each line runs, and an error names the line. When
the block ends, nodes are named after the Python variables that hold them (or their
`name=`), numbers in expressions become explicit inputs, and `t.graph` is the graph,
laid out left to right by depth."""
from __future__ import annotations

import itertools
import numbers
import sys

import numpy as np

from .errors import GraphError
from .graph import Graph, check_params
from .ops import OPS, get_op, op_for_operator

COLUMN, ROW = 260.0, 240.0   # the layout's spacing


class Traced:
    """A node being recorded: its op, inputs, params and shape."""

    __array_priority__ = 1000   # NumPy arrays on the left defer to our operators

    def __init__(self, tracer, op, inputs, params, shape, name, line):
        self.tracer, self.op, self.inputs, self.params = tracer, op, inputs, params
        self.shape, self.name, self.line = shape, name, line

    def __repr__(self):
        return f"<traced {self.op} {self.shape}>"


class Tracer:
    def __init__(self):
        self.nodes = []          # Traced, in the order they were recorded
        self.graph = None
        self._frame = None

    def __enter__(self):
        self._frame = sys._getframe(1)
        return self

    def __exit__(self, kind, error, tb):
        if kind is None:
            self.graph = self._build(self._frame.f_locals)
        self._frame = None
        return False

    def __getattr__(self, op):
        """`t.<op>(*inputs, name=None, **params)` for every op of the op table."""
        if op not in OPS or OPS[op].source:
            raise AttributeError(f"no op {op!r} to trace (ops: {', '.join(OPS)})")
        return lambda *inputs, name=None, **params: _apply(self, op, *inputs, name=name,
                                                           **params)

    def input(self, value=None, name=None, **params):
        """An input: an array (or nested lists, or a number), or the input op's
        params (source="randn", seed=0, offset=12, shape=(4, 3); fill; path)."""
        if value is not None:
            params = {**params, "value": np.asarray(value, dtype=np.float64)}
        return self._record("input", (), params, name)

    def _record(self, op, inputs, params, name=None):
        line = _caller_line()
        spec = get_op(op)
        try:
            params = check_params(op, params, name or op)
            if spec.source:
                shape = tuple(spec.shape(params))
            else:
                shape = tuple(spec.shape(params, *(i.shape for i in inputs)))
        except (GraphError, ValueError) as e:
            raise GraphError(f"line {line}: {op}: {e}") from None
        node = Traced(self, op, tuple(inputs), params, shape, name, line)
        self.nodes.append(node)
        return node

    def _operand(self, x):
        """A traced node, or a number or array made an explicit input."""
        if isinstance(x, Traced):
            if x.tracer is not self:
                raise GraphError("a value from another tracing block")
            return x
        if isinstance(x, (numbers.Real, np.ndarray, list, tuple)):
            return self._record("input", (), {"value": np.asarray(x, dtype=np.float64)})
        raise GraphError(f"line {_caller_line()}: cannot trace a {type(x).__name__}")

    def _build(self, names):
        """The graph: ids from `name=`, else the variables holding the nodes, else
        fresh; positions by depth."""
        by_node = {}
        for var, value in names.items():
            if isinstance(value, Traced) and value.tracer is self and not var.startswith("_"):
                by_node.setdefault(id(value), var)
        graph = Graph()
        ids, depth, taken = {}, {}, set()
        fresh = itertools.count(1)
        per_column = {}
        for node in self.nodes:
            wanted = node.name or by_node.get(id(node))
            if wanted is None or wanted in taken:
                wanted = _fresh(node.op if node.op != "input" else "const", taken, fresh)
            taken.add(wanted)
            ids[id(node)] = wanted
            depth[id(node)] = 1 + max((depth[id(i)] for i in node.inputs), default=-1)
            column = depth[id(node)]
            row = per_column.get(column, 0)
            per_column[column] = row + 1
            graph.add_node(graph.make_node(node.op, wanted, pos=(COLUMN * column, ROW * row),
                                           params=node.params))
            for src, port in zip(node.inputs, OPS[node.op].inputs):
                graph.connect(ids[id(src)], wanted, port)
        return graph


def _fresh(stem, taken, counter):
    while True:
        candidate = f"{stem}{next(counter)}"
        if candidate not in taken:
            return candidate


def _caller_line():
    """The line of the traced code (the first frame outside this module)."""
    frame = sys._getframe(1)
    while frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_lineno


def _apply(tracer, op, *operands, name=None, **params):
    return tracer._record(op, tuple(tracer._operand(x) for x in operands), params, name)


def _binary(symbol, reflected=False):
    def method(self, other):
        spec = op_for_operator(symbol)
        if len(spec.inputs) == 1:    # x ** 2: the right operand is the op's param
            if reflected or isinstance(other, Traced):
                raise GraphError(f"line {_caller_line()}: {symbol} takes a number on the "
                                 "right")
            return _apply(self.tracer, spec.name, self,
                          **{spec.params[0].name: float(other)})
        return _apply(self.tracer, spec.name, *((other, self) if reflected else (self, other)))
    return method


for _symbol, _method in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"),
                         ("@", "matmul"), ("**", "pow")):
    setattr(Traced, f"__{_method}__", _binary(_symbol))
    setattr(Traced, f"__r{_method}__", _binary(_symbol, reflected=True))
Traced.__neg__ = lambda self: _apply(self.tracer, op_for_operator("unary -").name, self)
