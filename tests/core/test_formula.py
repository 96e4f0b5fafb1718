"""The formula bar's language: parsed, never evaluated."""
import pytest

from gradviz.core.errors import GraphError
from gradviz.core.formula import NEW_INPUT, parse


def test_a_formula_plans_inputs_then_ops_with_the_result_named():
    plan = parse("c = sum(x*y + z)", {})
    assert [(p.op, p.name) for p in plan] == [
        ("input", "x"), ("input", "y"), ("mul", None), ("input", "z"), ("add", None),
        ("sum", "c")]
    assert plan[2].inputs == (0, 1) and plan[5].inputs == (4,)
    assert [p.params["offset"] for p in plan if p.op == "input"] == [0, 12, 24]
    assert all(p.params["shape"] == NEW_INPUT["shape"] for p in plan if p.op == "input")


def test_known_names_are_wired_in_and_numbers_become_inputs():
    plan = parse("tanh(weights) ** 2 - 0.5", {"weights": "x"})
    assert plan[0].op == "tanh" and plan[0].inputs == ("x",)
    assert plan[1].op == "pow" and plan[1].params == {"exponent": 2.0}
    assert plan[2] .op == "input" and plan[2].params == {"value": 0.5}
    assert plan[3].op == "sub" and plan[3].inputs == (1, 2)


def test_keyword_params_are_literals():
    plan = parse("m = mean(x, axis=0)", {"x": "x"})
    assert plan[0].params == {"axis": 0}
    plan = parse("r = reshape(x, shape=(3, 4))", {"x": "x"})
    assert plan[0].params == {"shape": (3, 4)}


@pytest.mark.parametrize("text, message", [
    ("c = sum(x*)", "column 11: invalid syntax"),
    ("c = print(x)", "column 5: unknown op 'print'"),
    ("c = x.y", "column 5: Attribute is not allowed"),
    ("c = sum(x, axis=y)", "column 17: axis must be a literal value"),
    ("c = x ** y", "column 10: ** takes a number on the right"),
    ("a, b = x", "column 1: assign to one plain name"),
    ("import os", "column 1: one expression"),
    ("c = x", "column 1: the formula adds no node"),
    ("c = input(x)", "column 5: unknown op 'input'"),
])
def test_what_is_not_allowed_is_refused_at_its_column(text, message):
    with pytest.raises(GraphError, match=message.replace("*", r"\*").replace("(", r"\(")):
        parse(text, {"x": "x"})
