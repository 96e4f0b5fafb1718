"""Graphs exported as code (gradviz.core.export): the NumPy and PyTorch scripts and the
notebook, run on their own, give the engine's values and gradients; the NumPy code reads
like the seed notebook; every op declares its code in the op table."""
import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.core import export
from gradviz.core.examples import example_names, example_path
from gradviz.core.ops import OPS
from tests.core.test_gradients import CASES
from tests.helpers import op_graph

EXAMPLES = example_names()
TOLERANCE = 1e-12
# Runs exported scripts in a fresh interpreter where gradviz cannot be imported (they
# must stand alone) and saves the variables named in argv[2] (key -> (script, variable))
# to the .npz argv[3].
HARNESS = """
import json, runpy, sys
import numpy as np
sys.modules["gradviz"] = None
wanted = json.loads(open(sys.argv[1]).read())
out = {}
for script, names in wanted.items():
    namespace = runpy.run_path(script, run_name="__main__")
    for key, name in names.items():
        value = namespace[name]
        out[key] = np.asarray(value.detach() if hasattr(value, "detach") else value)
np.savez(sys.argv[2], **out)
"""


def assert_close(actual, expected, what):
    """Equal to TOLERANCE relative to the array's largest element (and NaN where NaN)."""
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    scale = np.max(np.abs(expected[np.isfinite(expected)]), initial=0.0)
    np.testing.assert_allclose(actual, expected, rtol=TOLERANCE, atol=TOLERANCE * scale,
                               err_msg=what)


def assert_matches_engine(graph, namespace, what=""):
    """Every node's value and gradient in `namespace` (the exported code's variables) is
    the engine's; nodes the target does not depend on have no gradient variable."""
    result = graph.run()
    for node_id, (value, grad) in export.variables(graph).items():
        assert_close(namespace[value], result.value(node_id), f"{what} value of {node_id}")
        if grad is None:
            assert not result.affects_target(node_id)
        else:
            assert_close(namespace[grad], result.grad(node_id), f"{what} grad of {node_id}")


def run_exported(tmp_path, kind, names=EXAMPLES):
    """Export each example as `kind` into tmp_path, run all of them in one subprocess,
    and give back {example: namespace of the variables}."""
    wanted, keys = {}, {}
    for name in names:
        graph = gradviz.load(example_path(name))
        script = tmp_path / f"{name}_{kind}.py"
        export.write(graph, script, kind)
        variables = [v for pair in export.variables(graph).values() for v in pair if v]
        wanted[str(script)] = {f"{name}.{v}": v for v in variables}
        keys[name] = variables
    (tmp_path / "wanted.json").write_text(json.dumps(wanted))
    out = subprocess.run([sys.executable, "-c", HARNESS, str(tmp_path / "wanted.json"),
                          str(tmp_path / "dump.npz")], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    with np.load(tmp_path / "dump.npz") as dump:
        return {name: {v: dump[f"{name}.{v}"] for v in keys[name]} for name in names}, out


@pytest.fixture(scope="module")
def numpy_runs(tmp_path_factory):
    return run_exported(tmp_path_factory.mktemp("numpy"), "numpy")


@pytest.fixture(scope="module")
def torch_runs(tmp_path_factory):
    pytest.importorskip("torch", reason="PyTorch is not installed here (it is not a "
                                        "dependency of gradviz)")
    return run_exported(tmp_path_factory.mktemp("torch"), "torch")


def test_the_examples_are_all_there():
    assert {"seed", "broadcast", "fanout", "mlp", "cnn", "vanishing",
            "playground"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_numpy_script_of_each_example_gives_the_engines_numbers(numpy_runs, name):
    runs, out = numpy_runs
    graph = gradviz.load(example_path(name))
    assert_matches_engine(graph, runs[name], name)
    target = graph.resolve_target()
    assert f"{target} = {float(graph.run().value(target))}" in out.stdout   # it prints it


@pytest.mark.parametrize("name", EXAMPLES)
def test_torch_script_of_each_example_gives_the_engines_numbers(torch_runs, name):
    runs, out = torch_runs
    assert_matches_engine(gradviz.load(example_path(name)), runs[name], name)


def exec_code(text, what):
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # NaN and Inf, as in the engine
        exec(compile(text, what, "exec"), namespace)  # noqa: S102 - code we generated
    return namespace


def op_cases():
    return [pytest.param(op, case, id=f"{op}-{case}")
            for op, cases in sorted(CASES.items()) for case in cases]


@pytest.mark.parametrize("op, case", op_cases())
def test_every_op_case_exported_to_numpy_gives_the_engines_numbers(op, case, capsys):
    """Every op over the gradient tests' cases (broadcast pairs, axes, strides, padding,
    1-d matmuls, zero-size arrays): the templates, sums back over broadcast axes and
    helpers all hold."""
    graph, _ = op_graph(op, case)
    assert_matches_engine(graph, exec_code(export.to_numpy(graph), op), op)


@pytest.mark.parametrize("op, case", op_cases())
def test_every_op_case_exported_to_torch_gives_the_engines_numbers(op, case, capsys):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed here (it is not "
                                                "a dependency of gradviz)")
    graph, _ = op_graph(op, case)
    namespace = exec_code(export.to_torch(graph), op)
    namespace = {k: v.detach().numpy() if isinstance(v, torch.Tensor) else v
                 for k, v in namespace.items()}
    assert_matches_engine(graph, namespace, op)


def test_every_op_declares_its_code():
    for name, spec in OPS.items():
        if spec.source:   # the exporter writes the input op's sources
            assert spec.numpy is None and spec.torch is None
            continue
        assert spec.numpy and spec.numpy.forward and spec.torch and spec.torch.forward, name
        assert len(spec.numpy.grads) == len(spec.inputs), name
        for port, grad in zip(spec.inputs, spec.numpy.grads):
            assert (grad is None) == (port in spec.no_grad), (name, port)
        assert not {"g", "out"} & ({p.name for p in spec.params} | set(spec.inputs)), name
        assert "Backward:" in spec.doc, name   # notebooks explain each step by it
        for helper, source in spec.numpy.helpers:
            assert re.search(rf"^def {helper}\(", source.strip()), (name, helper)


def backward_lines(text):
    return text.split("# ---- backward pass")[1].splitlines()[1:]


def test_seed_export_reads_like_the_notebook():
    text = export.to_numpy(gradviz.load(example_path("seed")))
    lines = [line.split("  #")[0] for line in text.splitlines()]
    # The notebook: np.random.seed(0), then x, y, z = np.random.randn(H,W) in turn.
    draws = ["np.random.seed(0)", "x = np.random.randn(4, 3)", "y = np.random.randn(4, 3)",
             "z = np.random.randn(4, 3)"]
    assert [line for line in lines if line in draws] == draws
    assert {"a = x * y", "b = a + z", "c = np.sum(b)"} <= set(lines)
    backward = [line.split("  #")[0] for line in backward_lines(text)
                if line and not line.startswith("#")]
    assert backward == ["grad_c = np.ones_like(c)", "grad_b = grad_c * np.ones_like(b)",
                        "grad_a = grad_b", "grad_z = grad_b", "grad_x = grad_a * y",
                        "grad_y = grad_a * x"]
    assert "def " not in text   # no helper is needed, none is written


def test_fanout_export_adds_up_the_parts():
    text = export.to_numpy(gradviz.load(example_path("fanout")))
    grad_x = [line for line in backward_lines(text) if line.startswith("grad_x =")]
    assert len(grad_x) == 2
    assert grad_x[0].startswith("grad_x = grad_a * y") and "part 1 of 2" in grad_x[0]
    assert grad_x[1].startswith("grad_x = grad_x + grad_t * ") and "part 2 of 2" in grad_x[1]


def test_broadcast_export_sums_over_the_broadcast_axis():
    graph = gradviz.load(example_path("broadcast"))
    text = export.to_numpy(graph)
    line = next(x for x in backward_lines(text) if x.startswith("grad_b ="))
    assert line.startswith("grad_b = np.sum(grad_h, axis=0, keepdims=True)")
    assert "summed over the broadcast axis 0" in line
    g = gradviz.Graph()   # leading axes added by broadcasting are summed away
    g.add("input", id="m", value=np.ones((2, 3, 4)))
    g.add("input", id="v", value=np.arange(4.0))
    g.add("sum", g.add("mul", "m", "v", id="p"), id="s")
    text = export.to_numpy(g)
    assert "grad_v = np.sum(grad_p * m, axis=(0, 1))" in text
    assert_matches_engine(g, exec_code(text, "lead"))


def test_ids_that_are_not_identifiers_become_distinct_names():
    g = gradviz.Graph()
    g.add("input", id="my input", label="the weights", value=np.array([1.0, 2.0]))
    g.add("input", id="2x", value=np.array([3.0, -1.0]))
    g.add("input", id="x", value=np.array([0.5, 0.25]))
    g.add("mul", "my input", "2x", id="class")
    g.add("mul", "class", "x", id="grad_x")
    g.add("add", "grad_x", "x", id="np")
    g.add("sum", "np", id="sum")
    names = export.variables(g)
    values = [v for v, _ in names.values()]
    grads = [gr for _, gr in names.values()]
    assert len(set(values + grads)) == 2 * len(names)
    assert all(v.isidentifier() and v not in ("class", "np", "sum") for v in values + grads)
    assert names["my input"][0] == "my_input" and names["x"][0] == "x"
    text = export.to_numpy(g)
    assert "my_input = np.array([1.0, 2.0])  # the weights" in text
    assert "# node 'class'" in text
    assert_matches_engine(g, exec_code(text, "names"))


def test_nodes_the_target_does_not_need_get_no_gradient_and_the_script_says_so():
    graph = gradviz.load(example_path("playground"))
    text = export.to_numpy(graph)
    names = export.variables(graph)
    assert names["boundary"][1] is None and names["W1"][1] == "grad_W1"
    assert "grad_boundary" not in text and "grad_labels" not in text
    header = text.split("import numpy")[0]
    assert "does not depend on labels, grid," in " ".join(header.split())
    assert "no grad_" in header


def test_large_arrays_go_to_a_sibling_npz(tmp_path):
    graph = gradviz.load(example_path("playground"))   # its 40x40 grid: 3,200 numbers
    written = export.write(graph, tmp_path / "pg.py", "numpy")
    assert written == [str(tmp_path / "pg.py"), str(tmp_path / "pg.npz")]
    text = (tmp_path / "pg.py").read_text()
    assert "DATA = np.load(HERE / 'pg.npz', allow_pickle=False)" in text
    assert "grid = DATA['grid']" in text
    with np.load(tmp_path / "pg.npz", allow_pickle=False) as data:
        assert set(data.files) == {"grid"}
        np.testing.assert_array_equal(data["grid"], graph.run().value("grid"))
    assert "DATA" not in export.to_numpy(graph)   # the text alone holds every number


def test_explicit_values_are_written_at_full_precision_with_non_finite_ones():
    g = gradviz.Graph()
    value = np.array([[0.1, -0.0, 1 / 3], [np.nan, np.inf, -np.inf]])
    g.add("input", id="v", value=value)
    g.add("input", id="w", value=np.array([np.pi]))
    g.add("sum", g.add("pow", g.add("mul", "v", "w", id="m"), exponent=3.0, id="p"), id="s")
    text = export.to_numpy(g)
    namespace = exec_code(text, "precise")
    np.testing.assert_array_equal(namespace["v"], value)
    assert np.signbit(namespace["v"][0, 1]) and namespace["w"][0] == np.pi
    assert_matches_engine(g, namespace)


def test_npy_sources_load_without_pickles_from_where_the_graph_names_them(tmp_path):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "x.npy", np.arange(6.0).reshape(2, 3))
    g = gradviz.Graph()
    g.base_dir = str(tmp_path)
    g.add("input", id="x", path="data/x.npy")
    g.add("sum", g.add("square", "x", id="q"), id="s")
    (tmp_path / "out").mkdir()
    export.write(g, tmp_path / "out" / "script.py", "numpy")
    text = (tmp_path / "out" / "script.py").read_text()
    assert "np.load(HERE / '../data/x.npy', allow_pickle=False)" in text
    namespace = {"__file__": str(tmp_path / "out" / "script.py")}
    exec(compile(text, "npy", "exec"), namespace)  # noqa: S102 - code we generated
    assert_matches_engine(g, namespace)


def test_a_float32_graph_exports_float32_code():
    graph = gradviz.load(example_path("mlp"))
    graph.set_dtype("float32")
    namespace = exec_code(export.to_numpy(graph), "float32")
    result = graph.run()
    for node_id, (value, grad) in export.variables(graph).items():
        assert np.asarray(namespace[value]).dtype == np.float32
        np.testing.assert_allclose(namespace[value], result.value(node_id), rtol=1e-5,
                                   atol=1e-6)
        if grad:
            np.testing.assert_allclose(namespace[grad], result.grad(node_id), rtol=1e-5,
                                       atol=1e-6)


def test_a_graph_that_cannot_run_is_not_exported():
    g = gradviz.Graph()
    g.add("input", id="x", value=np.ones(3))
    g.add("sum", "x", id="s1")
    g.add("sum", "x", id="s2")
    with pytest.raises(gradviz.GraphError, match="2 outputs"):
        export.to_numpy(g)
    assert "grad_x = grad_s2" in export.to_numpy(g, target="s2")


def test_only_the_helpers_a_script_calls_are_written():
    text = export.to_numpy(gradviz.load(example_path("cnn")))
    defined = set(re.findall(r"^def (\w+)\(", text, re.M))
    assert {"conv2d", "conv2d_grad_x", "conv2d_grad_w", "maxpool2d", "maxpool2d_grad",
            "window", "zero_pad", "pad_amount", "softmax_cross_entropy"} <= defined
    assert not {"avgpool2d", "sigmoid", "first_max", "matmul_grads"} & defined


# ---- the notebook --------------------------------------------------------------------
def notebook_of(name, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra "
                                                      "(pip install -e '.[test]')")
    graph = gradviz.load(example_path(name))
    export.write(graph, tmp_path / f"{name}.ipynb", "notebook", title=name)
    notebook = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    return graph, notebook


@pytest.mark.parametrize("name", EXAMPLES)
def test_notebook_validates_and_its_cells_give_the_engines_numbers(name, tmp_path,
                                                                   monkeypatch, capsys):
    graph, notebook = notebook_of(name, tmp_path)
    monkeypatch.chdir(tmp_path)   # where Jupyter runs it: the .npz beside it is found
    namespace = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, name, "exec"), namespace)  # noqa: S102 - ours
    assert_matches_engine(graph, namespace, name)


def test_notebook_explains_each_step_by_the_ops_rule(tmp_path):
    graph, notebook = notebook_of("fanout", tmp_path)
    cells = notebook.cells
    assert cells[0].source.startswith("# fanout, forward and backward")
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"
            and c.source.startswith("grad_x = grad_x + ")]
    assert len(code) == 1
    before = cells[code[0] - 1]
    assert before.cell_type == "markdown"
    assert OPS["tanh"].doc.partition("Backward:")[2].strip() in before.source
    assert "`x` feeds 2 ops" in before.source
    steps = [c for c in cells if c.cell_type == "markdown" and c.source.startswith("### ")]
    assert len(steps) == 1 + 4   # the seed, then sum, add, mul and tanh


def test_notebook_runs_in_a_kernel_where_nbclient_is_installed(tmp_path):
    nbclient = pytest.importorskip("nbclient", reason="nbclient (and a Jupyter kernel) is "
                                                      "not installed here; the cells are "
                                                      "run with exec above")
    graph, notebook = notebook_of("seed", tmp_path)
    nbclient.NotebookClient(notebook, timeout=60,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                      for o in c.outputs)
    assert f"c = {float(graph.run().value('c'))}" in printed


def test_a_notebook_without_nbformat_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "nbformat", None)
    with pytest.raises(export.ExportError, match=re.escape("pip install 'gradviz[notebook]'")):
        export.to_notebook(gradviz.load(example_path("seed")))
