"""The registries the rest of gradviz enumerates: param kinds, graph events, views,
devices, op categories and what ops declare about their gradients."""
import math

import numpy as np
import pytest

import gradviz
from gradviz.cli import _render_parser, main
from gradviz.core import events
from gradviz.core.devices import DEVICE_KINDS, get_device
from gradviz.core.errors import DeviceError, GraphError
from gradviz.core.jsontypes import ElementBudget
from gradviz.core.ops import CATEGORIES, OPS, Param, coerce
from gradviz.core.views import NAMES, VIEWS
from tests.helpers import differentiable_ops

ALL_PARAMS = [(op, p) for op, spec in sorted(OPS.items()) for p in spec.params]


def sample_values(param):
    """Valid values of a param, beyond its default."""
    samples = {"int": [0, 3], "float": [0.5, -2.25, math.inf, math.nan], "axis": [None, 1],
               "shape": [(4, 3), ()], "ints": [None, (2, -1)], "padding": ["same", 2],
               "choice": list(param.choices), "path": ["a/b.npy"], "bool": [True, False],
               "array": [np.arange(6.0).reshape(2, 3), np.array([np.nan, -np.inf])]}
    values = [v for v in samples[param.kind.name] if _fits(param, v)]
    return values + ([param.default] if param.default is not None or param.kind.optional
                     else [])


def _fits(param, value):
    try:
        coerce(param, value)
        return True
    except ValueError:
        return False


def same(a, b):
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    return a == b or (a != a and b != b)


@pytest.mark.parametrize("op, param", ALL_PARAMS, ids=lambda x: getattr(x, "name", x))
def test_param_values_survive_the_file_and_the_editor(op, param):
    kind = param.kind
    for value in sample_values(param):
        value = coerce(param, value)
        stored = kind.decode(kind.encode(value), "where", ElementBudget(100))
        assert same(coerce(param, stored), value), (value, stored)
        if kind.name not in ("array", "choice"):   # edited as text
            assert same(coerce(param, kind.parse(kind.format(value))), value), value


def test_bounds_apply_to_floats_too():
    p = Param("rate", "float", 0.1, low=0.0, high=1.0)
    assert coerce(p, 0.5) == 0.5
    with pytest.raises(ValueError, match="rate must be at most 1.0, not 2.0"):
        coerce(p, 2.0)
    with pytest.raises(ValueError, match="rate must be at least 0.0, not -0.5"):
        coerce(p, -0.5)
    with pytest.raises(ValueError, match="at least"):
        coerce(p, math.nan)        # NaN is within no bounds


def test_a_misspelt_param_kind_fails_at_declaration():
    with pytest.raises(KeyError, match="flaot"):
        Param("p", "flaot")


def test_each_change_emits_its_own_event():
    g = gradviz.Graph()
    seen = []
    g.subscribe(seen.append)
    x = g.add("input", id="x", value=[1.0, 2.0])
    s = g.add("sum", id="s")
    g.connect(x, s, "a")
    g.set_params(x, {"source": "fill", "fill": 2.0, "shape": (2,)})
    g.set_label(x, "ex")
    g.set_pos(x, (5, 6))
    g.set_target(s)
    g.set_dtype("float32")
    g.disconnect(s, "a")
    g.remove_node(s)
    assert [type(e) for e in seen] == [
        events.NodeAdded, events.NodeAdded, events.EdgeAdded, events.ParamsChanged,
        events.LabelChanged, events.NodeMoved, events.TargetChanged, events.DtypeChanged,
        events.EdgeRemoved, events.NodeRemoved]
    assert seen[3].node.params["fill"] == 2.0 and seen[5].node.pos == (5.0, 6.0)
    assert seen[6].target == "s" and seen[7].dtype == "float32"


@pytest.mark.parametrize("op", differentiable_ops())
def test_rules_return_none_exactly_for_inputs_declared_without_gradient(op):
    """softmax_cross_entropy's labels take no gradient, declared once on the op."""
    from tests.core.test_gradients import CASES
    from tests.helpers import op_graph
    spec = OPS[op]
    graph, ids = op_graph(op, CASES[op][0])
    r = graph.run()
    node = graph.nodes["out"]
    values = [r.value(i) for i in ids]
    parts = spec.vjp(np, np.ones(r.shapes["out"]), r.value("out"), *values, **node.params)
    assert [p is None for p in parts] == [port in spec.no_grad for port in spec.inputs]
    assert set(spec.no_grad) <= set(spec.inputs)


def test_switching_an_input_to_explicit_values_keeps_its_array():
    spec = OPS["input"]
    old = {"source": "randn", "seed": 0, "offset": 12, "shape": (4, 3)}
    new = spec.adjust(old, {**old, "source": "value"})
    np.testing.assert_array_equal(new["value"], spec.source(old))
    missing = {"source": "npy", "path": "/nonexistent/a.npy"}
    assert spec.adjust(missing, {**missing, "source": "value"})["value"].shape == ()
    same_source = {"source": "fill", "fill": 1.0, "shape": (2,)}
    assert spec.adjust(old, same_source) is same_source


def test_views_declare_known_arrays_and_distinct_keys():
    assert len({v.key for v in VIEWS.values()}) == len(VIEWS)
    for view in VIEWS.values():
        known = set(NAMES) | {"check": {"error"}, "compare": {"value diff", "grad diff"},
                              "": set()}[view.instrument]
        assert view.arrays and set(view.arrays) <= known, view.name
        assert view.edge_array in NAMES


def test_the_command_line_offers_every_view():
    choices = next(a.choices for a in _render_parser()._actions if a.dest == "view")
    assert list(choices) == list(VIEWS)


def test_devices_are_named_from_one_registry(capsys):
    assert get_device("cpu").name == "cpu"
    for bad in ("tpu", "cpu:1", "gpu:x"):
        with pytest.raises(DeviceError, match="use cpu, gpu or gpu:N"):
            get_device(bad)
    from gradviz.core.examples import example_path
    path = example_path("seed")
    assert main(["run", str(path), "--device", "tpu"]) == 2
    assert "unknown device 'tpu' (use cpu, gpu or gpu:N)" in capsys.readouterr().err
    assert list(DEVICE_KINDS) == ["cpu", "gpu"]


def test_every_op_belongs_to_a_listed_category():
    assert {spec.category for spec in OPS.values()} <= set(CATEGORIES)
    with pytest.raises(ValueError, match="unknown category"):
        from gradviz.core.ops.spec import OpSpec, register
        register(OpSpec("nope", (), shape=None, forward=None, vjp=None, category="Misc"))
    assert "nope" not in OPS


def test_unknown_ops_and_views_are_named_errors():
    from gradviz.core.views import get_view
    with pytest.raises(GraphError, match="unknown op 'mull'"):
        gradviz.Graph().add("mull")
    with pytest.raises(gradviz.GradvizError, match="unknown view 'grad'"):
        get_view("grad")
