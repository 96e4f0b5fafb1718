"""Undoable edits. redo/undo only call the graph's inverse-pair mutators."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand


def _title(graph, node_id):
    """How the user knows a node: its label, else its id (also before it is added)."""
    node = graph.nodes.get(node_id)
    return node.title if node else node_id


class AddNode(QUndoCommand):
    def __init__(self, graph, node, parent=None):
        super().__init__(f"Add {node.op} {node.id}", parent)
        self.graph, self.node = graph, node

    def redo(self):
        self.graph.add_node(self.node)

    def undo(self):
        self.graph.remove_node(self.node.id)


class RemoveNode(QUndoCommand):
    """Remove a node without edges; undo puts it back at its place in the node order."""

    def __init__(self, graph, node_id, parent=None):
        super().__init__(f"Delete {node_id}", parent)
        self.graph, self.node_id = graph, node_id
        self.node = graph.node(node_id)
        self.index = list(graph.nodes).index(node_id)

    def redo(self):
        self.graph.remove_node(self.node_id)

    def undo(self):
        self.graph.add_node(self.node, index=self.index)


class Connect(QUndoCommand):
    """Connect src -> dst.port, replacing whatever fed that port."""

    def __init__(self, graph, src, dst, port, parent=None):
        super().__init__(f"Connect {_title(graph, src)} → {_title(graph, dst)}", parent)
        self.graph, self.src, self.dst, self.port = graph, src, dst, port
        self.replaced = graph.input_edge(dst, port)

    def redo(self):
        if self.replaced:
            self.graph.disconnect(self.dst, self.port)
        self.graph.connect(self.src, self.dst, self.port)

    def undo(self):
        self.graph.disconnect(self.dst, self.port)
        if self.replaced:
            self.graph.connect(self.replaced.src, self.dst, self.port)


class Disconnect(QUndoCommand):
    def __init__(self, graph, edge, parent=None):
        super().__init__(f"Disconnect {_title(graph, edge.src)} → {_title(graph, edge.dst)}",
                         parent)
        self.graph, self.edge = graph, edge

    def redo(self):
        self.graph.disconnect(self.edge.dst, self.edge.port)

    def undo(self):
        self.graph.connect(self.edge.src, self.edge.dst, self.edge.port)


class Move(QUndoCommand):
    """One drag of one or more nodes: {id: (old pos, new pos)}."""

    def __init__(self, graph, moves, parent=None):
        names = ", ".join(list(moves)[:3]) + ("…" if len(moves) > 3 else "")
        super().__init__(f"Move {names}", parent)
        self.graph, self.moves = graph, moves

    def redo(self):
        for node_id, (_, new) in self.moves.items():
            self.graph.set_pos(node_id, new)

    def undo(self):
        for node_id, (old, _) in self.moves.items():
            self.graph.set_pos(node_id, old)


class Rename(QUndoCommand):
    def __init__(self, graph, node_id, label, parent=None):
        super().__init__(f"Rename {node_id} to {label or node_id}", parent)
        self.graph, self.node_id, self.label = graph, node_id, label
        self.old = graph.node(node_id).label

    def redo(self):
        self.graph.set_label(self.node_id, self.label)

    def undo(self):
        self.graph.set_label(self.node_id, self.old)


class SetParams(QUndoCommand):
    def __init__(self, graph, node_id, params, what, parent=None):
        super().__init__(f"Change {what} of {node_id}", parent)
        self.graph, self.node_id, self.params = graph, node_id, params
        self.old = graph.node(node_id).params

    def redo(self):
        self.graph.set_params(self.node_id, self.params)

    def undo(self):
        self.graph.set_params(self.node_id, self.old)


class SetTarget(QUndoCommand):
    def __init__(self, graph, target, parent=None):
        super().__init__(f"Differentiate {target or 'the single output'}", parent)
        self.graph, self.target, self.old = graph, target, graph.target

    def redo(self):
        self.graph.set_target(self.target)

    def undo(self):
        self.graph.set_target(self.old)
