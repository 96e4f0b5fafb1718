"""Optimizers, written as PyTorch's `torch.optim` docstrings and code state them, so
gradviz's steps equal PyTorch's: SGD, SGD with momentum (the buffer starts as the first
gradient; the learning rate stays outside it) and Adam (eps after the square root and
the bias correction). They work in the array namespace on the run's device and return
new arrays: nothing a display still holds is written into."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
MAX_STEPS = 1_000_000


@dataclass(frozen=True)
class TrainSettings:
    """A graph's training settings, saved in its file. `steps` is how many steps one
    press of Train (or `gradviz train` without --steps) takes."""
    optimizer: str = "adam"
    lr: float = 0.01
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    steps: int = 500

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, "
                             f"not {self.optimizer!r}")
        for name, low, high in (("lr", 0, math.inf), ("momentum", 0, 1), ("beta1", 0, 1),
                                ("beta2", 0, 1), ("eps", 0, math.inf)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, not {value!r}")
            inside = low < value < high if name in ("lr", "eps") else low <= value < high
            if not inside:   # NaN is outside too
                raise ValueError(f"{name} must be in {_interval(name, low, high)}, not {value}")
            object.__setattr__(self, name, float(value))
        if type(self.steps) is not int or not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, "
                             f"not {self.steps!r}")

    def replace(self, **changes) -> TrainSettings:
        """These settings with `changes` (None values ignored), checked again."""
        return TrainSettings(**{**asdict(self), **{k: v for k, v in changes.items()
                                                   if v is not None}})

    def describe(self) -> str:
        """One line: "Adam, lr 0.01, betas 0.9, 0.999, eps 1e-08"."""
        extra = {"sgd": "", "momentum": f", momentum {self.momentum:g}",
                 "adam": f", betas {self.beta1:g}, {self.beta2:g}, eps {self.eps:g}"}
        return f"{OPTIMIZERS[self.optimizer]}, lr {self.lr:g}{extra[self.optimizer]}"


def _interval(name, low, high):
    return f"({low}, ∞)" if high == math.inf else f"[{low}, {high})"


def make_optimizer(settings: TrainSettings):
    return {"sgd": SGD, "momentum": Momentum, "adam": Adam}[settings.optimizer](settings)


class SGD:
    """θ ← θ − lr·g. An optimizer reads its `settings` at every step: training that
    goes on with a new learning rate keeps its state (momentum, Adam's moments)."""

    def __init__(self, settings):
        self.settings = settings

    def step(self, xp, params, grads):
        """New values for `params` (id → array) from `grads` (id → array or None: a
        parameter without a gradient is not stepped, as in PyTorch)."""
        return {k: p if grads.get(k) is None else self.update(xp, k, p, grads[k])
                for k, p in params.items()}

    def update(self, xp, key, p, g):
        return p - self.settings.lr * g


class Momentum(SGD):
    """b ← g at the first step, then b ← μ·b + g; θ ← θ − lr·b."""

    def __init__(self, settings):
        super().__init__(settings)
        self.buffers = {}

    def update(self, xp, key, p, g):
        b = self.buffers.get(key)
        b = g if b is None else self.settings.momentum * b + g
        self.buffers[key] = b
        return p - self.settings.lr * b


class Adam(SGD):
    """m ← m + (1−β1)(g − m); v ← β2·v + (1−β2)·g²;
    θ ← θ − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps), in PyTorch's order of operations."""

    def __init__(self, settings):
        super().__init__(settings)
        self.steps, self.m, self.v = {}, {}, {}

    def update(self, xp, key, p, g):
        s = self.settings
        t = self.steps[key] = self.steps.get(key, 0) + 1
        m, v = self.m.get(key), self.v.get(key)
        m = (1 - s.beta1) * g if m is None else m + (1 - s.beta1) * (g - m)
        v = (1 - s.beta2) * (g * g) if v is None else s.beta2 * v + (1 - s.beta2) * (g * g)
        self.m[key], self.v[key] = m, v
        bias1, bias2 = 1 - s.beta1 ** t, 1 - s.beta2 ** t
        denom = xp.sqrt(v) / math.sqrt(bias2) + s.eps
        return p - (s.lr / bias1) * (m / denom)
