"""Benchmarks (not tests): `make bench`. Every timing is a median over interleaved runs,
reported as a ratio to a reference measured in the same process, because these machines
are shared and noisy."""
from __future__ import annotations

import gc
import statistics
import time
import tracemalloc

import numpy as np

import gradviz
from gradviz.core.engine import Engine
from tests.benchmarks.scale import rows as scale_rows
from tests.benchmarks.training import STEPS, display_rate, gradviz_steps, torch_steps


def notebook(x, y, z):
    """The seed notebook's own code, forward and hand-written backward."""
    H, W = x.shape
    a = x * y
    b = a + z
    c = np.sum(b)
    grad_c = 1.
    grad_b = grad_c * np.ones((H, W))
    grad_a = grad_b.copy()
    grad_z = grad_b.copy()
    grad_x = grad_a * y
    grad_y = grad_a * x
    return c, grad_x, grad_y, grad_z


def seed_graph(shape, rng):
    g = gradviz.Graph()
    arrays = [rng.standard_normal(shape) for _ in range(3)]
    x, y, z = (g.add("input", id=n, value=v) for n, v in zip("xyz", arrays))
    g.add("sum", g.add("add", g.add("mul", x, y, id="a"), z, id="b"), id="c")
    return g, [g.nodes[n].params["value"] for n in "xyz"]


def interleaved(fns, repeat, number):
    """Median seconds per call of each fn, alternating between them."""
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[i].append((time.perf_counter() - start) / number)
    return [statistics.median(s) for s in samples]


def peak_arrays(fn, array_bytes):
    """Peak memory fn allocates (kept results included), in arrays of array_bytes."""
    gc.collect()
    tracemalloc.start()
    kept = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return peak / array_bytes


def bench_seed():
    rng = np.random.default_rng(0)
    rows = []
    for shape, repeat, number in [((4, 3), 21, 2000), ((512, 512), 15, 10),
                                  ((2048, 2048), 7, 1), ((4096, 4096), 5, 1)]:
        graph, (x, y, z) = seed_graph(shape, rng)
        engine = Engine()
        ours, ref = interleaved([lambda: engine.run(graph, reuse=False),
                                 lambda: notebook(x, y, z)], repeat, number)
        rows.append((f"{shape[0]}x{shape[1]}", ours, ref))
    size = 4096 * 4096 * 8
    graph, (x, y, z) = seed_graph((4096, 4096), rng)
    mem_ours = peak_arrays(lambda: Engine().run(graph, reuse=False), size)
    mem_ref = peak_arrays(lambda: notebook(x, y, z), size)
    return rows, (mem_ours, mem_ref)


def chain_graph(n):
    rng = np.random.default_rng(0)
    g = gradviz.Graph()
    prev = g.add("input", id="x0", value=rng.standard_normal((4, 3)))
    for i in range(n):
        leaf = g.add("input", value=rng.standard_normal((4, 3)))
        prev = g.add("mul" if i % 2 else "add", prev, leaf)
    g.add("sum", prev)
    return g


def torch_chain(n):
    try:
        import torch
    except ImportError:
        return None
    gen = torch.Generator().manual_seed(0)
    leaves = [torch.randn(4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
              for _ in range(n + 1)]

    def step():
        prev = leaves[0]
        for i in range(n):
            prev = prev * leaves[i + 1] if i % 2 else prev + leaves[i + 1]
        prev.sum().backward()
    return step


def bench_chain(n=1000):
    graph = chain_graph(n)
    engine = Engine()
    fns = [lambda: engine.run(graph, reuse=False)]
    torch_step = torch_chain(n)
    if torch_step:
        fns.append(torch_step)
    times = interleaved(fns, 11, 3)
    return [t / n * 1e6 for t in times]


def startup(repeat=5):
    """Seconds from process start to the first painted window with the seed graph
    computed, against importing pyqtgraph and creating a QApplication alone."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GRADVIZ_STARTUP_PROBE": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # a user's second start finds .pyc files
    reference = ("import pyqtgraph; from PySide6.QtWidgets import QApplication; "
                 "QApplication([]); print('painted')")
    commands = [[sys.executable, "-m", "gradviz"], [sys.executable, "-c", reference]]
    for command in commands:   # the first start writes them
        subprocess.run(command, env=env, capture_output=True, timeout=60)
    samples = [[], []]
    for _ in range(repeat):
        for i, command in enumerate(commands):
            start = time.perf_counter()
            out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
            assert "painted" in out.stdout, out.stderr
            samples[i].append(time.perf_counter() - start)
    return [statistics.median(s) for s in samples]


def wide_graph(n_nodes=200, shape=(256, 256)):
    """n_nodes nodes of `shape`: a quarter inputs, the rest mul/add mixing earlier nodes."""
    rng = np.random.default_rng(0)
    g = gradviz.Graph()
    ids = [g.add("input", value=rng.standard_normal(shape)) for _ in range(n_nodes // 4)]
    while len(g.nodes) < n_nodes - 1:
        a, b = ids[-1], ids[int(rng.integers(0, len(ids) - 1))]
        ids.append(g.add("mul" if len(ids) % 2 else "add", a, b))
    g.set_target(g.add("sum", ids[-1]))
    for i, node_id in enumerate(g.nodes):
        g.set_pos(node_id, (220 * (i % 20), 260 * (i // 20)))
    return g


def canvas(graph):
    """(scene, view) of `graph` in a shown 1400x900 canvas."""
    from gradviz.gui.render import ensure_app
    ensure_app()
    from gradviz.gui.document import Document
    from gradviz.gui.scene import GraphScene
    from gradviz.gui.view import GraphView
    document = Document()
    document.replace(graph)
    scene = GraphScene(document)
    view = GraphView(scene)
    view.resize(1400, 900)
    view.show()
    view.document = document   # kept alive with the view
    return scene, view


def rerun_and_repaint(graph, repeat):
    """Median seconds to re-run after an input edit and repaint every heatmap."""
    scene, view = canvas(graph)
    engine = Engine()
    scene.show_result(engine.run(graph))
    view.fit_all()
    first = next(iter(graph.nodes))
    base = graph.nodes[first].params["value"]
    times = []
    for i in range(repeat):
        graph.set_params(first, {"value": base * (1 + 1e-3 * (i + 1))})
        start = time.perf_counter()
        scene.show_result(engine.run(graph))
        view.viewport().repaint()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def far_apart_repaint(repeat=21):
    """Median seconds to repaint the seed graph's canvas at 100 % and fitted, as it is
    and with two nodes moved to the position bound (±1,000,000 on both axes)."""
    from gradviz.core.graph import MAX_COORDINATE
    medians = []
    for far in (False, True):
        graph = gradviz.load(__import__("gradviz.core.examples",
                                        fromlist=["x"]).example_path("seed"))
        if far:
            graph.set_pos("x", (MAX_COORDINATE, MAX_COORDINATE))
            graph.set_pos("c", (-MAX_COORDINATE, -MAX_COORDINATE))
        scene, view = canvas(graph)
        scene.show_result(graph.run())
        times = []
        for i in range(repeat):
            if i % 2:
                view.fit_all()
            else:
                view.zoom_100()
                view.centerOn(scene.nodes["a"])
            start = time.perf_counter()
            view.viewport().grab()
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
    return medians


def bench_check(repeat=3):
    """Median seconds of the gradient check of cnn.gradviz (every input, all elements)."""
    from gradviz.core.check import check_gradients
    graph = gradviz.load(__import__("gradviz.core.examples", fromlist=["x"]).example_path("cnn"))
    return interleaved([lambda: check_gradients(graph)], repeat, 1)[0]


def health_cost(repeat=11):
    """Median seconds of what the editor does after an edit of the 200-node graph (run
    and reduce for display), and of the health flags it adds."""
    from gradviz.core.health import health
    from gradviz.core.views import get_view
    from gradviz.gui import display
    graph = wide_graph()
    ops = {n: node.op for n, node in graph.nodes.items()}
    engine, view = Engine(), get_view("both")
    results = []

    def run():
        results.append(engine.run(graph, reuse=False))
        display.prepare(results[-1], view, {})

    def flags():
        health(results[-1], ops)
    return interleaved([run, flags], repeat, 1)


def bench_gpu():
    """GPU against CPU in one run (synchronized before the clock stops), or None."""
    from gradviz.core.devices import get_device, gpu_status
    available, reason = gpu_status()
    if not available:
        return reason
    import cupy
    gpu = get_device("gpu")
    rng = np.random.default_rng(0)
    rows = []
    cases = [("seed 4096x4096", seed_graph((4096, 4096), rng)[0], 5),
             ("seed 8192x8192", seed_graph((8192, 8192), rng)[0], 3),
             ("200 nodes of 1024x1024", wide_graph(200, (1024, 1024)), 3)]
    for name, graph, repeat in cases:
        cpu_engine, gpu_engine = Engine(), Engine()
        gpu_engine.run(graph, device=gpu, reuse=False)  # warm-up: context, kernels
        gpu.synchronize()

        def on_gpu():
            gpu_engine.run(graph, device=gpu, reuse=False)
            gpu.synchronize()
        cpu_time, gpu_time = interleaved([lambda: cpu_engine.run(graph, reuse=False), on_gpu],
                                         repeat, 1)
        rows.append((name, cpu_time, gpu_time))
    card = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    return card, rows


def scaled_cnn(batch=32, size=64, channels=16):
    """The cnn example scaled up: batch x 1 x size x size images, `channels` 3x3 kernels."""
    from gradviz.core.examples import example_path
    rng = np.random.default_rng(0)
    g = gradviz.load(example_path("cnn"))
    images = rng.standard_normal((batch, 1, size, size))
    kernels = rng.standard_normal((channels, 1, 3, 3)) * 0.5
    W = rng.standard_normal((channels * (size // 2) ** 2, 3)) * 0.01
    labels = rng.integers(0, 3, batch).astype(float)
    for name, value in (("images", images), ("kernels", kernels), ("W", W),
                        ("labels", labels)):
        g.set_params(name, {"source": "value", "value": value})
    return g, (images, kernels, W, labels)


def torch_cnn(images, kernels, W, labels):
    try:
        import torch
    except ImportError:
        return None
    t = {k: torch.tensor(v, requires_grad=k != "labels")
         for k, v in dict(images=images, kernels=kernels, W=W, labels=labels).items()}
    f = torch.nn.functional

    def step():
        for v in t.values():
            v.grad = None
        h = f.max_pool2d(f.relu(f.conv2d(t["images"], t["kernels"], padding=1)), 2)
        loss = f.cross_entropy(h.flatten(1) @ t["W"], t["labels"].long())
        loss.backward()
    return step


def bench_cnn():
    graph, arrays = scaled_cnn()
    engine = Engine()
    fns = [lambda: engine.run(graph, reuse=False)]
    reference = torch_cnn(*arrays)
    if reference:
        fns.append(reference)
    return interleaved(fns, 7, 1)


def main():
    seed = gradviz.load(__import__("gradviz.core.examples", fromlist=["x"]).example_path("seed"))
    seed.set_params("x", {"value": seed.run().value("x")})
    print("## Re-run after an edit and repaint every heatmap (median)\n")
    print(f"seed graph: {rerun_and_repaint(seed, 51) * 1e3:.1f} ms; "
          f"200 nodes of 256x256: {rerun_and_repaint(wide_graph(), 11) * 1e3:.0f} ms\n")
    near, far = far_apart_repaint()
    print(f"repaint at 100 % and fitted: seed graph {near * 1e3:.1f} ms; with two nodes "
          f"at ±1,000,000: {far * 1e3:.1f} ms\n")
    check_time = bench_check()
    run_time, flag_time = health_cost()
    print("## Instruments\n")
    print(f"gradient check of cnn.gradviz (484 elements, every input): {_fmt(check_time)}")
    print(f"health flags on the 200-node graph: {_fmt(flag_time)} after {_fmt(run_time)} "
          f"of run and display reductions ({flag_time / run_time:.1%} added)\n")
    ours, ref = startup()
    print("## Start-up (process start to first painted window, seed graph computed)\n")
    print(f"gradviz: {ours:.2f} s; importing pyqtgraph + creating a QApplication: {ref:.2f} s\n")
    print("## Seed graph, forward + backward (median; ratio = gradviz / notebook code)\n")
    print("| size | gradviz | notebook code | ratio |")
    print("|---|---|---|---|")
    rows, (mem_ours, mem_ref) = bench_seed()
    for size, ours, ref in rows:
        print(f"| {size} | {_fmt(ours)} | {_fmt(ref)} | {ours / ref:.2f} |")
    print(f"\nPeak memory at 4096x4096, all values and gradients kept: gradviz "
          f"{mem_ours:.1f} arrays, notebook code {mem_ref:.1f} arrays (beyond the inputs).\n")
    gpu = bench_gpu()
    if isinstance(gpu, str):
        print(f"## GPU\n\nskipped: {gpu}\n")
    else:
        card, rows = gpu
        print(f"## GPU ({card}) against CPU, forward + backward\n")
        print("| graph | CPU | GPU | speed-up |")
        print("|---|---|---|---|")
        for name, cpu_time, gpu_time in rows:
            print(f"| {name} | {_fmt(cpu_time)} | {_fmt(gpu_time)} | {cpu_time / gpu_time:.1f}x |")
        print()
    cnn = bench_cnn()
    print("## cnn.gradviz scaled to 32 images of 64x64, 16 channels, forward + backward\n")
    if len(cnn) > 1:
        print(f"gradviz: {_fmt(cnn[0])}; PyTorch CPU, same network: {_fmt(cnn[1])}; "
              f"ratio {cnn[0] / cnn[1]:.2f}\n")
    else:
        print(f"gradviz: {_fmt(cnn[0])}; PyTorch not importable, comparison skipped\n")
    print("## Training, optimizer steps per second (median; Adam, float64, CPU)\n")
    print("| graph | gradviz | PyTorch, same network | ratio |")
    print("|---|---|---|---|")
    for name in ("mlp", "playground"):
        fns = [gradviz_steps(name)]
        reference = torch_steps(name)
        if reference:
            fns.append(reference)
        times = [t / STEPS for t in interleaved(fns, 9, 1)]
        if len(times) > 1:
            print(f"| {name} | {1 / times[0]:,.0f} | {1 / times[1]:,.0f} | "
                  f"{times[1] / times[0]:.2f} |")
        else:
            print(f"| {name} | {1 / times[0]:,.0f} | not importable | |")
    frames, steps = display_rate()
    print(f"\nLive training of playground in the editor: {frames:.1f} display updates per "
          f"second, {steps:,.0f} steps per second\n")
    print("## The canvas at scale (64x64 arrays; medians; memory the open editor added)\n")
    print("| graph | nodes | open | repaint while panning at Fit All | at 100 % | "
          "edit → run → repaint at 100 % | at Fit All | memory added |")
    print("|---|---|---|---|---|---|---|---|")
    for name, nodes, opened, fit, full, edit, edit_fit, memory in scale_rows():
        print(f"| {name} | {nodes} | {opened:.2f} s | {fit * 1e3:.0f} ms | "
              f"{full * 1e3:.0f} ms | {edit * 1e3:.0f} ms | {edit_fit * 1e3:.0f} ms | "
              f"{memory:.0f} MiB |")
    print()
    chain = bench_chain()
    print("## 1000-node chain of 4x3 mul/add, a fresh leaf per node (per node)\n")
    print(f"gradviz: {chain[0]:.1f} µs per node")
    if len(chain) > 1:
        print(f"PyTorch CPU autograd: {chain[1]:.1f} µs per node")
    else:
        print("PyTorch: not importable here, comparison skipped")


def _fmt(seconds):
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
