"""`gradviz train FILE`: gradient descent on a graph's trainable inputs, headless (the
editor's Train dock runs the same core `Trainer`)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from .core.devices import device_names
from .core.errors import GradvizError
from .core.fileformat import load, save
from .core.optim import MAX_STEPS, OPTIMIZERS
from .core.train import train
from .report import number

BAR_WIDTH = 30
REPORTS = 10   # loss lines printed over a training run (besides the first and last)


def _parser():
    p = argparse.ArgumentParser(
        prog="gradviz train",
        description="Train a graph's trainable inputs by gradient descent on the sum of "
                    "its target, and print the loss as it goes.")
    p.add_argument("file", help="a .gradviz file with inputs marked trainable")
    p.add_argument("--steps", type=_steps, help="how many steps (default: the file's "
                                                "training settings)")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS),
                   help="default: the file's training settings")
    p.add_argument("--lr", type=float, help="learning rate (default: the file's)")
    p.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    p.add_argument("-o", "--output", help="write the trained graph to this .gradviz file")
    p.add_argument("--json", action="store_true",
                   help='print {"loss": [...], "final_loss": x, "steps": N, "seconds": s, '
                        '"stopped": null or why} instead')
    return p


def _steps(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_STEPS:,}")
    return value


class Progress:
    """The loss every few steps; on a terminal, a bar redrawn in place between them."""

    def __init__(self, steps, out):
        self.steps, self.out = steps, out
        self.every = max(1, steps // REPORTS)
        self.bar = out.isatty()
        self.last_draw = 0.0

    def __call__(self, step, loss):
        if step == 1 or step % self.every == 0 or step == self.steps:
            self._clear()
            self.out.write(f"step {step:>{len(str(self.steps))}}  loss {loss:.6g}\n")
        if self.bar and time.monotonic() - self.last_draw > 0.1:
            done = round(BAR_WIDTH * step / self.steps)
            self.out.write(f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] {step}/{self.steps}")
            self.out.flush()
            self.last_draw = time.monotonic()

    def _clear(self):
        if self.bar:
            self.out.write("\r" + " " * (BAR_WIDTH + 2 * len(str(self.steps)) + 4) + "\r")

    def close(self):
        self._clear()


def train_command(argv):
    args = _parser().parse_args(argv)
    graph = load(args.file)
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        raise GradvizError(f"cannot write {args.output}: its folder does not exist")
    steps = args.steps or graph.training.steps
    progress = None if args.json else Progress(steps, sys.stdout)
    result = train(graph, steps=steps, optimizer=args.optimizer, lr=args.lr,
                   device=args.device, callback=progress)
    if args.json:
        loss = ", ".join(map(number, result.loss))
        stopped = json.dumps(result.stopped)
        sys.stdout.write(f'{{"loss": [{loss}], "final_loss": {number(result.final_loss)}, '
                         f'"steps": {result.steps}, "seconds": {result.seconds:.6f}, '
                         f'"stopped": {stopped}}}\n')
    else:
        progress.close()
        settings = graph.training.replace(optimizer=args.optimizer, lr=args.lr)
        print(f"trained {result.steps} steps in {result.seconds:.2f} s with "
              f"{settings.describe()}: loss {result.loss[0]:.6g} -> {result.final_loss:.6g}")
    if args.output:
        save(graph, args.output)
    if result.stopped:
        print(f"gradviz: warning: {result.stopped}", file=sys.stderr)
        return 1
    return 0
