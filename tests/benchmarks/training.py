"""Training benchmarks: optimizer steps per second against PyTorch (same network,
optimizer and dtype, CPU, same run) and display updates per second while the editor
trains."""
from __future__ import annotations

import time

import numpy as np

import gradviz
from gradviz.core.examples import example_path
from gradviz.core.train import Trainer

STEPS = 50   # steps per timed sample


def gradviz_steps(name):
    trainer = Trainer(gradviz.load(example_path(name)))
    return lambda: trainer.run(STEPS)


def _arrays(graph, result):
    return {k: np.array(result.value(k)) for k in graph.nodes if graph.nodes[k].op == "input"}


def torch_steps(name):
    """The example's network written in PyTorch, trained with torch.optim.Adam at the
    graph's settings, or None where torch is not importable."""
    try:
        import torch
    except ImportError:
        return None
    graph = gradviz.load(example_path(name))
    a = {k: torch.tensor(v, dtype=torch.float64)
         for k, v in _arrays(graph, graph.run()).items()}
    trainable = [k for k, n in graph.nodes.items() if n.params.get("trainable")]
    for k in trainable:
        a[k].requires_grad_(True)
    s = graph.training
    opt = torch.optim.Adam([a[k] for k in trainable], lr=s.lr, betas=(s.beta1, s.beta2),
                           eps=s.eps)
    f = torch.nn.functional

    def mlp():
        return torch.relu(a["X"] @ a["W1"] + a["b1"]) @ a["W2"] + a["b2"], a["labels"]

    def playground():
        def net(x):
            h = torch.tanh(x @ a["W1"] + a["b1"])
            h = torch.tanh(h @ a["W2"] + a["b2"])
            return h @ a["W3"] + a["b3"]
        with torch.no_grad():   # gradviz computes the grid's row forward on every step
            (net(a["grid"]) @ a["class_diff"]).reshape(40, 40)
        return net(a["points"]), a["labels"]
    model = {"mlp": mlp, "playground": playground}[name]

    def steps():
        for _ in range(STEPS):
            opt.zero_grad()
            logits, labels = model()
            f.cross_entropy(logits, labels.long()).backward()
            opt.step()
    return steps


def display_rate(name="playground", seconds=3.0):
    """(frames shown per second, steps per second) while the editor trains `name`."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from gradviz.gui.main_window import MainWindow
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.open_path(str(example_path(name)))
    graph = window.document.graph
    window.document.set_training(graph.training.replace(steps=10 ** 6))
    frames = []
    window.train_runner.frame.connect(lambda _: frames.append(time.perf_counter()))
    started = []

    def start():
        window.train()
        started.append(time.perf_counter())

    def stop():
        window.pause_training()
        window.document.undo_stack.setClean()   # quitting closes the window: no prompt
        app.quit()
    QTimer.singleShot(200, start)
    QTimer.singleShot(int(200 + seconds * 1000), stop)
    app.exec()
    elapsed = time.perf_counter() - started[0]
    steps = window.trainer.steps
    window.close()
    return len(frames) / elapsed, steps / elapsed
