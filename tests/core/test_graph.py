"""Graph model: validation messages, wiring rules, engine behaviour."""
import numpy as np
import pytest

import gradviz
from gradviz import Edge, GraphError
from gradviz.core.events import EdgeAdded, EdgeRemoved, NodeAdded, NodeRemoved


def small_graph():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.arange(6.0).reshape(2, 3))
    y = g.add("input", id="y", value=np.ones(3))
    m = g.add("mul", x, y, id="m")
    g.add("sum", m, id="s")
    return g


def test_api_example_from_the_readme():
    g = gradviz.Graph()
    some, other = np.arange(12.0).reshape(4, 3), np.full((4, 3), 2.0)
    x = g.add("input", id="x", value=some)
    y = g.add("input", id="y", value=other)
    a = g.add("mul", x, y)
    c = g.add("sum", a)
    r = g.run(device="cpu", target=c)
    assert (a, c) == ("mul1", "sum1")
    assert float(r.value(c)) == float(np.sum(some * other))
    np.testing.assert_array_equal(r.grad(x), other)
    np.testing.assert_array_equal(r.edge_grad(x, a, "a"), other)
    assert isinstance(r.value(c), np.ndarray)


def test_unknown_op_names_it():
    with pytest.raises(GraphError, match="unknown op 'conv9d'"):
        gradviz.Graph().add("conv9d")


def test_missing_input_names_node_and_port():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.ones(3))
    g.add("mul", x, id="m")
    with pytest.raises(GraphError, match="node 'm' \\(mul\\): input 'b' is not connected") as e:
        g.run()
    assert (e.value.node, e.value.port) == ("m", "b")


def test_duplicate_id():
    g = gradviz.Graph()
    g.add("input", id="x", value=1.0)
    with pytest.raises(GraphError, match="duplicate node id 'x'"):
        g.add("input", id="x", value=2.0)


def test_cycle_refused_when_drawn():
    g = small_graph()
    g.disconnect("m", "b")
    revision = g.revision
    with pytest.raises(GraphError, match="cycle") as e:
        g.connect("s", "m", "b")
    assert (e.value.node, e.value.port) == ("m", "b")
    assert g.input_edge("m", "b") is None and g.revision == revision


def test_shape_mismatch_refused_when_drawn_naming_both_shapes():
    g = small_graph()
    g.add("input", id="w", value=np.ones((5,)))
    g.disconnect("m", "b")
    with pytest.raises(GraphError, match=r"node 'm' \(mul\).*\(2, 3\).*\(5,\).*broadcast"):
        g.connect("w", "m", "b")
    assert g.input_edge("m", "b") is None


def test_shape_change_breaking_downstream_is_refused():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.ones((2, 3)))
    s = g.add("sum", x, id="s", axis=1)
    g.add("input", id="v", value=np.ones(4))
    g.disconnect(s, "a")
    with pytest.raises(GraphError, match="axis 1 is out of range"):
        g.connect("v", s, "a")


def test_bad_param_names_node_and_param():
    with pytest.raises(GraphError, match="node 'x': shape entry must be an integer"):
        gradviz.Graph().add("input", id="x", source="fill", shape=[2, "3"])
    with pytest.raises(GraphError, match="has no param 'axes'"):
        gradviz.Graph().add("sum", axes=1)


def test_several_sinks_need_a_target():
    g = small_graph()
    g.add("sum", "x", id="other")
    with pytest.raises(GraphError, match="2 outputs \\(s, other\\): choose the one"):
        g.run()
    assert float(g.run(target="other").value("other")) == 15.0


def test_x_times_x_gets_both_contributions():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.array([1.0, -2.0, 3.0]))
    sq = g.add("mul", x, x, id="sq")
    g.add("sum", sq, id="s")
    r = g.run()
    np.testing.assert_array_equal(r.grad(x), 2 * np.array([1.0, -2.0, 3.0]))
    np.testing.assert_array_equal(r.edge_grad(x, sq, "a"), [1.0, -2.0, 3.0])
    np.testing.assert_array_equal(r.edge_grad(x, sq, "b"), [1.0, -2.0, 3.0])


def test_diamond_gradient_is_sum_of_paths():
    g = gradviz.Graph()
    x = g.add("input", id="x", value=np.array([2.0, 5.0]))
    k = g.add("input", id="k", value=np.array([3.0, 3.0]))
    left = g.add("mul", x, k, id="left")     # 3x
    right = g.add("mul", x, x, id="right")   # x^2
    g.add("sum", g.add("add", left, right))
    r = g.run()
    np.testing.assert_array_equal(r.grad(x), 3 + 2 * np.array([2.0, 5.0]))
    np.testing.assert_array_equal(r.edge_grad(x, left, "a"), [3.0, 3.0])


def test_ten_thousand_node_chain():
    g = gradviz.Graph()
    prev = g.add("input", id="x", value=np.array([1.0, 2.0]))
    one = g.add("input", id="one", value=np.array([1.0, 1.0]))
    for _ in range(10_000):
        prev = g.add("mul", prev, one)
    prev = g.add("sum", prev)
    r = g.run()
    np.testing.assert_array_equal(r.grad("x"), [1.0, 1.0])
    np.testing.assert_array_equal(r.grad("one"), [10_000.0, 20_000.0])


def test_only_downstream_of_a_change_is_recomputed():
    g = small_graph()
    first = g.run()
    assert set(first.recomputed) == {"x", "y", "m", "s"}
    assert g.run().recomputed == []
    g.set_params("y", {"value": np.full(3, 2.0)})
    assert g.run().recomputed == ["y", "m", "s"]
    g.add("input", id="spare", value=np.ones(2))
    assert g.run(target="s").recomputed == ["spare"]


def test_results_are_read_only_and_do_not_alias_the_graph():
    g = small_graph()
    r = g.run()
    with pytest.raises(ValueError):
        r.value("x")[0, 0] = 99.0
    assert g.nodes["x"].params["value"][0, 0] == 0.0


def test_nodes_off_the_target_path_have_zero_gradient():
    g = small_graph()
    g.add("sum", "y", id="side")
    r = g.run(target="s")
    assert not r.affects_target("side")
    np.testing.assert_array_equal(r.grad("side"), 0.0)


def test_inverse_pairs_and_events():
    g = gradviz.Graph()
    events = []
    g.subscribe(events.append)
    node = g.add_node(g.make_node("input", "x", params={"value": [1.0]}))
    g.add_node(g.make_node("sum", "s"))
    g.connect("x", "s", "a")
    with pytest.raises(GraphError, match="still has edges"):
        g.remove_node("x")
    g.disconnect("s", "a")
    assert g.remove_node("x") is node
    assert [type(e) for e in events] == [NodeAdded, NodeAdded, EdgeAdded, EdgeRemoved,
                                         NodeRemoved]
    assert events[0].node is node and events[-1].node is node
    assert events[2].edge == Edge("x", "s", "a")


def test_op_failure_at_run_time_becomes_graph_error(tmp_path):
    g = gradviz.Graph()
    path = tmp_path / "a.npy"
    np.save(path, np.ones(3))
    g.add("input", id="f", path=str(path))
    g.add("sum", "f", id="s")
    assert float(g.run().value("s")) == 3.0
    path.unlink()
    g.set_params("f", {"path": str(path)})
    with pytest.raises(GraphError, match="node 'f' \\(input\\).*cannot read"):
        g.run()


def test_npy_source_refuses_pickles(tmp_path):
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    g = gradviz.Graph()
    g.add("input", id="f", path=str(path))
    with pytest.raises(GraphError, match="holds object, not numbers"):
        g.run()


def test_partial_run_leaves_out_nodes_waiting_for_inputs():
    g = small_graph()
    g.add("tanh", id="loose")                      # nothing connected yet
    g.add("mul", "x", id="half")                   # one input of two
    g.add("sum", "half", id="after")               # downstream of a waiting node
    with pytest.raises(GraphError, match="input '[ab]' is not connected"):
        g.run()
    r = gradviz.Engine().run(g, partial=True)
    assert sorted(r.waiting) == ["after", "half", "loose"]
    assert r.target == "s" and float(r.value("s")) == 15.0
    assert "loose" not in r


def test_partial_run_still_refuses_shapes_that_do_not_fit():
    g = small_graph()
    g.set_params("y", {"value": np.ones(5)})
    with pytest.raises(GraphError, match=r"\(2, 3\) and \(5,\) do not broadcast"):
        gradviz.Engine().run(g, partial=True)


def test_npy_source_refuses_what_is_not_a_regular_file(tmp_path):
    import os
    fifo = tmp_path / "pipe.npy"
    os.mkfifo(fifo)
    g = gradviz.Graph()
    g.add("input", id="f", path=str(fifo))
    with pytest.raises(GraphError, match="is not a regular file"):
        g.run()
    g.set_params("f", {"path": str(tmp_path)})
    with pytest.raises(GraphError, match="is not a regular file"):
        g.run()


def test_every_op_documents_its_backward_rule():
    """Shown in the palette, the node tooltip and the properties panel: for learners."""
    undocumented = [name for name, spec in gradviz.OPS.items()
                    if not spec.source and "Backward:" not in spec.doc]
    assert not undocumented


def test_with_several_outputs_a_single_scalar_one_is_the_target():
    g = small_graph()
    g.add("tanh", "x", id="side")           # a 2x3 output beside the scalar s
    assert g.resolve_target() == "s"
    g.add("sum", "side", id="s2")           # now two scalar outputs
    with pytest.raises(GraphError, match="2 outputs \\(s, s2\\): choose the one"):
        g.resolve_target()
    r = gradviz.Engine().run(g, partial=True)
    assert r.target is None and "choose the one" in r.no_target
    np.testing.assert_array_equal(r.value("side"), np.tanh(r.value("x")))


def test_a_node_size_is_set_checked_and_given_back():
    from gradviz.core import events
    g = gradviz.Graph()
    g.add("input", id="x")
    seen = []
    g.subscribe(seen.append)
    revision = g.revision
    assert g.set_size("x", (300, 200)) is None
    assert g.nodes["x"].size == (300.0, 200.0)
    assert [type(e) for e in seen] == [events.NodeResized]
    assert g.revision == revision   # no run depends on it
    assert g.set_size("x", None) == (300.0, 200.0) and g.nodes["x"].size is None
    for bad in ((0, 100), (100,), "wide", (100, float("inf"))):
        with pytest.raises(gradviz.GraphError):
            g.set_size("x", bad)
    assert g.nodes["x"].size is None


def test_a_fresh_offset_is_past_every_draw_of_the_seed():
    from gradviz.core.ops.inputs import fresh_offset
    assert fresh_offset([]) == 0
    drawn = [{"source": "randn", "seed": 0, "offset": 110, "shape": (4, 3)},
             {"source": "randn", "seed": 0, "offset": 0, "shape": (5,)},
             {"source": "randn", "seed": 7, "offset": 500, "shape": (2,)},
             {"source": "fill", "fill": 1.0, "shape": (100,)}]
    assert fresh_offset(drawn) == 122
    assert fresh_offset(drawn, seed=7) == 502
