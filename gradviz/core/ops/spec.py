"""OpSpec: one op declared once, as data. The engine, the file format, the palette
and the properties panel all read these declarations; nothing else names an op."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import GraphError
from ..shapes import broadcast_shapes
from .params import KINDS, ParamKind


@dataclass(frozen=True)
class Param:
    """One parameter of an op. `kind` (declared by name: int, float, axis, shape, ints,
    padding, choice, array, path) checks, stores and edits its values."""
    name: str
    kind: ParamKind
    default: Any = None
    doc: str = ""
    choices: tuple = ()
    # Only meaningful when another param has one of these values, e.g. ("source", ("randn",)).
    when: tuple | None = None
    low: int | None = None
    high: int | None = None
    # The file format version that added it: a param newer than 1.0 that applies to
    # every node (no `when`) is left out of files where it holds its default, so such
    # files stay readable by the gradviz they were readable by.
    since: tuple = (1, 0)

    def __post_init__(self):
        if isinstance(self.kind, str):
            object.__setattr__(self, "kind", KINDS[self.kind])  # KeyError: a misspelt kind


def literal(value):
    """A param's value as Python source: repr, but non-finite floats as float("nan"),
    float("inf") and float("-inf") (valid in any script, whatever it imports)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, tuple):
        return "(" + ", ".join(map(literal, value)) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def broadcast_grads(params, out, *inputs):
    """`Code.grad_shapes` of elementwise ops: every gradient comes back in the broadcast
    shape of the inputs."""
    return (broadcast_shapes(*inputs),) * len(inputs)


@dataclass(frozen=True)
class Code:
    """How an op reads as code in an exported script (`gradviz.core.export`).

    Templates are format strings, or functions `(params, shapes)` returning one (shapes:
    port name or "out" -> shape). In them `{a}`, `{b}`, ... (the op's port names) stand
    for the inputs' variables, `{out}` for the op's own value, `{g}` for its gradient
    and `{param}` for a param's value written as a literal. `forward` is the value's
    expression; `grads` has one expression per input, the gradient it receives (None
    where the vjp gives none: the `no_grad` ports), in the shape `grad_shapes(params,
    out_shape, *input_shapes)` gives (default: each input's own); the exporter writes
    out the sum back to each input's shape, as the engine does. `helpers` are the
    functions the templates call, as (name, source) pairs, each after those it calls;
    `imports` the import lines they need. A torch Code needs `forward` only: the
    exported PyTorch script lets autograd differentiate it."""
    forward: str | Callable
    grads: tuple = ()
    helpers: tuple = ()
    imports: tuple = ()
    grad_shapes: Callable | None = None


@dataclass(frozen=True)
class OpSpec:
    """`shape(params, *input_shapes)` returns the output shape or raises ValueError.
    `forward(xp, *inputs, **params)` and `vjp(xp, g, out, *inputs, **params)` work in
    the array namespace `xp`; the vjp returns one gradient (or None) per input, in the
    output's broadcast shape: the engine sums each back to its input's shape.
    A source op (no inputs) has `source(params)` instead, giving a host array that the
    engine moves to the device. Inputs named in `no_grad` take no gradient (class
    labels): the vjp returns None for them."""
    name: str
    inputs: tuple
    shape: Callable
    forward: Callable | None
    vjp: Callable | None
    params: tuple = ()
    category: str = "Math"
    doc: str = ""
    title: str = ""
    source: Callable | None = None
    # complete(params) -> params: fills in what the given params imply (before checking).
    complete: Callable | None = None
    # adjust(old, new, base_dir) -> params: what a user's change of params implies.
    adjust: Callable | None = None
    no_grad: tuple = ()
    # flat = (flag, where(xp, out) -> bool array): elements where the op passes almost
    # no gradient back (a relu's zeros: "dead"; a tanh's flat ends: "saturated").
    flat: tuple = ()
    # The Python operator that builds this op in traced code ("+", "@", "unary -",
    # "**": a one-input op whose operand on the right is its first param).
    operator: str = ""
    # The op in an exported NumPy script (forward and one gradient per input) and in
    # an exported PyTorch script (forward); see Code. Every op but `input` declares
    # both (the exporter writes the input op's sources itself).
    numpy: Code | None = None
    torch: Code | None = None
    param_index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "param_index", {p.name: p for p in self.params})
        if not self.title:
            object.__setattr__(self, "title", self.name)

    def active_params(self, params):
        """The params that apply given the others' values (e.g. `seed` only for randn)."""
        return [p for p in self.params
                if p.when is None or params.get(p.when[0]) in p.when[1]]


OPS: dict[str, OpSpec] = {}
# The order in which palettes list the ops' categories.
CATEGORIES = ("Inputs", "Math", "Activation", "Reduce", "Shape", "Linear algebra",
              "Convolution", "Loss")


def op_for_operator(symbol) -> OpSpec:
    """The op a Python operator builds ("+", "@", "unary -", …), as declared."""
    return next(spec for spec in OPS.values() if spec.operator == symbol)


def register(spec: OpSpec) -> OpSpec:
    if spec.name in OPS:
        raise ValueError(f"op {spec.name!r} is declared twice")
    if spec.category not in CATEGORIES:
        raise ValueError(f"op {spec.name!r}: unknown category {spec.category!r}")
    OPS[spec.name] = spec
    return spec


def get_op(name, node=None) -> OpSpec:
    try:
        return OPS[name]
    except KeyError:
        where = f"node {node!r}: " if node is not None else ""
        raise GraphError(f"{where}unknown op {name!r} (known: {', '.join(sorted(OPS))})",
                         node=node) from None
