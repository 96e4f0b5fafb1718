"""Color rules, without Qt."""
import math

import numpy as np
import pytest

from gradviz.gui import colors


def csv_table(name):
    """The colormap straight from pyqtgraph's CSV file, as the test's own reference."""
    from importlib import resources
    text = (resources.files("pyqtgraph") / "colors" / "maps" / f"{name}.csv").read_text()
    rows = [[float(v) for v in line.split(",")] for line in text.splitlines()
            if line.strip() and line[0] not in ";#"]
    return np.round(np.array(rows) * 255).astype(int)


@pytest.mark.parametrize("name", [colors.DIVERGING, colors.SEQUENTIAL])
def test_lut_is_the_colormap_file(name):
    """pyqtgraph keeps the map in float32, so a color may round one level apart."""
    table = colors.lut(name)
    reference = csv_table(name)
    assert table.shape == (256, 3) and len(reference) == 256
    np.testing.assert_allclose(table, reference, atol=1, rtol=0)


@pytest.mark.parametrize("absmaxes, expected", [
    ((1.0,), 1.0),            # the gradient of sum: all ones
    ((0.0,), 1.0),            # all zeros: no division by zero
    ((None,), 1.0),           # nothing to show
    ((math.nan, 2.0), 2.0),   # NaN ignored
    ((math.inf, 3.0), 3.0),   # Inf ignored: limits come from finite values
    ((0.5, 4.0), 4.0),
])
def test_symmetric_limit(absmaxes, expected):
    assert colors.symmetric_limit(*absmaxes) == expected


def test_finite_absmax_ignores_non_finite():
    assert colors.finite_absmax([1.0, -7.0, np.nan, np.inf, -np.inf]) == 7.0
    assert colors.finite_absmax([np.nan]) == 0.0


def test_zero_is_the_middle_and_limits_are_the_ends():
    table = colors.lut(colors.DIVERGING)
    rgb = colors.to_rgb(np.array([-2.0, 0.0, 2.0, 5.0, -5.0]), -2.0, 2.0, table)
    np.testing.assert_array_equal(rgb[0], table[0])
    np.testing.assert_array_equal(rgb[1], table[128])
    np.testing.assert_array_equal(rgb[2], table[255])
    np.testing.assert_array_equal(rgb[3], table[255])  # clipped
    np.testing.assert_array_equal(rgb[4], table[0])


def test_non_finite_values_get_their_own_colors():
    table = colors.lut(colors.DIVERGING)
    rgb = colors.to_rgb(np.array([np.nan, np.inf, -np.inf]), -1, 1, table)
    assert [tuple(c) for c in rgb] == [colors.NAN, colors.POS_INF, colors.NEG_INF]
    table_colors = {tuple(c) for c in table}
    assert not table_colors & {colors.NAN, colors.POS_INF, colors.NEG_INF}


def test_limits_near_the_largest_float_do_not_overflow():
    """Training that diverges reaches values of 1e308: high - low is then inf."""
    table = colors.lut(colors.DIVERGING)
    big = np.finfo(np.float64).max
    limit = colors.symmetric_limit(big)
    rgb = colors.to_rgb(np.array([big, -big, 0.0, 1e307]), -limit, limit, table)
    np.testing.assert_array_equal(rgb[:3], table[[255, 0, 128]])
    np.testing.assert_array_equal(rgb[3], table[int(127.5 * (1 + 1e307 / limit) + 0.5)])


def test_constant_array_does_not_divide_by_zero():
    table = colors.lut(colors.DIVERGING)
    rgb = colors.to_rgb(np.ones((2, 2)), 1.0, 1.0, table)
    assert rgb.shape == (2, 2, 3)


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 4, 5), (1, 1, 1)])
def test_tiles_trace_back_to_their_elements(shape):
    data = np.arange(np.prod(shape), dtype=float).reshape(shape)
    grid, mask = colors.tile(data)
    for row in range(grid.shape[0]):
        for col in range(grid.shape[1]):
            where = colors.locate(shape, row, col)
            assert (where is None) == bool(mask[row, col])
            if where is not None:
                lead, r, c = where
                assert grid[row, col] == data[(*lead, r, c)]


def test_two_d_arrays_keep_numpy_orientation():
    data = np.arange(12.0).reshape(3, 4)
    grid, mask = colors.tile(data)
    assert grid[0, 3] == 3.0 and grid[2, 0] == 8.0 and not mask.any()


def test_hover_text_of_an_exact_cell_and_of_a_reduced_block():
    import gradviz
    from gradviz.core.preview import Previews
    from gradviz.core.views import get_view
    from gradviz.gui import display
    values, both = get_view("values"), get_view("both")
    g = gradviz.Graph()
    big = np.arange(300 * 400, dtype=float).reshape(300, 400)
    g.add("input", id="m", value=big)
    g.add("sum", "m", id="s")
    r = g.run()
    preview = display.node_preview(Previews.of(r), "m", "value", values)
    block = preview.block[0]
    assert block > 1
    text = display.describe_cell(Previews.of(r), "m", "value", (), 1, 2, values)
    rows, cols = f"{block}:{2 * block}", f"{2 * block}:{3 * block}"
    assert text.splitlines()[0] == f"m[{rows}, {cols}]"
    expected = big[block:2 * block, 2 * block:3 * block].mean()
    assert text.endswith(repr(float(expected)))
    g2 = gradviz.Graph()
    g2.add("input", id="v", value=[0.1, 0.2, 0.3])
    g2.add("sum", g2.add("mul", "v", "v"), id="s")
    exact = display.describe_cell(Previews.of(g2.run()), "v", "value", (), 0, 2, both)
    assert exact == "v[2]\nvalue = 0.3\ngrad  = 0.6"


def test_the_legend_counts_nodes_not_flags():
    """A node with NaN in its value and in its gradient carries one NaN mark: the
    legend said twice as many nodes."""
    from gradviz.core.health import Flag
    from gradviz.gui.legend import legend_health
    flags = {"a": [Flag("nan", "3 NaN in the value"), Flag("nan", "1 NaN in the gradient")],
             "b": [Flag("nan", "1 NaN in the value"), Flag("vanishing", "tiny")]}
    assert legend_health(flags) == "NaN 2 nan, ↓ 1 vanishing"
