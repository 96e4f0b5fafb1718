"""Undoable edits. Each edit is plain Python with redo/undo that only call the graph's
inverse-pair mutators; `Step` wraps one or more of them as one entry of the QUndoStack.
(Composing QUndoCommands as C++ parent and children crashes PySide at teardown: the
Python wrappers and the parent both think they own the children.)

A step is all or nothing: `apply` and `revert` roll back the parts already done when
one fails, and raise. The document applies or reverts a step before it moves the
stack, so a failure leaves the graph and the stack as they were; the stack's own
redo()/undo() calls then find the work done."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand


def _title(graph, node_id):
    """How the user knows a node: its label, else its id (also before it is added)."""
    node = graph.nodes.get(node_id)
    return node.title if node else node_id


class Step(QUndoCommand):
    """One undo step: `parts` redone in order, undone in reverse. Steps with the same
    `merge_key` that follow each other become one (a run of arrow-key nudges)."""

    def __init__(self, text, parts, merge_key=None):
        super().__init__(text)
        self.parts = list(parts)
        self.merge_key = merge_key
        self.applied = False

    def id(self):
        return -1 if self.merge_key is None else 1

    def mergeWith(self, other):
        if self.merge_key is None or other.merge_key != self.merge_key:
            return False
        self.parts[0].absorb(other.parts[0])
        self.setText(self.parts[0].text)
        return True

    def apply(self):
        _all_or_nothing(self.parts, "redo", "undo")
        self.applied = True

    def revert(self):
        _all_or_nothing(self.parts[::-1], "undo", "redo")
        self.applied = False

    def redo(self):
        if not self.applied:
            self.apply()

    def undo(self):
        if self.applied:
            self.revert()


def _all_or_nothing(parts, do, undo):
    done = []
    try:
        for part in parts:
            getattr(part, do)()
            done.append(part)
    except Exception:
        for part in reversed(done):
            getattr(part, undo)()
        raise


class AddNode:
    def __init__(self, graph, node):
        self.graph, self.node = graph, node
        self.text = f"Add {node.op} {node.id}"

    def redo(self):
        self.graph.add_node(self.node)

    def undo(self):
        self.graph.remove_node(self.node.id)


class RemoveNode:
    """Remove a node without edges; undo puts it back at its place in the node order."""

    def __init__(self, graph, node_id):
        self.graph, self.node_id = graph, node_id
        self.node = graph.node(node_id)
        self.index = None
        self.was_target = graph.target == node_id   # removing it clears the target
        self.text = f"Delete {self.node.title}"

    def redo(self):
        # Where it is now: earlier parts of the same step may have removed others.
        self.index = list(self.graph.nodes).index(self.node_id)
        self.graph.remove_node(self.node_id)

    def undo(self):
        self.graph.add_node(self.node, index=self.index)
        if self.was_target:
            self.graph.set_target(self.node_id)


class AddNote:
    """Add a frame or a comment (`core.notes`)."""

    def __init__(self, graph, note):
        self.graph, self.note = graph, note
        self.text = f"Add {note.name}"

    def redo(self):
        self.graph.add_note(self.note)

    def undo(self):
        self.graph.remove_note(self.note.id)


class RemoveNote:
    """Remove a frame or a comment; undo puts it back at its place in the order."""

    def __init__(self, graph, note_id):
        self.graph, self.note = graph, graph.note(note_id)
        self.index = None
        self.text = f"Delete {self.note.name}"

    def redo(self):
        self.index = list(self.graph.notes_of(self.note.kind)).index(self.note.id)
        self.graph.remove_note(self.note.id)

    def undo(self):
        self.graph.add_note(self.note, index=self.index)


class Connect:
    """Connect src -> dst.port, replacing whatever fed that port (the new edge starts
    without reroute points; undo brings the old one back with its own)."""

    def __init__(self, graph, src, dst, port):
        self.graph, self.src, self.dst, self.port = graph, src, dst, port
        self.replaced, self.replaced_via = None, ()
        self.text = f"Connect {_title(graph, src)} → {_title(graph, dst)}"

    def redo(self):
        self.replaced_via = self.graph.reroutes(self.dst, self.port)
        self.replaced = self.graph.reconnect(self.src, self.dst, self.port)

    def undo(self):  # restores what was there: no checks to refuse it
        if self.replaced:
            self.graph.reconnect(self.replaced.src, self.dst, self.port, checked=False)
            if self.replaced_via:
                self.graph.set_reroutes(self.dst, self.port, self.replaced_via)
        else:
            self.graph.disconnect(self.dst, self.port)


class Disconnect:
    """Remove an edge; undo brings it back with its reroute points."""

    def __init__(self, graph, edge):
        self.graph, self.edge, self.via = graph, edge, ()
        self.text = f"Disconnect {_title(graph, edge.src)} → {_title(graph, edge.dst)}"

    def redo(self):
        self.via = self.graph.reroutes(self.edge.dst, self.edge.port)
        self.graph.disconnect(self.edge.dst, self.edge.port)

    def undo(self):  # restores what was there: no checks to refuse it
        self.graph.connect(self.edge.src, self.edge.dst, self.edge.port, checked=False)
        if self.via:
            self.graph.set_reroutes(self.edge.dst, self.edge.port, self.via)


class Move:
    """One drag of nodes, frames and comments: {id: (old pos, new pos)} of the nodes,
    and of the frames and comments (`notes`)."""

    def __init__(self, graph, moves, notes=None):
        self.graph, self.moves, self.notes = graph, moves, dict(notes or {})
        names = [_title(graph, n) for n in moves] + [graph.note(n).name for n in self.notes]
        self.text = f"Move {', '.join(names[:3])}" + ("…" if len(names) > 3 else "")

    def redo(self):
        self._place(1)

    def undo(self):
        self._place(0)

    def _place(self, which):
        for node_id, where in self.moves.items():
            self.graph.set_pos(node_id, where[which])
        for note_id, where in self.notes.items():
            self.graph.set_note(note_id, self.graph.note(note_id).at(where[which]))

    def absorb(self, later):
        """Become this move followed by `later` (the same things)."""
        for mine, theirs in ((self.moves, later.moves), (self.notes, later.notes)):
            for key, (_, new) in theirs.items():
                mine[key] = (mine[key][0], new)


class SetParams:
    """Set several nodes' params at once, `changes` = {id: (old, new)}: training's
    values, and Reset. Training that goes on absorbs into the step before it."""

    def __init__(self, graph, changes, text):
        self.graph, self.changes, self.text = graph, changes, text

    def redo(self):
        for node_id, (_, new) in self.changes.items():
            self.graph.set_params(node_id, new)

    def undo(self):
        for node_id, (old, _) in self.changes.items():
            self.graph.set_params(node_id, old)

    def absorb(self, later):
        for node_id, (old, new) in later.changes.items():
            self.changes[node_id] = (self.changes.get(node_id, (old,))[0], new)
        self.text = later.text


class Change:
    """Set one property through a graph setter that returns the old value:
    `Change(text, graph.set_label, node_id, label)` calls set_label(node_id, label),
    and undo sets the old label back."""

    def __init__(self, text, setter, *args):
        *self.where, self.value = args
        self.text, self.setter, self.old = text, setter, None

    def redo(self):
        self.old = self.setter(*self.where, self.value)

    def undo(self):
        self.setter(*self.where, self.old)
