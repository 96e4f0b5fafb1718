"""The document: a graph, its undo stack and its file. The one place edits are pushed."""
from __future__ import annotations

import json
import os
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core import fileformat, notes
from ..core.errors import GraphError
from ..core.graph import MAX_ID_LENGTH, Graph, Node, check_params
from ..core.ops import OPS
from ..core.ops.inputs import fresh_offset
from . import commands


class Document(QObject):
    graph_replaced = Signal(object)   # a new Graph (New, Open, Revert, recovery)
    edited = Signal()                 # any change to the graph, by edit, undo or redo
    # Before any of them, and before saving: training puts its values into the graph.
    about_to_edit = Signal()
    modified_changed = Signal(bool)
    path_changed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.graph = Graph()
        self.path = None
        self.name = "Untitled"   # the title of a document with no file yet
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.indexChanged.connect(self._on_index_changed)

    def settle(self):
        """Before an edit reads the graph: whatever holds changes of its own (training)
        puts them in first."""
        self.about_to_edit.emit()

    def _on_clean_changed(self, clean):
        self.modified_changed.emit(not clean)

    def _on_index_changed(self, _index):
        self.edited.emit()

    # ---- file state -------------------------------------------------------------
    @property
    def modified(self):
        return not self.undo_stack.isClean()

    @property
    def title(self):
        return os.path.basename(self.path) if self.path else self.name

    def replace(self, graph, path=None, modified=False):
        """Show another graph (Open, New, Revert). Its undo history starts empty."""
        self.settle()
        self.graph = graph
        self.path = os.path.abspath(path) if path else None
        self.name = "Untitled"
        self.undo_stack.clear()
        if modified:  # recovered work: unsaved until the user saves it
            self.undo_stack.resetClean()
        self.graph_replaced.emit(graph)
        self.path_changed.emit(self.path or "")
        self.modified_changed.emit(self.modified)
        self.edited.emit()

    def open(self, path):
        """Load a file; on failure raise GraphFileError and keep the current document.
        Temporary files left beside it by a save that was killed are removed."""
        self.replace(fileformat.load(path), path)
        fileformat.remove_leftovers(path)

    def save(self, path=None):
        """Save (or Save As). The graph keeps resolving relative .npy paths against
        its own `base_dir`; the file gets them rewritten for its folder."""
        self.settle()
        path = os.path.abspath(path or self.path)
        fileformat.save(self.graph, path)
        if path != self.path:
            self.path = path
            self.path_changed.emit(path)
        self.undo_stack.setClean()

    # ---- edits --------------------------------------------------------------------
    def push(self, *parts, text=None, merge_key=None):
        """One undo step made of `parts` (named after the first, unless `text`), applied
        all or nothing: if a part raises, the graph and the stack stay as they were."""
        self.settle()
        step = commands.Step(text or parts[0].text, parts, merge_key)
        step.apply()
        self.undo_stack.push(step)

    def undo(self):
        """Undo the last step; on failure (GradvizError) nothing changes."""
        self.settle()
        stack = self.undo_stack
        if stack.canUndo():
            stack.command(stack.index() - 1).revert()
            stack.undo()

    def redo(self):
        self.settle()
        stack = self.undo_stack
        if stack.canRedo():
            stack.command(stack.index()).apply()
            stack.redo()

    def add_node(self, op, pos, params=None):
        node = self.graph.make_node(op, pos=pos, params=params or self._new_params(op))
        self.push(commands.AddNode(self.graph, node))
        return node.id

    def _new_params(self, op):
        """A new input draws numbers no other input of the graph draws: x, y and z
        added by hand are three different arrays, as in the seed notebook."""
        if op != "input":
            return None
        return {"offset": fresh_offset(n.params for n in self.graph.nodes.values()
                                       if n.op == "input")}

    def add_connected(self, op, pos, node_id, port, from_output):
        """A new `op` node wired to `node_id` (its output into the new node's first
        input when `from_output`, else the new node's output into its `port`), as one
        undo step; returns its id. Raises GraphError (and adds nothing) if the wire
        cannot be made."""
        node = self.graph.make_node(op, pos=pos, params=self._new_params(op))
        spec = OPS[op]
        if from_output:
            edge = (node_id, node.id, spec.inputs[0])
        else:
            edge = (node.id, node_id, port)
        self.push(commands.AddNode(self.graph, node), commands.Connect(self.graph, *edge),
                  text=f"Add {op} {node.id} and connect it")
        return node.id

    def check_connect(self, src, dst, port):
        """None if src -> dst.port may be drawn, else the reason."""
        try:
            self.graph.check_connect(src, dst, port)
        except GraphError as e:
            return str(e)
        return None

    def connect(self, src, dst, port):
        """Connect (replacing what fed dst.port); raises GraphError and changes nothing
        if the edge would make a cycle or shapes that do not fit."""
        edge = self.graph.input_edge(dst, port)
        if edge and edge.src == src:
            return
        self.graph.check_connect(src, dst, port)
        self.push(commands.Connect(self.graph, src, dst, port))

    def delete(self, node_ids=(), edges=(), reroutes=None, note_ids=()):
        """Delete nodes (with their edges), edges, reroute points (`reroutes`:
        {(dst, port): indices of the edge's points}), frames and comments, as one undo
        step."""
        node_ids = [n for n in self.graph.nodes if n in set(node_ids)]
        doomed = {e for n in node_ids for e in self.graph.edges_of(n)} | set(edges)
        gone = {(e.dst, e.port) for e in doomed}   # their points go with them
        points = {key: set(indices) for key, indices in (reroutes or {}).items()
                  if key not in gone and indices}
        routes = {key: [p for i, p in enumerate(self.graph.reroutes(*key)) if i not in indices]
                  for key, indices in points.items()}
        note_ids = [n for n in (*self.graph.frames, *self.graph.comments) if n in set(note_ids)]
        parts = self._route_parts(routes, "Delete reroute points")
        parts += [commands.Disconnect(self.graph, e)
                  for e in sorted(doomed, key=lambda e: (e.dst, e.port))]
        parts += [commands.RemoveNode(self.graph, n) for n in node_ids]
        parts += [commands.RemoveNote(self.graph, n) for n in note_ids]
        if not parts:
            return
        count = sum(map(len, points.values()))
        if len(node_ids) == 1 and not note_ids:
            what = node_ids[0]
        elif node_ids or note_ids:
            what = describe(len(node_ids), [self.graph.note(n).kind for n in note_ids])
        elif doomed:
            what = f"{len(doomed)} edge" + "s" * (len(doomed) > 1)
        else:
            what = "reroute point" + "s" * (count > 1)
        alone = len(parts) == 1 and not points
        self.push(*parts, text=parts[0].text if alone else f"Delete {what}")

    def move(self, moves, text=None, routes=None, notes=None):
        """Move nodes ({id: (old, new)}), frames and comments (`notes`, alike), and set
        edges' reroute points (`routes`: {(dst, port): new points}), as one undo step."""
        moves = {n: (old, new) for n, (old, new) in moves.items() if old != new}
        notes = {n: (old, new) for n, (old, new) in (notes or {}).items() if old != new}
        parts = [commands.Move(self.graph, moves, notes)] if moves or notes else []
        parts += self._route_parts(routes or {}, "Move reroute point")
        if parts:
            self.push(*parts, text=text or (parts[0].text if moves or notes or len(parts) == 1
                                            else "Move reroute points"))

    def add_reroutes(self, points):
        """Put a reroute point on each edge of `points`, {(dst, port): (index, (x, y))}:
        the edge passes through (x, y) before its points from `index` on. One undo step."""
        routes = {}
        for key, (index, point) in points.items():
            old = self.graph.reroutes(*key)
            routes[key] = old[:index] + ((point[0], point[1]),) + old[index:]
        if routes:
            self.push(*self._route_parts(routes, "Add reroute point"),
                      text="Add reroute point" + "s" * (len(routes) > 1))

    def _route_parts(self, routes, text):
        """One undoable change per edge whose points differ from `routes`."""
        return [commands.Change(text, self.graph.set_reroutes, dst, port, tuple(points))
                for (dst, port), points in routes.items()
                if tuple(points) != self.graph.reroutes(dst, port)]

    def nudge(self, node_ids, dx, dy, note_ids=()):
        """Move nodes, frames and comments by (dx, dy); nudges of the same things in a
        row are one undo step."""
        moves, notes = {}, {}
        for ids, out, pos_of in ((node_ids, moves, lambda n: self.graph.node(n).pos),
                                 (note_ids, notes, lambda n: self.graph.note(n).pos)):
            for key in ids:
                x, y = pos_of(key)
                out[key] = ((x, y), (x + dx, y + dy))
        if moves or notes:
            self.push(commands.Move(self.graph, moves, notes),
                      merge_key=("nudge", frozenset(node_ids), frozenset(note_ids)))

    # ---- frames and comments ----------------------------------------------------------
    def add_frame(self, rect, title="Frame"):
        """A new frame (the default color) with this rect; returns its id."""
        frame = notes.Frame(notes.free_id(self.graph, "frame"), tuple(rect), title)
        self.push(commands.AddNote(self.graph, frame))
        return frame.id

    def add_comment(self, pos, text=""):
        comment = notes.Comment(notes.free_id(self.graph, "comment"), tuple(pos), text)
        self.push(commands.AddNote(self.graph, comment))
        return comment.id

    def set_frame_colors(self, frame_ids, color):
        """Color frames (a name from `core.notes.COLORS` or #rrggbb): one undo step."""
        parts = [commands.Change("", self.graph.set_note, n, {"color": color})
                 for n in frame_ids if self.graph.frames[n].color != color]
        if parts:
            names = ", ".join(self.graph.frames[n].name for n in frame_ids[:3])
            self.push(*parts, text=f"Color {names} {color}")

    def edit_note(self, note_id, changes):
        """Change a frame's title, color or rect, or a comment's text ({field: value});
        raises GraphError (and changes nothing) for a value that is not allowed."""
        note = self.graph.note(note_id)
        changes = {k: v for k, v in changes.items() if getattr(note, k) != v}
        if not changes:
            return
        verbs = {"title": f"Rename {note.name} to {changes.get('title')}",
                 "color": f"Color {note.name} {changes.get('color')}",
                 "rect": f"Resize {note.name}", "text": f"Edit {note.name}"}
        text = verbs.get(next(iter(changes)), f"Change {note.name}")
        self.push(commands.Change(text, self.graph.set_note, note_id, changes))

    def rename(self, node_id, label):
        label = label.strip()
        if label == node_id:
            label = ""
        if label != self.graph.node(node_id).label:
            text = f"Rename {self.graph.node(node_id).title} to {label or node_id}"
            self.push(commands.Change(text, self.graph.set_label, node_id, label))

    def set_params(self, node_id, params, what="params"):
        """Raises GraphError (and changes nothing) for invalid params."""
        node = self.graph.node(node_id)
        checked = check_params(node.op, params, node_id)
        if not _same_params(checked, node.params):
            self.push(commands.Change(f"Change {what} of {node.title}", self.graph.set_params,
                                      node_id, checked))

    def set_dtype(self, dtype):
        if dtype != self.graph.dtype:
            self.push(commands.Change(f"Run in {dtype}", self.graph.set_dtype, dtype))

    def set_collapsed(self, node_ids, collapsed):
        """Collapse the nodes to their headers, or expand them: one undo step."""
        node_ids = [n for n in node_ids if self.graph.nodes[n].collapsed != collapsed]
        if node_ids:
            verb = "Collapse" if collapsed else "Expand"
            names = ", ".join(self.graph.nodes[n].title for n in node_ids[:3])
            text = f"{verb} {names}" + ("…" if len(node_ids) > 3 else "")
            self.push(*(commands.Change(text, self.graph.set_collapsed, n, collapsed)
                        for n in node_ids), text=text)

    def resize_node(self, node_id, size):
        """Give the node a (width, height), or its own size back (None): one step."""
        node = self.graph.nodes[node_id]
        if size != node.size:
            verb = "Reset size of" if size is None else "Resize"
            self.push(commands.Change(f"{verb} {node.title}", self.graph.set_size, node_id,
                                      size))

    def set_training(self, settings):
        if settings != self.graph.training:
            self.push(commands.Change(f"Training: {settings.describe()}",
                                      self.graph.set_training, settings))

    def set_inputs(self, changes, text, merge_key=None):
        """Set several inputs' params as one step ({id: new params})."""
        changes = {k: (self.graph.nodes[k].params, new) for k, new in changes.items()
                   if k in self.graph.nodes}
        if changes:
            self.push(commands.SetParams(self.graph, changes, text), merge_key=merge_key)

    def set_target(self, node_id):
        if node_id != self.graph.target:
            what = self.graph.node(node_id).title if node_id else "the single output"
            self.push(commands.Change(f"Differentiate {what}", self.graph.set_target, node_id))

    # ---- clipboard ----------------------------------------------------------------
    def copy_text(self, node_ids, note_ids=()):
        """The selected nodes with the edges among them, frames and comments, as
        graph-file JSON."""
        keep = set(node_ids)
        sub = Graph()
        for node in self.graph.nodes.values():
            if node.id in keep:
                sub.add_node(Node(node.id, node.op, dict(node.params), node.label, node.pos,
                                  collapsed=node.collapsed, size=node.size))
        for edge in self.graph.edges:
            if edge.src in keep and edge.dst in keep:
                sub.connect(edge.src, edge.dst, edge.port)
                sub.set_reroutes(edge.dst, edge.port, self.graph.reroutes(edge.dst, edge.port))
        for note in (*self.graph.frames.values(), *self.graph.comments.values()):
            if note.id in set(note_ids):
                sub.add_note(note)
        return fileformat.dumps(sub)

    def paste(self, text, at=None, place=None, verb="Paste"):
        """Add the nodes, frames and comments of graph-file JSON under fresh ids, as
        one undo step; returns the new ids. `at`: where the pasted group's top-left
        corner goes (default: 40 px from where it was); `place(group, corner)`, if
        given, may move it (group: (dx, dy, op) of each node from the corner). `verb`
        names the undo step. Raises GraphFileError for text that is not a gradviz
        graph."""
        incoming = fileformat.loads(text)
        pasted_notes = [*incoming.frames.values(), *incoming.comments.values()]
        spots = [n.pos for n in incoming.nodes.values()] + [n.pos for n in pasted_notes]
        if not spots:
            return []
        left, top = min(x for x, _ in spots), min(y for _, y in spots)
        corner = (left + 40.0, top + 40.0) if at is None else at
        if place is not None:
            corner = place([(n.pos[0] - left, n.pos[1] - top, n.op)
                            for n in incoming.nodes.values()], corner)
        offset = (corner[0] - left, corner[1] - top)
        renamed = {}
        parts = []
        taken = set(self.graph.nodes)
        for node in incoming.nodes.values():
            new_id = node.id if node.id not in taken else _fresh_id(node.id, taken)
            taken.add(new_id)
            renamed[node.id] = new_id
            pos = (node.pos[0] + offset[0], node.pos[1] + offset[1])
            copy = self.graph.make_node(node.op, new_id, node.label, pos, node.params)
            copy.collapsed, copy.size = node.collapsed, node.size
            parts.append(commands.AddNode(self.graph, copy))
        for edge in incoming.edges:
            dst = renamed[edge.dst]
            parts.append(commands.Connect(self.graph, renamed[edge.src], dst, edge.port))
            via = [(x + offset[0], y + offset[1])
                   for x, y in incoming.reroutes(edge.dst, edge.port)]
            if via:
                parts.append(commands.Change("", self.graph.set_reroutes, dst, edge.port, via))
        taken = {*self.graph.frames, *self.graph.comments}
        note_ids = []
        for note in pasted_notes:
            note_ids.append(_fresh_id(note.id, taken) if note.id in taken else note.id)
            taken.add(note_ids[-1])
            x, y = note.pos
            moved = replace(note, id=note_ids[-1], **note.at((x + offset[0], y + offset[1])))
            parts.append(commands.AddNote(self.graph, moved))
        what = describe(len(incoming.nodes), [n.kind for n in pasted_notes])
        self.push(*parts, text=f"{verb} {what}")
        return list(renamed.values()) + note_ids

    def add_planned(self, plan, positions, text):
        """Add a formula's nodes (`core.formula.Planned`) at `positions` and wire them,
        as one undo step; returns their ids. A name already taken goes to the label."""
        taken, ids, parts = set(self.graph.nodes), [], []
        for planned, pos in zip(plan, positions):
            wanted = planned.name or planned.op
            node_id = wanted if wanted not in taken and planned.name else _fresh_id(wanted, taken)
            label = planned.name if planned.name and node_id != planned.name else ""
            taken.add(node_id)
            ids.append(node_id)
            node = self.graph.make_node(planned.op, node_id, label, pos, planned.params)
            parts.append(commands.AddNode(self.graph, node))
        for planned, node_id in zip(plan, ids):
            ports = OPS[planned.op].inputs
            if len(planned.inputs) != len(ports):
                raise GraphError(f"{planned.op} takes {len(ports)} inputs, not "
                                 f"{len(planned.inputs)}")
            for ref, port in zip(planned.inputs, ports):
                src = ref if isinstance(ref, str) else ids[ref]
                parts.append(commands.Connect(self.graph, src, node_id, port))
        self.push(*parts, text=f"Formula {text}")
        return ids

    def saved_json(self):
        """The document as it would be saved (tests compare these)."""
        return json.loads(fileformat.dumps(self.graph))


def describe(node_count, note_kinds):
    """'2 nodes, 1 frame and 1 comment'."""
    counts = [(node_count, "node"), (note_kinds.count("frame"), "frame"),
              (note_kinds.count("comment"), "comment")]
    parts = [f"{count} {name}" + "s" * (count > 1) for count, name in counts if count]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def _fresh_id(node_id, taken):
    """A free id like `node_id` with a number, within the id length limit."""
    stem = node_id.rstrip("0123456789") or node_id
    i = 1
    while True:
        number = str(i)
        candidate = stem[:MAX_ID_LENGTH - len(number)] + number
        if candidate not in taken:
            return candidate
        i += 1


def _same_params(a, b):
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if hasattr(x, "shape") or hasattr(y, "shape"):
            if getattr(x, "shape", None) != getattr(y, "shape", None) or \
                    x.tobytes() != y.tobytes():
                return False
        elif x != y and not (x != x and y != y):  # NaN equals NaN here
            return False
    return True
