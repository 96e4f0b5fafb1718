"""The input op's `dataset` and `grid` sources: each dataset's definition, parts that
agree, seeds, the grid's layout, shapes without generating, errors and files."""
import itertools

import numpy as np
import pytest

import gradviz
from gradviz import GraphError
from gradviz.core import fileformat
from gradviz.core.examples import example_path
from gradviz.core.ops import OPS, datasets

WHICH = ("moons", "circles", "spirals", "xor", "blobs")
PARTS = ("points", "labels", "onehot")


def draw(which, n=200, noise=0.1, seed=0):
    """(points, labels) through the op itself, one node per part."""
    spec = OPS["input"]
    params = {"source": "dataset", "which": which, "n": n, "noise": noise, "seed": seed}
    return (spec.source({**params, "part": "points"}),
            spec.source({**params, "part": "labels"}))


def classes(points, labels, n):
    """Points of class 0 and of class 1, checking the counts (n // 2, then the rest)."""
    assert set(np.unique(labels)) <= {0.0, 1.0}
    first, second = points[labels == 0], points[labels == 1]
    assert (len(first), len(second)) == (n // 2, n - n // 2)
    return first, second


def test_moons_without_noise_lie_on_their_two_semicircles():
    n = 201
    outer, inner = classes(*draw("moons", n, noise=0.0), n)
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    # outer: (cos t, sin t); inner: (1 - cos t, 1 - sin t - 0.5); t evenly over [0, π]
    t_outer = np.sort(np.arctan2(outer[:, 1], outer[:, 0]))
    t_inner = np.sort(np.arctan2(0.5 - inner[:, 1], 1 - inner[:, 0]))
    np.testing.assert_allclose(t_outer, np.linspace(0, np.pi, n // 2), atol=1e-12)
    np.testing.assert_allclose(t_inner, np.linspace(0, np.pi, n - n // 2), atol=1e-12)


@pytest.mark.parametrize("which", ["moons", "circles"])
def test_noise_is_gaussian_with_the_given_deviation(which):
    clean, _ = draw(which, 20000, noise=0.0, seed=4)
    noisy, _ = draw(which, 20000, noise=0.2, seed=4)   # same draws, scaled
    offsets = noisy - clean
    assert abs(offsets.mean()) < 0.01 and abs(offsets.std() - 0.2) < 0.01


def test_circles_have_radii_one_and_a_half_evenly_spaced():
    n = 101
    outer, inner = classes(*draw("circles", n, noise=0.0), n)
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(*inner.T), 0.5)
    for ring, m in ((outer, n // 2), (inner, n - n // 2)):
        angles = np.sort(np.arctan2(ring[:, 1], ring[:, 0]) % (2 * np.pi))
        expected = np.linspace(0, 2 * np.pi, m, endpoint=False)
        np.testing.assert_allclose(angles, expected, atol=1e-9)


def test_spirals_without_noise_follow_their_definition():
    n = 151
    for label, (arm, delta) in enumerate(zip(classes(*draw("spirals", n, 0.0), n),
                                             (0.0, np.pi))):
        m = len(arm)
        i = np.arange(m)
        arm = arm[np.argsort(np.hypot(*arm.T))]
        np.testing.assert_allclose(np.hypot(*arm.T), 5 * i / m, atol=1e-12)
        t = np.arctan2(arm[1:, 0], arm[1:, 1])          # x = r sin t, y = r cos t
        expected = 1.75 * 2 * np.pi * i[1:] / m + delta
        wrapped = np.angle(np.exp(1j * (t - expected)))
        np.testing.assert_allclose(wrapped, 0, atol=1e-9, err_msg=f"class {label}")


def test_spirals_noise_is_uniform_within_noise():
    clean, _ = draw("spirals", 4000, noise=0.0, seed=2)
    noisy, _ = draw("spirals", 4000, noise=0.5, seed=2)
    offsets = noisy - clean
    assert np.abs(offsets).max() <= 0.5 and np.abs(offsets).max() > 0.49


def test_xor_labels_follow_the_sign_rule_and_points_keep_off_the_axes():
    points, labels = draw("xor", 2000, noise=0.0)
    np.testing.assert_array_equal(labels, (points[:, 0] * points[:, 1] >= 0).astype(float))
    assert np.abs(points).min() >= 0.3 and np.abs(points).max() <= 5.3
    assert 0 < labels.mean() < 1


def test_xor_noise_flips_labels_near_the_axes_but_moves_no_point():
    clean, clean_labels = draw("xor", 2000, noise=0.0, seed=3)
    points, labels = draw("xor", 2000, noise=0.5, seed=3)
    np.testing.assert_array_equal(points, clean)
    flipped = labels != clean_labels
    assert flipped.any() and not flipped.all()
    near = np.abs(points).min(axis=1)
    assert np.median(near[flipped]) < np.median(near[~flipped])


def test_blob_means_and_spread_for_many_points():
    n, noise = 40000, 0.5
    first, second = classes(*draw("blobs", n, noise=noise), n)
    np.testing.assert_allclose(first.mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(second.mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(first.std(axis=0), 1 + noise, atol=0.05)


@pytest.mark.parametrize("which", WHICH)
def test_parts_of_the_same_params_agree_through_a_run(which):
    g = gradviz.Graph()
    params = {"source": "dataset", "which": which, "n": 120, "noise": 0.3, "seed": 9}
    ids = {part: g.add("input", id=part, part=part, **params) for part in PARTS}
    r = g.run(target="points")
    points, labels, onehot = (np.asarray(r.value(ids[p])) for p in PARTS)
    expected_points, expected_labels = datasets.dataset(which, 120, 0.3, 9)
    np.testing.assert_array_equal(points, expected_points)
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(onehot.argmax(axis=1), labels)
    np.testing.assert_array_equal(onehot.sum(axis=1), 1.0)
    assert labels.dtype == np.float64
    assert set(labels[:20]) == {0.0, 1.0}     # shuffled: a prefix holds both classes


@pytest.mark.parametrize("which", WHICH)
def test_the_same_seed_repeats_bit_for_bit_and_another_differs(which):
    a, b, c = (draw(which, seed=s) for s in (5, 5, 6))
    assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    assert a[0].tobytes() != c[0].tobytes()


def test_the_grid_follows_its_formula_and_reads_like_a_plot():
    res, low, high = 7, -1.5, 2.0
    g = gradviz.Graph()
    node = g.add("input", source="grid", low=low, high=high, resolution=res)
    points = np.asarray(g.run(target=node).value(node))
    x, y = np.meshgrid(np.linspace(low, high, res), np.linspace(high, low, res))
    np.testing.assert_array_equal(points, np.column_stack([x.ravel(), y.ravel()]))
    xs, ys = points[:, 0].reshape(res, res), points[:, 1].reshape(res, res)
    assert (np.diff(xs, axis=1) > 0).all() and (np.diff(xs, axis=0) == 0).all()
    assert (np.diff(ys, axis=0) < 0).all() and (np.diff(ys, axis=1) == 0).all()
    assert ys[0, 0] == high and xs[0, 0] == low and ys[-1, -1] == low and xs[-1, -1] == high


@pytest.mark.parametrize("which, part", list(itertools.product(WHICH, PARTS)))
def test_shapes_come_from_params_without_generating(which, part, monkeypatch):
    spec = OPS["input"]
    params = {"source": "dataset", "which": which, "part": part, "n": 37, "noise": 0.1,
              "seed": 1}
    generated = spec.source(params).shape

    def refuse(*args):
        raise AssertionError("the shape generated the data")
    monkeypatch.setattr(datasets, "dataset", refuse)
    g = gradviz.Graph()
    node = g.add("input", **params)
    assert g.shape(node) == generated


def test_the_grid_shape_comes_from_params():
    spec = OPS["input"]
    params = {"source": "grid", "low": 0.0, "high": 1.0, "resolution": 13}
    assert spec.shape(params) == spec.source(params).shape


@pytest.mark.parametrize("params, message", [
    ({"n": 1}, "n must be at least 2, not 1"),
    ({"n": 100001}, "n must be at most 100000"),
    ({"which": "swirl"}, "which must be one of moons, circles, spirals, xor, blobs"),
    ({"part": "x"}, "part must be one of points, labels, onehot"),
    ({"noise": -0.1}, "noise must be at least 0"),
], ids=["n=1", "n too big", "which", "part", "noise"])
def test_bad_dataset_params_are_refused_by_add_and_set_params(params, message):
    g = gradviz.Graph()
    with pytest.raises(GraphError, match=message):
        g.add("input", source="dataset", **params)
    node = g.add("input", source="dataset")
    before = g.nodes[node].params
    with pytest.raises(GraphError, match=message):
        g.set_params(node, {**before, **params})
    assert g.nodes[node].params is before


@pytest.mark.parametrize("low, high", [(1.0, 1.0), (2.0, -2.0), (float("nan"), 1.0),
                                       (0.0, float("inf"))])
def test_a_grid_needs_low_below_high(low, high):
    g = gradviz.Graph()
    message = f"low must be below high.*low={low}, high={high}"
    node = g.add("input", source="grid", low=low, high=high)
    with pytest.raises(GraphError, match=message):
        g.validate(node)
    fine = g.add("input", source="grid")
    g.set_params(fine, {**g.nodes[fine].params, "low": low, "high": high})
    assert g.shape(fine) is None
    with pytest.raises(GraphError, match=message):
        g.validate(fine)
    with pytest.raises(GraphError, match="resolution must be at least 2"):
        g.add("input", source="grid", resolution=1)


def test_dataset_and_grid_params_survive_a_file():
    g = gradviz.Graph()
    g.add("input", id="d", source="dataset", which="spirals", part="onehot", n=77,
          noise=0.25, seed=12)
    g.add("input", id="g", source="grid", low=-0.5, high=4.0, resolution=9)
    again = fileformat.loads(fileformat.dumps(g))
    for node in ("d", "g"):
        assert again.nodes[node].params == g.nodes[node].params
    spec = OPS["input"]
    assert spec.source(again.nodes["d"].params).tobytes() == \
        spec.source(g.nodes["d"].params).tobytes()


def test_keys_imply_their_source_and_seed_still_means_randn():
    g = gradviz.Graph()
    assert g.nodes[g.add("input", which="xor")].params["source"] == "dataset"
    assert g.nodes[g.add("input", resolution=5)].params["source"] == "grid"
    assert g.nodes[g.add("input", seed=3)].params["source"] == "randn"


@pytest.mark.parametrize("old", [
    {"source": "dataset", "which": "circles", "part": "onehot", "n": 10, "noise": 0.1,
     "seed": 0},
    {"source": "grid", "low": -1.0, "high": 1.0, "resolution": 4},
], ids=["dataset", "grid"])
def test_switching_to_explicit_values_keeps_the_array(old):
    spec = OPS["input"]
    new = spec.adjust(old, {**old, "source": "value"})
    np.testing.assert_array_equal(new["value"], spec.source(old))


def test_a_dataset_feeds_the_mlp_end_to_end():
    """The mlp example on moons: points in, class indices as labels, gradients back."""
    g = gradviz.load(example_path("mlp"))
    data = {"source": "dataset", "which": "moons", "n": 64, "noise": 0.1, "seed": 1}
    g.set_params("X", {**data, "part": "points"})
    g.set_params("labels", {**data, "part": "labels"})
    g.set_params("W1", {"source": "randn", "seed": 0, "shape": (2, 16)})
    r = g.run(target="loss")
    points, labels = datasets.dataset("moons", 64, 0.1, 1)
    np.testing.assert_array_equal(r.value("X"), points)
    logits = np.asarray(r.value("logits"))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(64), labels.astype(int)].mean()
    assert float(r.value("loss")) == pytest.approx(expected, rel=1e-12)
    assert r.grad("W1").shape == (2, 16) and np.abs(r.grad("W1")).sum() > 0
