"""sum_to: the one place broadcast gradients are summed back."""
import array_api_compat.numpy as xp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradviz.core.shapes import sum_to


@st.composite
def broadcast_pair(draw):
    """(input shape, broadcast output shape) with ranks 0-4 and dims 0-3."""
    out = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3))
    rank = draw(st.integers(0, len(out)))
    tail = out[len(out) - rank:]
    shape = tuple(draw(st.sampled_from([d, 1])) for d in tail)
    return shape, out


def brute_force(g, shape):
    """Add every element of g into the input element it was broadcast from."""
    result = np.zeros(shape)
    lead = g.ndim - len(shape)
    for index in np.ndindex(*g.shape):
        source = tuple(0 if s == 1 else i for i, s in zip(index[lead:], shape))
        np.add.at(result, source, g[index])
    return result


@settings(max_examples=200, deadline=None)
@given(broadcast_pair(), st.integers(0, 2**32 - 1))
def test_sum_to_matches_brute_force(pair, seed):
    shape, out = pair
    g = np.random.default_rng(seed).standard_normal(out)
    result = np.asarray(sum_to(xp, g, shape))
    assert result.shape == shape
    np.testing.assert_allclose(result, brute_force(g, shape), atol=1e-12)
    np.testing.assert_allclose(result.sum(), g.sum(), atol=1e-9)


def test_sum_to_same_shape_passes_gradient_on():
    g = np.ones((2, 3))
    assert sum_to(xp, g, (2, 3)) is g


def test_sum_to_scalar_is_an_array():
    result = sum_to(xp, np.ones((2, 3)), ())
    assert isinstance(result, np.ndarray) and result.shape == () and float(result) == 6
