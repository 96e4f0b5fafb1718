"""Classic 2-d learning problems and a grid of points, as host arrays (pure NumPy).

A dataset is n points (n, 2) with labels 0 or 1 (n,), all drawn from one
`np.random.default_rng(seed)` and then shuffled with it, so the same arguments give the
same points and labels whichever part is asked for. Class 0 has n // 2 points, class 1
the rest; `noise` is each dataset's own kind of noise:

- moons (scikit-learn's make_moons): class 0 at (cos t, sin t), class 1 at
  (1 − cos t, 1 − sin t − 0.5), t = linspace(0, π) over each class's points; Gaussian
  noise of standard deviation `noise` on every coordinate.
- circles (make_circles, factor 0.5): class 0 on the circle of radius 1, class 1 on the
  circle of radius 0.5, at angles linspace(0, 2π, endpoint=False); Gaussian noise as
  moons.
- spirals (TensorFlow Playground): point i of a class's m points at r = 5i/m,
  t = 1.75 · 2π · i/m + Δ (Δ = 0 for class 0, π for class 1), (r sin t, r cos t), plus
  U(−1, 1) · noise on each coordinate.
- xor (Playground): x, y ~ U(−5, 5), each pushed 0.3 away from 0; label 1 where
  (x + δx)(y + δy) ≥ 0, δ ~ U(−5, 5) · noise per axis (noise flips labels near the
  axes; the points stay where they are).
- blobs: class 0 around (2, 2), class 1 around (−2, −2), Gaussian with standard
  deviation 1 + noise.
"""
from __future__ import annotations

import math

import numpy as np

PARTS = ("points", "labels", "onehot")


def _labels(n):
    """n // 2 zeros (class 0), then ones."""
    return np.repeat([0.0, 1.0], [n // 2, n - n // 2])


def _moons(rng, n, noise):
    t_out, t_in = np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)
    points = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                             np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])])
    return points + rng.normal(0, noise, points.shape), _labels(n)


def _circle(m, radius):
    t = np.linspace(0, 2 * np.pi, m, endpoint=False)
    return radius * np.column_stack([np.cos(t), np.sin(t)])


def _circles(rng, n, noise):
    points = np.concatenate([_circle(n // 2, 1.0), _circle(n - n // 2, 0.5)])
    return points + rng.normal(0, noise, points.shape), _labels(n)


def _spiral(m, delta):
    i = np.arange(m)
    r, t = 5 * i / m, 1.75 * 2 * np.pi * i / m + delta
    return np.column_stack([r * np.sin(t), r * np.cos(t)])


def _spirals(rng, n, noise):
    points = np.concatenate([_spiral(n // 2, 0.0), _spiral(n - n // 2, np.pi)])
    return points + rng.uniform(-1, 1, points.shape) * noise, _labels(n)


def _xor(rng, n, noise):
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    seen = points + rng.uniform(-5, 5, (n, 2)) * noise
    return points, (seen[:, 0] * seen[:, 1] >= 0).astype(np.float64)


def _blobs(rng, n, noise):
    centers = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n // 2, n - n // 2], axis=0)
    return centers + rng.normal(0, 1 + noise, (n, 2)), _labels(n)


_GENERATORS = {"moons": _moons, "circles": _circles, "spirals": _spirals, "xor": _xor,
               "blobs": _blobs}
DATASETS = tuple(_GENERATORS)


def dataset(which, n, noise, seed):
    """(points (n, 2), labels (n,)) of a dataset, shuffled."""
    rng = np.random.default_rng(seed)
    points, labels = _GENERATORS[which](rng, n, noise)
    order = rng.permutation(n)
    return points[order], labels[order]


def part_shape(part, n):
    return (n,) if part == "labels" else (n, 2)


def dataset_part(part, which, n, noise, seed):
    """One part of a dataset: its points, its labels, or its labels one-hot (n, 2)."""
    points, labels = dataset(which, n, noise, seed)
    if part == "points":
        return points
    return labels if part == "labels" else np.eye(2)[labels.astype(int)]


def grid_shape(low, high, resolution):
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"grid low must be below high, both finite: low={low}, high={high}")
    return (resolution * resolution, 2)


def grid(low, high, resolution):
    """Points of a resolution × resolution grid over [low, high]², row by row from the
    top: point[i·res + j] = (x_j, y_i), x rising, y falling, so a per-point array
    reshaped to (res, res) reads like a plot."""
    grid_shape(low, high, resolution)
    x, y = np.meshgrid(np.linspace(low, high, resolution), np.linspace(high, low, resolution))
    return np.column_stack([x.ravel(), y.ravel()])
