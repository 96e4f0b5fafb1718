"""Shapes and validation of a graph: each node's output shape, worked out from its
inputs' and memoized (a change forgets only what it can change), and which node is
differentiated. A part of `Graph`, kept apart from its model and mutators."""
from __future__ import annotations

from .errors import GraphError
from .ops import get_op


def is_shape_error(error):
    """A rule that failed, as opposed to an input not connected yet."""
    return error is not None and error.port is None


class Validation:
    """Shape inference and validation for `Graph` (which holds `nodes`, `_in`, `_out`,
    `_shapes`, `_base_dir` and `target`)."""

    @property
    def base_dir(self):
        """Where relative .npy paths are resolved (the graph file's folder)."""
        return self._base_dir

    @base_dir.setter
    def base_dir(self, value):
        self._base_dir = value
        self._shapes.clear()
        self._touch()

    def infer_shapes(self, strict=True):
        """Output shape of every node. strict: raise the first GraphError. Otherwise
        return (shapes, errors): shapes[id] is None where unknown, errors[id] the
        GraphError of each node whose own rule failed."""
        shapes, errors = {}, {}
        for node_id in self.topo_order():
            shapes[node_id], error = self._shape_of(node_id)
            if error is not None:
                if strict:
                    raise error
                errors[node_id] = error
        return shapes, errors

    def shape(self, node_id):
        """The node's output shape, or None where it cannot be known yet."""
        return self._shape_of(self.node(node_id).id)[0]

    def _forget_shapes(self, node_id):
        """Drop the memoized shapes of the node and of everything downstream. A node is
        memoized only after all its inputs are, so the walk stops where the memo does:
        building a graph (loading one) stays linear."""
        stack = [node_id]
        while stack:
            current = stack.pop()
            if self._shapes.pop(current, None) is not None:
                stack.extend(e.dst for e in self._out.get(current, ()))

    def _reshape(self, node_id):
        """After the node's params changed: its shape again, and downstream ones
        forgotten only if it changed (new values of the same shape leave a thousand
        nodes' shapes as they were)."""
        old = self._shapes.get(node_id)
        new = None if old is None else self._compute_shape(node_id)
        if new is not None and new[0] is not None and new[0] == old[0] \
                and old[1] is None and new[1] is None:
            self._shapes[node_id] = new
        else:
            self._forget_shapes(node_id)

    def _shape_of(self, node_id):
        """(shape, error), memoized; computes missing upstream shapes first, iteratively."""
        memo = self._shapes
        stack = [node_id]
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                continue
            ports = get_op(self.nodes[current].op).inputs
            missing = [e.src for p in ports
                       if (e := self._in.get((current, p))) and e.src not in memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            memo[current] = self._compute_shape(current)
        return memo[node_id]

    def _compute_shape(self, node_id):
        node = self.nodes[node_id]
        spec = get_op(node.op, node_id)
        ins = []
        for port in spec.inputs:
            edge = self._in.get((node_id, port))
            if edge is None:
                return None, GraphError(f"node {node_id!r} ({node.op}): input {port!r} "
                                        f"is not connected", node=node_id, port=port)
            ins.append(self._shapes[edge.src][0])
        if None in ins:
            return None, None
        try:
            if spec.source:
                return tuple(spec.shape(node.params, base_dir=self._base_dir)), None
            return tuple(spec.shape(node.params, *ins)), None
        except ValueError as e:
            return None, GraphError(self._shape_message(node, spec, ins, e), node=node_id)

    @staticmethod
    def _shape_message(node, spec, ins, error):
        described = ", ".join(f"{p}: {tuple(s)}" for p, s in zip(spec.inputs, ins))
        detail = f" ({described})" if described else ""
        return f"node {node.id!r} ({node.op}){detail}: {error}"

    def resolve_target(self, target=None, among=None):
        """The node whose sum is differentiated: the given one, the graph's own, the
        single sink (of the nodes `among`, default all), or the single scalar sink."""
        target = target or self.target
        if target is not None:
            self.node(target)
            return target
        if among is None:
            sinks = self.sinks()
        else:
            sinks = [n for n in self.nodes if n in among and
                     not any(e.dst in among for e in self._out.get(n, ()))]
        if len(sinks) == 1:
            return sinks[0]
        if not sinks:
            raise GraphError("the graph is empty: add nodes to differentiate")
        scalars = [n for n in sinks if (among[n] if among is not None else self.shape(n)) == ()]
        if len(scalars) == 1:
            return scalars[0]
        names = ", ".join(self.nodes[n].title for n in sinks)
        raise GraphError(f"the graph has {len(sinks)} outputs ({names}): choose the one "
                         "to differentiate")

    def validate(self, target=None):
        """Shapes of all nodes and the resolved target, or the first GraphError."""
        shapes, _ = self.infer_shapes(strict=True)
        return shapes, self.resolve_target(target)

    def validate_ready(self, target=None):
        """Like `validate`, for a graph still being built: nodes that wait for an input
        (or sit downstream of one) are left out instead of failing the graph, and a
        graph with no target yet still runs forward. Returns (shapes of the ready
        nodes, target or None, waiting node ids, why there is no target or None). A
        shape that does not fit is still an error."""
        shapes, errors = self.infer_shapes(strict=False)
        for error in errors.values():
            if is_shape_error(error):
                raise error
        ready = {n: s for n, s in shapes.items() if s is not None}
        waiting = [n for n in shapes if n not in ready]
        try:
            target = self.resolve_target(target, among=ready)
        except GraphError as e:   # several outputs and none chosen, or nothing ready
            return ready, None, waiting, str(e)
        if target not in ready:
            return ready, None, waiting, (f"{self.nodes[target].title} cannot be "
                                          "differentiated yet: an input upstream of it "
                                          "is not connected")
        return ready, target, waiting, None
