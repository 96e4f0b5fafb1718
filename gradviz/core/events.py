"""What a graph tells its listeners: one small record per kind of change. A listener
dispatches on the record's type, so a misspelt event is a NameError, not a no-op."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeAdded:
    node: object


@dataclass(frozen=True)
class NodeRemoved:
    node: object


@dataclass(frozen=True)
class EdgeAdded:
    edge: object


@dataclass(frozen=True)
class EdgeRemoved:
    edge: object


@dataclass(frozen=True)
class ParamsChanged:
    node: object


@dataclass(frozen=True)
class LabelChanged:
    node: object


@dataclass(frozen=True)
class NodeMoved:
    node: object


@dataclass(frozen=True)
class TargetChanged:
    target: str | None


@dataclass(frozen=True)
class DtypeChanged:
    dtype: str
