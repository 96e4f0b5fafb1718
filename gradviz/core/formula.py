"""The formula bar's language: one line of Python syntax such as `c = sum(x*y + z)`,
parsed with `ast` and never evaluated. Only the op table's operators and ops, names,
numbers and literal keyword values are allowed; anything else is refused with the
column it starts at. Names of existing nodes (label or id) are wired in; other names
become new inputs (a 4x3 randn draw, seed 0, each with its own offset); numbers
become explicit inputs; `name =` names the result."""
from __future__ import annotations

import ast
import numbers
from typing import NamedTuple

from .errors import GraphError
from .ops import OPS, op_for_operator

NEW_INPUT = {"source": "randn", "seed": 0, "shape": (4, 3)}   # plus its own offset
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@",
             ast.Pow: "**"}


class Planned(NamedTuple):
    """A node to add: `inputs` are existing node ids (str) or positions (int) of
    earlier planned nodes; `name` is the id it asks for, or None."""
    op: str
    inputs: tuple
    params: dict
    name: str | None


def parse(text, names):
    """The nodes a formula adds, in order (the last is its result). `names` maps the
    names a user may type (labels, ids) to node ids."""
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as e:
        raise GraphError(f"column {e.offset or 1}: {e.msg}") from None
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.Assign, ast.Expr)):
        raise GraphError("column 1: one expression, or name = expression")
    statement = tree.body[0]
    result_name = None
    if isinstance(statement, ast.Assign):
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            raise GraphError("column 1: assign to one plain name")
        result_name = statement.targets[0].id
    planner = _Planner(names)
    result = planner.visit(statement.value)
    if not isinstance(result, int):   # `c = x`: a name for an existing node, nothing new
        raise GraphError("column 1: the formula adds no node")
    plan = planner.plan
    plan[result] = plan[result]._replace(name=result_name)
    return plan


class _Planner:
    def __init__(self, names):
        self.names = names
        self.plan = []
        self.new_inputs = {}

    def add(self, op, inputs, params=None, name=None):
        self.plan.append(Planned(op, tuple(inputs), params or {}, name))
        return len(self.plan) - 1

    def visit(self, node):
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id not in self.new_inputs:
                offset = 12 * len(self.new_inputs)
                self.new_inputs[node.id] = self.add("input", (), {**NEW_INPUT, "offset": offset},
                                                    node.id)
            return self.new_inputs[node.id]
        if _is_number(node):
            return self.add("input", (), {"value": float(ast.literal_eval(node))})
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return self._operator(OPERATORS[type(node.op)], node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self.add(op_for_operator("unary -").name, (self.visit(node.operand),))
        if isinstance(node, ast.Call):
            return self._call(node)
        raise GraphError(f"column {node.col_offset + 1}: {type(node).__name__} is not "
                         "allowed in a formula (ops, + - * / @ **, names and numbers are)")

    def _operator(self, symbol, node):
        spec = op_for_operator(symbol)
        if len(spec.inputs) == 1:   # x ** 2: the number on the right is the op's param
            if not _is_number(node.right):
                raise GraphError(f"column {node.right.col_offset + 1}: {symbol} takes a "
                                 "number on the right")
            return self.add(spec.name, (self.visit(node.left),),
                            {spec.params[0].name: float(ast.literal_eval(node.right))})
        return self.add(spec.name, (self.visit(node.left), self.visit(node.right)))

    def _call(self, node):
        op = node.func.id if isinstance(node.func, ast.Name) else None
        if op not in OPS or OPS[op].source:
            raise GraphError(f"column {node.func.col_offset + 1}: unknown op "
                             f"{ast.unparse(node.func)!r}")
        params = {}
        for keyword in node.keywords:
            try:
                params[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                raise GraphError(f"column {keyword.value.col_offset + 1}: {keyword.arg} "
                                 "must be a literal value") from None
        return self.add(op, [self.visit(arg) for arg in node.args], params)


def _is_number(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, numbers.Real) \
        and not isinstance(node.value, bool)
