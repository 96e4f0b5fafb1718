"""Colors for numbers: pure NumPy functions of a lookup table, tested on their own.

Values and gradients use a diverging, perceptually uniform map that colour-blind
readers can use (CET-CBD1: blue, grey, yellow), centred on zero with symmetric
limits. Edge magnitudes use a sequential map (viridis). Both come with pyqtgraph.
NaN, +Inf and -Inf have colors of their own, outside both maps. Limits come from
finite values only."""
from __future__ import annotations

import functools
import math

import numpy as np

NAN = (255, 0, 255)        # magenta
POS_INF = (255, 64, 64)    # red
NEG_INF = (0, 230, 140)    # green

DIVERGING = "CET-CBD1"
SEQUENTIAL = "viridis"


def colormap(name):
    """pyqtgraph's color map `name` (imported here: the color rules need only NumPy)."""
    import pyqtgraph as pg
    return pg.colormap.get(name)


@functools.lru_cache(maxsize=None)
def lut(name) -> np.ndarray:
    """A 256 x 3 uint8 lookup table of the color map `name`, rounded to nearest."""
    table = colormap(name).getLookupTable(nPts=256, alpha=False, mode="float")
    return np.round(np.asarray(table) * 255).astype(np.uint8)


def symmetric_limit(*absmaxes):
    """The limit m of symmetric levels (-m, m): the largest finite magnitude, or 1 when
    there is none or it is 0 (an all-zero or all-NaN array must not divide by zero)."""
    finite = [a for a in absmaxes if a is not None and math.isfinite(a) and a > 0]
    return max(finite) if finite else 1.0


def finite_absmax(array):
    a = np.asarray(array, dtype=np.float64)
    if a.size:
        largest = float(np.max(np.abs(a)))
        if math.isfinite(largest):   # as it mostly is: no copy of the finite ones
            return largest
    finite = a[np.isfinite(a)]
    return float(np.abs(finite).max()) if finite.size else 0.0


def to_rgb(array, low, high, table) -> np.ndarray:
    """uint8 (..., 3) colors of `array` between levels low..high (clipped), with NaN and
    ±Inf in their own colors."""
    return _rgb(array, *_steps(low, high), table)


def _steps(low, high):
    """(scale, offset): a value x has color index x / 2 * scale + offset. In halves:
    high - low overflows to inf for limits near ±1.8e308."""
    scale = 255 / (high / 2 - low / 2) if high > low else 510.0
    return scale, 0.5 - low / 2 * scale


def _rgb(array, scale, offset, table):
    """`to_rgb` with the steps of `_steps` (numbers, or one per element)."""
    a = np.asarray(array, dtype=np.float64)
    finite = np.isfinite(a)
    clean = a if finite.all() else np.where(finite, a, 0.0)
    index = np.clip(clean * 0.5 * scale + offset, 0, 255).astype(np.intp)
    rgb = table[index]
    if clean is not a:   # NaN and ±Inf get their own colors
        rgb[np.isnan(a)] = NAN
        rgb[a == np.inf] = POS_INF
        rgb[a == -np.inf] = NEG_INF
    return rgb


def heatmap_rgba_many(previews, table):
    """`heatmap_rgba` of many (data, low, high) at once: the same colors, in a few
    NumPy calls over all their cells instead of a dozen per preview (a thousand nodes
    are colored in one go)."""
    if not previews:
        return []
    grids, masks = zip(*((data, None) if np.ndim(data) == 2 else tile(data)
                         for data, _, _ in previews))
    sizes = [g.size for g in grids]
    rgba = np.empty((sum(sizes), 4), np.uint8)
    scale, offset = np.repeat([_steps(lo, hi) for _, lo, hi in previews], sizes, axis=0).T
    rgba[:, :3] = _rgb(np.concatenate([g.reshape(-1) for g in grids]), scale, offset, table)
    rgba[:, 3] = 255
    start = 0
    for size, mask in zip(sizes, masks):   # the gaps between tiles are transparent
        if mask is not None:
            rgba[start:start + size, 3][mask.reshape(-1)] = 0
        start += size
    ends = np.cumsum(sizes)[:-1]
    return [part.reshape(*g.shape, 4) for part, g in zip(np.split(rgba, ends), grids)]


def tile(data):
    """Lay a preview out in 2-d: (rows, cols) stays; (k, r, c) becomes k tiles in a row;
    (n, k, r, c) becomes n rows of k tiles. Returns (grid, mask) where mask marks the
    one-cell separators, and (tile rows, tile cols) so cells can be traced back."""
    data = np.asarray(data, dtype=np.float64)
    if data.ndim == 2:
        return data, np.zeros(data.shape, bool)
    if data.ndim == 3:
        data = data[None]
    n, k, r, c = data.shape
    grid = np.zeros((n * (r + 1) - 1, k * (c + 1) - 1))
    mask = np.ones(grid.shape, bool)
    for i in range(n):
        for j in range(k):
            grid[i * (r + 1):i * (r + 1) + r, j * (c + 1):j * (c + 1) + c] = data[i, j]
            mask[i * (r + 1):i * (r + 1) + r, j * (c + 1):j * (c + 1) + c] = False
    return grid, mask


def locate(data_shape, row, col):
    """Inverse of `tile`: (leading index, row, col) of grid cell (row, col) of a preview
    with `data_shape`, or None on a separator."""
    if len(data_shape) == 2:
        return (), row, col
    r, c = data_shape[-2], data_shape[-1]
    i, rr = divmod(row, r + 1)
    j, cc = divmod(col, c + 1)
    if rr == r or cc == c:
        return None
    lead = (j,) if len(data_shape) == 3 else (i, j)
    return lead, rr, cc


def heatmap_rgba(data, low, high, table) -> np.ndarray:
    """The uint8 (rows, cols, 4) image of a preview; the gaps between the tiles of a
    3-d or 4-d array are transparent (the node's body shows, in either scheme)."""
    return heatmap_rgba_many([(data, low, high)], table)[0]
