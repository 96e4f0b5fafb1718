"""The GPU device. Detection is tested everywhere with a stand-in CuPy; the CPU/GPU
comparisons are marked `gpu` and skip, saying why, where no CUDA GPU answers
(`make test-gpu` runs them on a machine with one)."""
import subprocess
import sys
import types

import numpy as np
import pytest

import gradviz
from gradviz.core import devices
from gradviz.core.engine import Engine
from gradviz.core.errors import DeviceError, GraphError
from gradviz.core.examples import example_names, example_path
from gradviz.core.preview import Previews
from tests.core.test_gradients import all_cases
from tests.helpers import op_graph

AVAILABLE, REASON = devices.gpu_status()
needs_gpu = pytest.mark.skipif(not AVAILABLE, reason=f"no GPU here: {REASON}")


def fake_cupy(monkeypatch, count=None, error=None):
    runtime = types.SimpleNamespace(getDeviceCount=lambda: count if error is None
                                    else (_ for _ in ()).throw(error))
    module = types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime))
    monkeypatch.setitem(sys.modules, "cupy", module)


def test_no_cupy_is_reported(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)   # import fails
    available, reason = devices.probe_gpu()
    assert not available and reason.startswith("CuPy is not installed")


def test_driver_failure_is_reported(monkeypatch):
    fake_cupy(monkeypatch, error=RuntimeError("cudaErrorNoDevice: no CUDA-capable device"))
    available, reason = devices.probe_gpu()
    assert not available and "no usable CUDA driver or GPU: cudaErrorNoDevice" in reason


def test_zero_devices_is_reported(monkeypatch):
    fake_cupy(monkeypatch, count=0)
    assert devices.probe_gpu() == (False, "no CUDA GPU found")


@pytest.mark.skipif(AVAILABLE, reason="a GPU is present: nothing to refuse")
def test_gpu_refused_with_its_reason_in_api_and_cli():
    g = gradviz.load(example_path("seed"))
    with pytest.raises(DeviceError, match="GPU unavailable: " + REASON[:20]):
        g.run(device="gpu")
    out = subprocess.run([sys.executable, "-m", "gradviz", "run", str(example_path("seed")),
                          "--device", "gpu:1"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.startswith("gradviz: GPU unavailable: ")
    assert float(g.run(device="cpu").value("c")) == 6.770325017108724


def test_unknown_device_names_the_choices():
    with pytest.raises(DeviceError, match="use cpu, gpu or gpu:N"):
        devices.get_device("tpu")


@pytest.mark.gpu
@needs_gpu
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("op, case", all_cases())
def test_ops_agree_between_cpu_and_gpu(op, case, dtype, rtol):
    graph, ids = op_graph(op, case)
    graph.set_dtype(dtype)
    cpu = Engine().run(graph, device="cpu")
    gpu = Engine().run(graph, device="gpu")
    for node_id in [*ids, "out"]:
        np.testing.assert_allclose(gpu.value(node_id), cpu.value(node_id), rtol=rtol,
                                   atol=rtol)
        np.testing.assert_allclose(gpu.grad(node_id), cpu.grad(node_id), rtol=rtol, atol=rtol)


@pytest.mark.gpu
@needs_gpu
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("name", example_names())
def test_examples_agree_between_cpu_and_gpu(name, dtype, rtol):
    graph = gradviz.load(example_path(name))
    graph.set_dtype(dtype)
    cpu, gpu = Engine().run(graph, device="cpu"), Engine().run(graph, device="gpu")
    assert gpu.value(cpu.order[-1]).dtype == np.dtype(dtype)
    for node_id in cpu.order:
        np.testing.assert_allclose(gpu.value(node_id), cpu.value(node_id), rtol=rtol, atol=rtol)
        np.testing.assert_allclose(gpu.grad(node_id), cpu.grad(node_id), rtol=rtol, atol=rtol)


@pytest.mark.gpu
@needs_gpu
def test_only_previews_cross_to_the_host(monkeypatch):
    g = gradviz.Graph()
    g.add("input", id="x", source="randn", seed=0, shape=(1024, 1024))
    g.add("input", id="y", source="randn", seed=1, shape=(1024, 1024))
    g.set_target(g.add("sum", g.add("mul", "x", "y", id="m"), id="s"))
    device = devices.get_device("gpu")
    crossed = []
    original = device._to_host
    monkeypatch.setattr(device, "_to_host", lambda a: crossed.append(a.nbytes) or original(a))
    result = Engine().run(g, device=device)
    assert sum(crossed) == 0
    for node_id in result.order:
        for kind in ("value", "grad"):
            Previews.of(result).node(node_id, kind, 110, 164)
    assert sum(crossed) <= 8 * 8 * (110 * 164)   # block sums only, never a full array


@pytest.mark.gpu
@needs_gpu
def test_out_of_memory_is_reported_and_cpu_still_runs():
    import cupy
    pool = cupy.get_default_memory_pool()
    pool.free_all_blocks()
    pool.set_limit(size=64 * 2 ** 20)
    try:
        g = gradviz.Graph()
        g.add("input", id="x", source="fill", fill=1.0, shape=(8192, 8192))
        g.add("sum", g.add("mul", "x", "x"))
        with pytest.raises(GraphError, match="^node 'x' \\(input\\): out of memory in the "
                                             "forward pass$"):
            Engine().run(g, device="gpu")
    finally:
        pool.set_limit(size=0)
    assert float(Engine().run(g, device="cpu").value("sum1")) == 8192.0 ** 2


@pytest.mark.gpu
@needs_gpu
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_on_the_gpu_equals_the_cpu(optimizer):
    cpu, gpu = gradviz.load(example_path("mlp")), gradviz.load(example_path("mlp"))
    on_cpu = gradviz.train(cpu, steps=20, optimizer=optimizer, lr=0.05, device="cpu")
    on_gpu = gradviz.train(gpu, steps=20, optimizer=optimizer, lr=0.05, device="gpu")
    np.testing.assert_allclose(on_gpu.loss, on_cpu.loss, rtol=1e-10)
    for name in ("W1", "b1", "W2", "b2"):
        assert isinstance(gpu.nodes[name].params["value"], np.ndarray)
        np.testing.assert_allclose(gpu.nodes[name].params["value"],
                                   cpu.nodes[name].params["value"], rtol=1e-10, atol=1e-12)
