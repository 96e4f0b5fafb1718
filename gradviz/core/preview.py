"""Previews: arrays reduced for display on the device, so only the preview crosses to
the host. A preview keeps the array's layout: 0-d and 1-d become one row, 2-d stays,
3-d and 4-d keep their leading axes (at most MAX_TILES slices each) and reduce their
last two axes by block means."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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
        if (r1 - r0, c1 - c0) == (1, 1):
            return (*lead, r0, c0)
        return (*lead, (r0, r1), (c0, c1))


def _matrix_shape(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    return shape[-2], shape[-1]


def _block_mean(xp, to_host, a, br, bc):
    """Host array of means over br x bc blocks of the last two axes; the blocks at the
    ragged edges average only what they hold. Only the block sums leave the device."""
    rows, cols = a.shape[-2], a.shape[-1]
    out_r, out_c = math.ceil(rows / br), math.ceil(cols / bc)
    lead = a.shape[:-2]
    if (out_r * br, out_c * bc) != (rows, cols):
        padded = xp.zeros((*lead, out_r * br, out_c * bc), dtype=a.dtype, device=_device(a))
        padded[..., :rows, :cols] = a
        a = padded
    # Rows of each block first (whole contiguous rows at a time), then columns: about
    # three times faster than one reduction over both strided axes.
    rows_summed = xp.sum(xp.reshape(a, (*lead, out_r, br, out_c * bc)), axis=-2)
    sums = np.asarray(to_host(xp.sum(xp.reshape(rows_summed, (*lead, out_r, out_c, bc)),
                                     axis=-1)), dtype=np.float64)
    if (out_r * br, out_c * bc) == (rows, cols):
        return sums / (br * bc)
    count_r = np.full(out_r, br, dtype=np.float64)
    count_r[-1] = rows - (out_r - 1) * br
    count_c = np.full(out_c, bc, dtype=np.float64)
    count_c[-1] = cols - (out_c - 1) * bc
    return sums / np.outer(count_r, count_c)


def _device(a):
    from array_api_compat import device
    return device(a)


def make_preview(xp, to_host, array, max_rows, max_cols) -> Preview:
    """Reduce `array` on its device to at most max_rows x max_cols cells per slice."""
    shape = tuple(array.shape)
    a = array
    if a.ndim == 0:
        a = xp.reshape(a, (1, 1))
    elif a.ndim == 1:
        a = xp.reshape(a, (1, shape[0]))
    elif a.ndim > 2:
        index = tuple(slice(0, MAX_TILES) for _ in shape[:-2])
        a = a[index]
    rows, cols = a.shape[-2], a.shape[-1]
    # One block size for both axes: cells stay square, like the array's own grid.
    b = max(1, math.ceil(rows / max(max_rows, 1)), math.ceil(cols / max(max_cols, 1)))
    br = bc = b
    if rows == 0 or cols == 0 or (br, bc) == (1, 1):
        host = np.asarray(to_host(a), dtype=np.float64)
    else:
        host = _block_mean(xp, to_host, a, br, bc)
    return Preview(host, (br, bc), shape)
