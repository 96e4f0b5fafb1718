"""The display side of a run: arrays reduced on their device, so that only what is
shown crosses to the host. A preview keeps the array's layout: 0-d and 1-d become one
row, 2-d stays, 3-d and 4-d keep their leading axes (at most MAX_TILES slices each) and
reduce their last two axes by block means; from 5-d on, the axes before the last three
are merged into the first (tile rows run through them in C order). Statistics are
reduced the same way."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .devices import device_of

MAX_TILES = 8


@dataclass
class Preview:
    """`data`: host float64 array (..., rows, cols) of block means. `block`: the
    (rows, cols) of the original each preview cell averages. `shape`: the full shape.
    `tiles`: how many leading slices are shown of each leading axis."""
    data: np.ndarray
    block: tuple
    shape: tuple

    @property
    def exact(self):
        return self.block == (1, 1)

    def source_index(self, lead, row, col):
        """Full-array index range of preview cell (lead..., row, col): a tuple of ints
        when the cell is one element, else of (start, stop) pairs for the last two axes."""
        br, bc = self.block
        rows, cols = _matrix_shape(self.shape)
        r0, c0 = row * br, col * bc
        r1, c1 = min(r0 + br, rows), min(c0 + bc, cols)
        ndim = len(self.shape)
        if ndim == 0:
            return ()
        if ndim == 1:
            return (c0,) if c1 - c0 == 1 else ((c0, c1),)
        if ndim > 4:   # the first tile index runs through the merged leading axes
            merged = tuple(int(i) for i in np.unravel_index(lead[0], self.shape[:-3]))
            lead = (*merged, *lead[1:])
        if (r1 - r0, c1 - c0) == (1, 1):
            return (*lead, r0, c0)
        return (*lead, (r0, r1), (c0, c1))


def _matrix_shape(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    return shape[-2], shape[-1]


@lru_cache(maxsize=64)
def _block_sizes(rows, cols, br, bc):
    """How many elements each br x bc block of a rows x cols matrix holds (the blocks
    at the ragged edges hold fewer)."""
    count_r = np.full(math.ceil(rows / br), br, dtype=np.float64)
    count_r[-1] = rows - (len(count_r) - 1) * br
    count_c = np.full(math.ceil(cols / bc), bc, dtype=np.float64)
    count_c[-1] = cols - (len(count_c) - 1) * bc
    sizes = np.outer(count_r, count_c)
    sizes.flags.writeable = False
    return sizes


def _block_mean(xp, to_host, a, br, bc):
    """Host array of means over br x bc blocks of the last two axes; the blocks at the
    ragged edges average only what they hold. Only the block sums leave the device."""
    rows, cols = a.shape[-2], a.shape[-1]
    if type(a) is np.ndarray:   # already on the host: one pass, ragged edges and all
        sums = np.add.reduceat(np.add.reduceat(a, np.arange(0, rows, br), axis=-2),
                               np.arange(0, cols, bc), axis=-1)
        return sums.astype(np.float64, copy=False) / _block_sizes(rows, cols, br, bc)
    out_r, out_c = math.ceil(rows / br), math.ceil(cols / bc)
    lead = a.shape[:-2]
    if (out_r * br, out_c * bc) != (rows, cols):
        padded = xp.zeros((*lead, out_r * br, out_c * bc), dtype=a.dtype, device=device_of(a))
        padded[..., :rows, :cols] = a
        a = padded
    # Rows of each block first (whole contiguous rows at a time), then columns: about
    # three times faster than one reduction over both strided axes.
    rows_summed = xp.sum(xp.reshape(a, (*lead, out_r, br, out_c * bc)), axis=-2)
    sums = np.asarray(to_host(xp.sum(xp.reshape(rows_summed, (*lead, out_r, out_c, bc)),
                                     axis=-1)), dtype=np.float64)
    return sums / _block_sizes(rows, cols, br, bc)


def make_preview(xp, to_host, array, max_rows, max_cols) -> Preview:
    """Reduce `array` on its device to at most max_rows x max_cols cells per slice."""
    shape = tuple(array.shape)
    a = array
    if a.ndim == 0:
        a = xp.reshape(a, (1, 1))
    elif a.ndim == 1:
        a = xp.reshape(a, (1, shape[0]))
    elif a.ndim > 2:
        if a.ndim > 4:
            a = xp.reshape(a, (-1, *shape[-3:]))
        index = tuple(slice(0, MAX_TILES) for _ in a.shape[:-2])
        a = a[index]
    rows, cols = a.shape[-2], a.shape[-1]
    # One block size for both axes, so cells stay square like the array's own grid;
    # but an axis that fits whole is not merged (a 64x3 matrix keeps its 3 columns).
    b = max(1, math.ceil(rows / max(max_rows, 1)), math.ceil(cols / max(max_cols, 1)))
    br = b if rows > max_rows else 1
    bc = b if cols > max_cols else 1
    if rows == 0 or cols == 0 or (br, bc) == (1, 1):
        host = np.asarray(to_host(a), dtype=np.float64)
    else:
        host = _block_mean(xp, to_host, a, br, bc)
    return Preview(host, (br, bc), shape)


class Previews:
    """What a run looks like, reduced for display and cached: node and edge previews,
    statistics, edge magnitudes and single elements. `Previews.of(result)` is shared by
    everyone who shows the same run (the worker prepares it; the GUI paints from it)."""

    def __init__(self, result):
        self.result = result
        self.device = result.device
        self._cache = {}
        self._finite = {}   # (node, kind) -> no NaN or Inf, known from a preview

    @classmethod
    def of(cls, result):
        previews = result.derived.get(cls)
        if previews is None:
            previews = result.derived[cls] = cls(result)
        return previews

    def array(self, node_id, kind):
        """kind 'value' or 'grad' (None for the gradient of a node off the target
        path), or an instrument's array kept in `result.derived["arrays"]`."""
        r = self.result
        if kind == "value":
            return r.device_value(node_id)
        if kind == "grad":
            return r.device_grad(node_id)
        return r.derived.get("arrays", {}).get((node_id, kind))

    def _cached(self, key, array_of, make):
        if key not in self._cache:
            array = array_of()
            if array is None:
                self._cache[key] = None
            else:
                with self.device.errstate():
                    self._cache[key] = make(array)
        return self._cache[key]

    def _reduce(self, max_rows, max_cols):
        return lambda a: make_preview(self.device.xp, self.device.to_host, a, max_rows, max_cols)

    def node(self, node_id, kind, max_rows, max_cols) -> Preview | None:
        """The node's value or gradient in at most max_rows x max_cols cells per slice."""
        preview = self._cached(("node", node_id, kind, max_rows, max_cols),
                               lambda: self.array(node_id, kind),
                               self._reduce(max_rows, max_cols))
        if preview is not None and (node_id, kind) not in self._finite:
            self._finite[(node_id, kind)] = bool(np.isfinite(preview.data).all())
        return preview

    def edge(self, dst, port, max_rows, max_cols) -> Preview | None:
        """The gradient flowing back through dst.port, reduced likewise."""
        return self._cached(("edge", dst, port, max_rows, max_cols),
                            lambda: self.result.device_edge_grad(dst, port),
                            self._reduce(max_rows, max_cols))

    def forget(self, kind):
        """Drop what is cached of arrays of `kind` (an instrument's, attached later)."""
        self._cache = {key: v for key, v in self._cache.items()
                       if not (key[0] == "node" and key[2] == kind)}

    def finite(self, node_id, kind):
        """Whether the node's array holds no NaN or Inf, if a preview of it is already
        made (a block mean is NaN or Inf where its block holds one), else None."""
        return self._finite.get((node_id, kind))

    def stats(self, node_id, kind):
        """Statistics of the node's value or gradient (None off the target path)."""
        return self._cached(("stats", node_id, kind), lambda: self.array(node_id, kind),
                            lambda a: array_stats(self.device, a))

    def edge_stats(self, dst, port):
        return self._cached(("edge stats", dst, port),
                            lambda: self.result.device_edge_grad(dst, port),
                            lambda a: array_stats(self.device, a))

    def absmax(self, node_id, kind):
        """The largest finite |x| of the node's whole array (not of a reduction of it:
        color limits stay as the node is resized); None where it has no such array."""
        return self._cached(("absmax", node_id, kind), lambda: self.array(node_id, kind),
                            self._absmax)

    def _absmax(self, a):
        xp, host = self.device.xp, self.device.to_host
        if math.prod(a.shape) == 0:
            return 0.0
        largest = float(host(xp.max(xp.abs(a))))
        if math.isfinite(largest):   # as it mostly is: one reduction
            return largest
        finite = xp.isfinite(a)
        return float(host(xp.max(xp.where(finite, xp.abs(a), xp.zeros_like(a)))))

    def edge_rms(self, dst, port):
        """Root mean square of the gradient flowing back through dst.port (one reduction
        on the device); None where no gradient flows, NaN where it holds NaN or Inf."""
        return self._cached(("rms", dst, port), lambda: self.result.device_edge_grad(dst, port),
                            self._rms)

    def _rms(self, g):
        return rms(self.device.xp, self.device.to_host, g)

    def element(self, node_id, kind, index):
        """One element as a Python float (only that element crosses to the host)."""
        array = self.array(node_id, kind)
        if array is None:
            return 0.0
        return float(self.device.to_host(array[tuple(index)]))


def rms(xp, host, array):
    """Root mean square in one pass; not finite where the array holds NaN or Inf."""
    size = math.prod(array.shape)
    if size == 0:
        return 0.0
    flat = xp.reshape(array, (-1,))
    squares = float(host(xp.vecdot(flat, flat)))
    if math.isfinite(squares):
        return math.sqrt(squares / size)
    # NaN or Inf, or squares past the float range: the norm, scaled to not overflow
    return float(host(xp.linalg.vector_norm(flat))) / math.sqrt(size)


def array_stats(device, array):
    """min, max, mean, absmax, rms, l2 over the finite elements, and the NaN/±Inf counts:
    reduced on the device, then a handful of scalars cross to the host."""
    xp, host = device.xp, device.to_host
    size = math.prod(array.shape)
    finite = xp.isfinite(array)
    n_finite = int(host(xp.sum(finite)))
    nan = int(host(xp.sum(xp.isnan(array))))
    posinf = int(host(xp.sum(array == xp.inf)))
    out = {"shape": tuple(array.shape), "dtype": str(array.dtype), "size": size,
           "nan": nan, "posinf": posinf, "neginf": size - n_finite - nan - posinf,
           "min": math.nan, "max": math.nan, "mean": math.nan, "absmax": 0.0,
           "rms": 0.0, "l2": 0.0}
    if n_finite:
        some = n_finite < size
        clean = xp.where(finite, array, xp.zeros_like(array)) if some else array
        big = xp.where(finite, array, xp.full_like(array, -xp.inf)) if some else array
        small = xp.where(finite, array, xp.full_like(array, xp.inf)) if some else array
        total = float(host(xp.sum(clean)))
        squares = float(host(xp.sum(clean * clean)))
        out.update(min=float(host(xp.min(small))), max=float(host(xp.max(big))),
                   mean=total / n_finite, l2=math.sqrt(squares),
                   rms=math.sqrt(squares / n_finite))
        out["absmax"] = max(abs(out["min"]), abs(out["max"]))
    return out
