"""OpSpec: one op declared once, as data. The engine, the file format, the palette
and the properties panel all read these declarations; nothing else names an op."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import GraphError

MAX_ELEMENTS = 2 ** 27  # 1 GiB of float64: the largest array a source may declare


@dataclass(frozen=True)
class Param:
    """One parameter of an op. `kind` picks validation and the editor widget:
    int, float, axis (int or None), shape (tuple of ints), choice, array, path."""
    name: str
    kind: str
    default: Any = None
    doc: str = ""
    choices: tuple = ()
    # Only meaningful when another param has one of these values, e.g. ("source", ("randn",)).
    when: tuple | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class OpSpec:
    """`shape(params, *input_shapes)` returns the output shape or raises ValueError.
    `forward(xp, *inputs, **params)` and `vjp(xp, g, out, *inputs, **params)` work in
    the array namespace `xp`; the vjp returns one gradient (or None) per input, in the
    output's broadcast shape: the engine sums each back to its input's shape.
    A source op (no inputs) has `source(params)` instead, giving a host array that the
    engine moves to the device."""
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


def register(spec: OpSpec) -> OpSpec:
    if spec.name in OPS:
        raise ValueError(f"op {spec.name!r} is declared twice")
    OPS[spec.name] = spec
    return spec


def get_op(name, node=None) -> OpSpec:
    try:
        return OPS[name]
    except KeyError:
        where = f"node {node!r}: " if node is not None else ""
        raise GraphError(f"{where}unknown op {name!r} (known: {', '.join(sorted(OPS))})",
                         node=node) from None
