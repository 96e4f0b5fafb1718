"""What a graph tells its listeners: one small record per kind of change. A listener
dispatches on the record's type, so a misspelt event is a NameError, not a no-op."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeEvent:
    node: object


class NodeAdded(NodeEvent):
    pass


class NodeRemoved(NodeEvent):
    pass


class ParamsChanged(NodeEvent):
    pass


class LabelChanged(NodeEvent):
    pass


class NodeMoved(NodeEvent):
    pass


class NodeCollapsed(NodeEvent):
    pass


class NodeResized(NodeEvent):
    pass


@dataclass(frozen=True)
class EdgeEvent:
    edge: object


class EdgeAdded(EdgeEvent):
    pass


class EdgeRemoved(EdgeEvent):
    pass


class EdgeRerouted(EdgeEvent):
    """Its reroute points changed (`Graph.reroutes`)."""


@dataclass(frozen=True)
class NoteEvent:
    """A frame or a comment (`gradviz.core.notes`), as it is after the change."""
    note: object


class NoteAdded(NoteEvent):
    pass


class NoteRemoved(NoteEvent):
    pass


class NoteChanged(NoteEvent):
    pass


@dataclass(frozen=True)
class TargetChanged:
    target: str | None


@dataclass(frozen=True)
class DtypeChanged:
    dtype: str


@dataclass(frozen=True)
class TrainingChanged:
    settings: object
