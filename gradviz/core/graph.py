"""The graph model: nodes, edges, validation and change events. Plain Python.

Mutators come in inverse pairs (add_node/remove_node, connect/disconnect, and setters
that return the old value), so an editor's undo commands only ever call them."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace

from . import events
from .errors import GraphError, check_text
from .ops import coerce, get_op
from .optim import TrainSettings
from .validation import Validation, is_shape_error

_revisions = itertools.count(1)
MAX_ID_LENGTH = 100
MAX_COORDINATE = 1e6    # node positions stay within ±this on both axes
MAX_NODE_SIZE = 10000   # a resized node's width and height are at most this
MAX_REROUTES = 100      # the points one edge may be routed through
DTYPES = ("float64", "float32")   # the precisions a graph may run in; the first is the default


def _check_text(text, what, node_id):
    try:
        return check_text(text, what)
    except ValueError as e:
        raise GraphError(str(e), node=node_id) from None


def _bounded(pos):
    """(x, y) as floats, each clamped to ±MAX_COORDINATE."""
    return tuple(min(max(float(v), -MAX_COORDINATE), MAX_COORDINATE) for v in pos[:2])


def checked_size(size):
    """A node size as (width, height) floats, each from 1 to MAX_NODE_SIZE, or None."""
    if size is None:
        return None
    try:
        width, height = (float(v) for v in size)
    except (TypeError, ValueError):
        raise GraphError(f"a node size is (width, height), not {size!r}") from None
    if not all(1 <= v <= MAX_NODE_SIZE for v in (width, height)):   # NaN fails too
        raise GraphError(f"a node's width and height are from 1 to {MAX_NODE_SIZE}, "
                         f"not {width:g} and {height:g}")
    return width, height


def _place(mapping, index):
    """Move the entry added last to `mapping` to `index` (undo puts things back at
    their old place in the order), in place."""
    if index is not None and index < len(mapping) - 1:
        items = list(mapping.items())
        items.insert(index, items.pop())
        mapping.clear()
        mapping.update(items)


@dataclass
class Node:
    id: str
    op: str
    params: dict
    label: str = ""
    pos: tuple = (0.0, 0.0)
    # A process-wide unique number, renewed on every param change: the engine's cache key.
    rev: int = field(default_factory=lambda: next(_revisions))
    collapsed: bool = False   # shown as its header alone
    size: tuple | None = None   # (width, height) the user gave it; None: the editor's own

    @property
    def title(self):
        return self.label or self.id


@dataclass(frozen=True)
class Edge:
    """From `src`'s output to input `port` of `dst`."""
    src: str
    dst: str
    port: str


def check_params(op, params, node=None):
    """Params of `op` completed with defaults and validated; GraphError names the param."""
    spec = get_op(op, node)
    if spec.complete:
        params = spec.complete(params)
    unknown = set(params) - set(spec.param_index)
    if unknown:
        raise GraphError(f"node {node!r}: {op} has no param {sorted(unknown)[0]!r}", node=node)
    result = {}
    for p in spec.params:
        value = params.get(p.name, p.default)
        active = p.when is None or (result.get(p.when[0]) in p.when[1])
        if not active and p.name not in params:
            continue
        if value is None and not p.kind.optional:
            raise GraphError(f"node {node!r}: param {p.name!r} is required", node=node)
        try:
            result[p.name] = coerce(p, value)
        except ValueError as e:
            raise GraphError(f"node {node!r}: {e}", node=node) from None
    return result


class Graph(Validation):
    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.frames = {}     # id -> notes.Frame, in drawing order
        self.comments = {}   # id -> notes.Comment
        self._in: dict[tuple, Edge] = {}      # (dst, port) -> edge
        self._out: dict[str, list] = {}       # src -> edges, in connection order
        self._via: dict[tuple, tuple] = {}    # (dst, port) -> the edge's reroute points
        self.target: str | None = None
        self.dtype = DTYPES[0]
        self.training = TrainSettings()
        self.description = ""
        self._base_dir: str | None = None
        self._shapes = {}                     # node id -> (shape or None, own GraphError or None)
        # Renewed (process-wide unique) by every change the engine cares about.
        self.revision = next(_revisions)
        self._listeners = []
        self._engine = None
        self._id_counters = {}

    # ---- events -------------------------------------------------------------------
    def subscribe(self, listener):
        """`listener(event)` after every change, with an event record from
        `gradviz.core.events` (NodeAdded, EdgeRemoved, ParamsChanged, ...)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener):
        self._listeners.remove(listener)

    def _emit(self, event):
        for listener in list(self._listeners):
            listener(event)

    def _touch(self):
        self.revision = next(_revisions)

    # ---- queries ------------------------------------------------------------------
    @property
    def edges(self):
        return list(self._in.values())

    def node(self, node_id) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"no node {node_id!r}", node=node_id) from None

    def input_edge(self, node_id, port):
        return self._in.get((node_id, port))

    def inputs_of(self, node_id):
        """Source node ids in port order (None where a port is unconnected)."""
        ports = get_op(self.node(node_id).op).inputs
        return [e.src if (e := self._in.get((node_id, p))) else None for p in ports]

    def reroutes(self, dst, port) -> tuple:
        """The (x, y) points the edge into dst.port passes through, in order."""
        return self._via.get((dst, port), ())

    def out_edges(self, node_id):
        return list(self._out.get(node_id, ()))

    def edges_of(self, node_id):
        """Every edge touching the node, inputs first."""
        spec = get_op(self.node(node_id).op)
        ins = [e for p in spec.inputs if (e := self._in.get((node_id, p)))]
        return ins + [e for e in self.out_edges(node_id) if e not in ins]

    def sinks(self):
        return [n for n in self.nodes if not self._out.get(n)]

    def new_id(self, op):
        """A free id such as 'mul3'. Counting resumes where it stopped (no O(n) scan)."""
        i = self._id_counters.get(op, 0)
        while True:
            i += 1
            candidate = f"{op}{i}"
            if candidate not in self.nodes:
                self._id_counters[op] = i
                return candidate

    def downstream(self, node_id):
        """The node and everything that depends on it (iterative, no recursion limit)."""
        seen = {node_id}
        stack = [node_id]
        while stack:
            for edge in self._out.get(stack.pop(), ()):
                if edge.dst not in seen:
                    seen.add(edge.dst)
                    stack.append(edge.dst)
        return seen

    def upstream(self, node_id):
        seen = {node_id}
        stack = [node_id]
        while stack:
            current = stack.pop()
            for port in get_op(self.nodes[current].op).inputs:
                edge = self._in.get((current, port))
                if edge and edge.src not in seen:
                    seen.add(edge.src)
                    stack.append(edge.src)
        return seen

    def topo_order(self):
        """Node ids, every node after its inputs (Kahn's algorithm; iterative)."""
        pending = {n: 0 for n in self.nodes}
        for edge in self._in.values():
            pending[edge.dst] += 1
        ready = [n for n, count in pending.items() if count == 0]
        ready.reverse()
        order = []
        while ready:
            current = ready.pop()
            order.append(current)
            for edge in self._out.get(current, ()):
                pending[edge.dst] -= 1
                if pending[edge.dst] == 0:
                    ready.append(edge.dst)
        if len(order) != len(self.nodes):
            stuck = next(n for n, count in pending.items() if count > 0)
            raise GraphError(f"node {stuck!r} is part of a cycle", node=stuck)
        return order

    # ---- mutators (inverse pairs) --------------------------------------------------
    def make_node(self, op, id=None, label="", pos=(0.0, 0.0), params=None) -> Node:
        """A checked Node, not yet in the graph."""
        node_id = self.new_id(op) if id is None else id
        if not isinstance(node_id, str) or not node_id or len(node_id) > MAX_ID_LENGTH:
            raise GraphError(f"node id must be a non-empty string of at most {MAX_ID_LENGTH} "
                             f"characters, not {node_id!r}", node=node_id)
        if not isinstance(label, str):
            raise GraphError(f"node {node_id!r}: label must be a string", node=node_id)
        _check_text(node_id, "node id", node_id)
        _check_text(label, f"node {node_id!r}: label", node_id)
        params = check_params(op, dict(params or {}), node_id)
        return Node(node_id, op, params, label, _bounded(pos))

    def add_node(self, node: Node, index=None):
        """Add a node; `index` puts it back at its old place in the node order (undo)."""
        if node.id in self.nodes:
            raise GraphError(f"duplicate node id {node.id!r}", node=node.id)
        get_op(node.op, node.id)
        self.nodes[node.id] = node
        _place(self.nodes, index)
        self._touch()
        self._emit(events.NodeAdded(node))
        return node

    def remove_node(self, node_id) -> Node:
        """Remove a node that has no edges left (disconnect them first)."""
        node = self.node(node_id)
        if self.edges_of(node_id):
            raise GraphError(f"node {node_id!r} still has edges", node=node_id)
        del self.nodes[node_id]
        self._out.pop(node_id, None)
        self._shapes.pop(node_id, None)
        if self.target == node_id:
            self.target = None
        self._touch()
        self._emit(events.NodeRemoved(node))
        return node

    def check_connect(self, src, dst, port):
        """Raise GraphError if src -> dst.port may not be drawn: unknown node or port,
        a cycle, or shapes that would no longer fit anywhere downstream."""
        self.node(src)
        spec = get_op(self.node(dst).op)
        if port not in spec.inputs:
            raise GraphError(f"node {dst!r} ({spec.name}) has no input {port!r}",
                             node=dst, port=port)
        region = self.downstream(dst)
        if src in region:
            raise GraphError(f"connecting {src} → {dst}.{port} would make a cycle",
                             node=dst, port=port)
        before = {n: self._shape_of(n) for n in region}
        old = self._in.get((dst, port))
        self._in[(dst, port)] = Edge(src, dst, port)  # tentatively; nothing else sees it
        try:
            for n in region:
                del self._shapes[n]
            after = {n: self._shape_of(n)[1] for n in region}
        finally:
            if old is None:
                del self._in[(dst, port)]
            else:
                self._in[(dst, port)] = old
            self._shapes.update(before)
        broken = [n for n, error in after.items()
                  if is_shape_error(error) and not is_shape_error(before[n][1])]
        if broken:
            first = dst if dst in broken else broken[0]
            raise GraphError(str(after[first]), node=dst, port=port)

    def connect(self, src, dst, port, checked=True) -> Edge:
        """Connect src's output to dst.port, which must be free. checked=False (undo
        restoring an edge that was there) skips the cycle and shape checks."""
        if (dst, port) in self._in:
            raise GraphError(f"input {dst}.{port} is already connected", node=dst, port=port)
        if checked:
            self.check_connect(src, dst, port)
        else:
            self.node(src)
            self.node(dst)
        edge = Edge(src, dst, port)
        self._in[(dst, port)] = edge
        self._out.setdefault(src, []).append(edge)
        self._forget_shapes(dst)
        self._touch()
        self._emit(events.EdgeAdded(edge))
        return edge

    def reconnect(self, src, dst, port, checked=True) -> Edge | None:
        """Connect src's output to dst.port in place of whatever fed it (checked as one
        change, unless restoring); returns the replaced edge, or None. Its inverse is
        reconnecting the old source, or disconnecting."""
        old = self._in.get((dst, port))
        if old is None:
            self.connect(src, dst, port, checked)
            return None
        if checked:
            self.check_connect(src, dst, port)   # with the old edge replaced, tentatively
        self.disconnect(dst, port)
        self.connect(src, dst, port, checked=False)
        return old

    def disconnect(self, dst, port) -> Edge:
        edge = self._in.pop((dst, port), None)
        if edge is None:
            raise GraphError(f"input {dst}.{port} is not connected", node=dst, port=port)
        self._out[edge.src].remove(edge)
        self._via.pop((dst, port), None)   # an edge drawn into the port again starts straight
        self._forget_shapes(dst)
        self._touch()
        self._emit(events.EdgeRemoved(edge))
        return edge

    def set_params(self, node_id, params) -> dict:
        """Replace a node's params (checked); returns the old ones."""
        node = self.node(node_id)
        new = check_params(node.op, params, node_id)
        old, node.params, node.rev = node.params, new, next(_revisions)
        self._reshape(node_id)
        self._touch()
        self._emit(events.ParamsChanged(node))
        return old

    def set_label(self, node_id, label) -> str:
        node = self.node(node_id)
        label = _check_text(str(label), f"node {node_id!r}: label", node_id)
        old, node.label = node.label, label
        self._emit(events.LabelChanged(node))
        return old

    def set_pos(self, node_id, pos) -> tuple:
        node = self.node(node_id)
        old, node.pos = node.pos, _bounded(pos)
        self._emit(events.NodeMoved(node))
        return old

    def set_collapsed(self, node_id, collapsed) -> bool:
        """Show the node as its header alone, or whole (no run changes: the revision
        stays)."""
        node = self.node(node_id)
        old, node.collapsed = node.collapsed, bool(collapsed)
        self._emit(events.NodeCollapsed(node))
        return old

    def set_size(self, node_id, size) -> tuple | None:
        """The node's (width, height) on the canvas, or None for the editor's own (no
        run changes: the revision stays)."""
        node = self.node(node_id)
        old, node.size = node.size, checked_size(size)
        self._emit(events.NodeResized(node))
        return old

    def set_reroutes(self, dst, port, points) -> tuple:
        """Route the edge into dst.port through `points`, (x, y) pairs bounded like node
        positions; returns the old ones. Drawing only: the revision stays."""
        edge = self._in.get((dst, port))
        if edge is None:
            raise GraphError(f"input {dst}.{port} is not connected", node=dst, port=port)
        points = tuple(_bounded(p) for p in points)
        if len(points) > MAX_REROUTES or not all(
                len(p) == 2 and math.isfinite(p[0]) and math.isfinite(p[1]) for p in points):
            raise GraphError(f"edge into {dst}.{port}: at most {MAX_REROUTES} reroute points, "
                             "each two finite numbers", node=dst, port=port)
        old = self._via.pop((dst, port), ())
        if points:
            self._via[(dst, port)] = points
        self._emit(events.EdgeRerouted(edge))
        return old

    def set_target(self, node_id):
        if node_id is not None:
            self.node(node_id)
        old, self.target = self.target, node_id
        self._touch()
        self._emit(events.TargetChanged(node_id))
        return old

    def set_dtype(self, dtype):
        if dtype not in DTYPES:
            raise GraphError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
        old, self.dtype = self.dtype, dtype
        self._touch()
        self._emit(events.DtypeChanged(dtype))
        return old

    def set_training(self, settings: TrainSettings):
        """Training settings are saved with the graph but change no run's result, so
        the revision stays."""
        old, self.training = self.training, settings
        self._emit(events.TrainingChanged(settings))
        return old

    # ---- frames and comments (see `notes`): no run depends on them, the revision stays
    def notes_of(self, kind):
        """The frames, or the comments (`kind`: "frame" or "comment")."""
        return self.frames if kind == "frame" else self.comments

    def note(self, note_id):
        """The frame or comment with this id."""
        note = self.frames.get(note_id) or self.comments.get(note_id)
        if note is None:
            raise GraphError(f"no frame or comment {note_id!r}")
        return note

    def add_note(self, note, index=None):
        """Add a frame or comment; `index` puts it back at its old place (undo)."""
        if note.id in self.frames or note.id in self.comments:
            raise GraphError(f"duplicate frame or comment id {note.id!r}")
        notes = self.notes_of(note.kind)
        notes[note.id] = note
        _place(notes, index)
        self._emit(events.NoteAdded(note))
        return note

    def remove_note(self, note_id):
        note = self.note(note_id)
        del self.notes_of(note.kind)[note_id]
        self._emit(events.NoteRemoved(note))
        return note

    def set_note(self, note_id, changes) -> dict:
        """Change fields of a frame or comment ({"title": "Loss"}, checked); returns
        the old values of those fields."""
        note = self.note(note_id)
        if "id" in changes:
            raise GraphError(f"{note.kind} {note_id!r}: an id does not change")
        try:
            new = replace(note, **changes)
        except (TypeError, ValueError) as e:
            raise GraphError(f"{note.kind} {note_id!r}: {e}") from None
        self.notes_of(note.kind)[note_id] = new
        self._emit(events.NoteChanged(new))
        return {key: getattr(note, key) for key in changes}

    # ---- convenience API ---------------------------------------------------------
    def add(self, op, *inputs, id=None, label="", pos=(0.0, 0.0), **params):
        """Add a node wired to `inputs` (node ids, in port order); returns its id."""
        spec = get_op(op)
        if len(inputs) > len(spec.inputs):
            raise GraphError(f"{op} takes {len(spec.inputs)} inputs, got {len(inputs)}")
        node = self.add_node(self.make_node(op, id, label, pos, params))
        try:
            for src, port in zip(inputs, spec.inputs):
                self.connect(src, node.id, port)
        except GraphError:
            self.remove(node.id)
            raise
        return node.id

    def remove(self, node_id):
        """Remove a node with its edges."""
        for edge in self.edges_of(node_id):
            self.disconnect(edge.dst, edge.port)
        self.remove_node(node_id)

    def run(self, device="cpu", target=None, memory_budget=None, trace=False):
        """Forward and backward; see `gradviz.core.engine.Engine.run`."""
        from .engine import Engine
        if self._engine is None:
            self._engine = Engine()
        return self._engine.run(self, device=device, target=target,
                                memory_budget=memory_budget, trace=trace)

    def copy(self) -> Graph:
        """An independent graph with the same content (arrays are shared: never mutated)."""
        other = Graph()
        for node in self.nodes.values():
            other.nodes[node.id] = Node(node.id, node.op, dict(node.params), node.label,
                                        node.pos, node.rev, node.collapsed, node.size)
        for edge in self._in.values():
            other._in[(edge.dst, edge.port)] = edge
            other._out.setdefault(edge.src, []).append(edge)
        other._via = dict(self._via)
        other.frames, other.comments = dict(self.frames), dict(self.comments)   # frozen
        other.target, other.dtype, other.training = self.target, self.dtype, self.training
        other.description, other._base_dir = self.description, self._base_dir
        other._shapes = dict(self._shapes)
        other.revision = self.revision
        return other
