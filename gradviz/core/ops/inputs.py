"""The `input` op: where arrays enter a graph. Its sources build host arrays; the
engine moves them to the run's device."""
from __future__ import annotations

import math
import os

import numpy as np

from ..shapes import check_shape
from . import datasets
from .spec import OpSpec, Param, register

SOURCES = ("value", "randn", "fill", "npy", "dataset", "grid")
_DRAW_CHUNK = 1 << 20
_NPY_HEADER_LIMIT = 10000
MAX_OFFSET = 2 ** 24   # draws are skipped one by one: about half a second at most


def _resolve(path, base_dir):
    path = os.path.expanduser(path)
    if base_dir and not os.path.isabs(path):
        path = os.path.join(base_dir, path)
    return path


def _npy_header(path):
    """Shape and dtype of a .npy file from its header alone (nothing is allocated)."""
    if os.path.exists(path) and not os.path.isfile(path):  # a FIFO or device would block
        raise ValueError(f"{path} is not a regular file")
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(
                    f, max_header_size=_NPY_HEADER_LIMIT)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(
                    f, max_header_size=_NPY_HEADER_LIMIT)
    except OSError as e:
        raise ValueError(f"cannot read {path}: {e.strerror or e}") from None
    except (ValueError, SyntaxError, TypeError) as e:
        raise ValueError(f"{path} is not a valid .npy file ({e})") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        raise ValueError(f"{path} holds {dtype}, not numbers")
    return check_shape(shape, f"{path} shape"), dtype


def randn_stream(seed, offset, shape):
    """Standard normals from NumPy's legacy `np.random.seed(seed)` stream, skipping the
    first `offset` draws, so a notebook's `np.random.randn` calls can be reproduced."""
    rng = np.random.RandomState(seed)
    remaining = offset
    while remaining:  # skip in chunks: the stream does not depend on how draws are split
        n = min(remaining, _DRAW_CHUNK)
        rng.standard_normal(n)
        remaining -= n
    return rng.standard_normal(math.prod(shape)).reshape(shape)


def _shape(params, base_dir=None):
    source = params["source"]
    if source == "value":
        return tuple(params["value"].shape)
    if source == "npy":
        return _npy_header(_resolve(params["path"], base_dir))[0]
    if source == "dataset":
        return datasets.part_shape(params["part"], params["n"])
    if source == "grid":
        return datasets.grid_shape(params["low"], params["high"], params["resolution"])
    return tuple(params["shape"])


def _source(params, base_dir=None):
    source = params["source"]
    if source == "value":
        return params["value"]
    if source == "randn":
        return randn_stream(params["seed"], params["offset"], params["shape"])
    if source == "fill":
        return np.full(params["shape"], params["fill"], dtype=np.float64)
    if source == "dataset":
        return datasets.dataset_part(params["part"], params["which"], params["n"],
                                     params["noise"], params["seed"])
    if source == "grid":
        return datasets.grid(params["low"], params["high"], params["resolution"])
    path = _resolve(params["path"], base_dir)
    _npy_header(path)  # refuses objects and oversized arrays before loading anything
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise ValueError(f"cannot load {path}: {e}") from None
    return np.asarray(arr, dtype=np.float64)


def _complete(params):
    """The source the given params imply, for `Graph.add("input", value=...)`."""
    if "source" in params:
        return params
    for key, source in (("value", "value"), ("path", "npy"), ("fill", "fill"),
                        ("which", "dataset"), ("resolution", "grid"),
                        ("seed", "randn"), ("offset", "randn")):
        if key in params:
            return {**params, "source": source}
    return {**params, "source": "randn"}


def _adjust(old, new, base_dir=None):
    """Switching sources keeps the array: explicit values start from the array the old
    source gave (zeros of its shape where it gives none, such as a missing .npy
    file), and a draw or a fill takes the old array's shape."""
    source = new.get("source")
    if source == "value" and "value" not in new:
        try:
            current = _source(old, base_dir)
        except (ValueError, OSError):
            current = np.zeros(old.get("shape", ()))
        return {**new, "value": current}
    if source in ("randn", "fill") and "shape" not in new:
        try:
            return {**new, "shape": tuple(_shape(old, base_dir))}
        except (ValueError, OSError):
            return new
    return new


def fresh_offset(inputs, seed=0):
    """The first offset past every draw of `seed` among `inputs` (the params of input
    nodes): a new input drawn there gets numbers of its own (inputs added by hand were
    all the same array)."""
    ends = [p["offset"] + math.prod(p["shape"]) for p in inputs
            if p.get("source") == "randn" and p.get("seed") == seed]
    return max(ends, default=0)


register(OpSpec(
    "input", inputs=(), category="Inputs", title="Input",
    doc="An array that enters the graph: explicit values, a seeded random draw, "
        "a constant fill, a .npy file, a classic 2-d dataset, or a grid of 2-d points.",
    params=(
        Param("source", "choice", "randn", "Where the array comes from", choices=SOURCES),
        Param("which", "choice", "moons", "The dataset", choices=datasets.DATASETS,
              when=("source", ("dataset",)), since=(1, 1)),
        Param("part", "choice", "points", "Its points (n, 2), labels 0 or 1 (n,), or "
              "labels one-hot (n, 2)", choices=datasets.PARTS,
              when=("source", ("dataset",)), since=(1, 1)),
        Param("n", "int", 200, "Number of points", when=("source", ("dataset",)),
              low=2, high=100000, since=(1, 1)),
        Param("noise", "float", 0.1, "How far points stray (see the dataset's definition)",
              when=("source", ("dataset",)), low=0, high=10, since=(1, 1)),
        Param("low", "float", -3.0, "Smallest x and y", when=("source", ("grid",)),
              since=(1, 1)),
        Param("high", "float", 3.0, "Largest x and y", when=("source", ("grid",)),
              since=(1, 1)),
        Param("resolution", "int", 50, "Points per side (the grid has its square)",
              when=("source", ("grid",)), low=2, high=1024, since=(1, 1)),
        Param("value", "array", None, "The array itself", when=("source", ("value",))),
        Param("seed", "int", 0, "Seed of the draw (randn: NumPy's legacy stream; "
              "dataset: np.random.default_rng)",
              when=("source", ("randn", "dataset")), low=0, high=2 ** 32 - 1),
        Param("offset", "int", 0, "Draws to skip before this array",
              when=("source", ("randn",)), low=0, high=MAX_OFFSET),
        Param("shape", "shape", (4, 3), "Array shape", when=("source", ("randn", "fill"))),
        Param("fill", "float", 1.0, "Value of every element", when=("source", ("fill",))),
        Param("path", "path", "", "A .npy file (relative to the graph file)",
              when=("source", ("npy",))),
        Param("trainable", "bool", False, "Training updates this array: a randn, fill, npy "
              "or dataset source becomes explicit values once trained", since=(1, 1)),
    ),
    shape=_shape, forward=None, vjp=None, source=_source, complete=_complete, adjust=_adjust,
))
