"""Auto-arrange: layers left to right by dependency, no overlaps, components stacked,
the same layout every time."""
import itertools

import pytest

import gradviz
from gradviz.core.arrange import COMPONENT_GAP, DEFAULT_SIZE, GRID, arrange
from gradviz.core.examples import example_names, example_path


def boxes(positions, sizes=None):
    sizes = sizes or {}
    return {n: (x, y, x + sizes.get(n, DEFAULT_SIZE)[0], y + sizes.get(n, DEFAULT_SIZE)[1])
            for n, (x, y) in positions.items()}


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("name", example_names())
def test_every_edge_runs_left_to_right_and_no_nodes_overlap(name):
    g = gradviz.load(example_path(name))
    positions = arrange(g)
    assert set(positions) == set(g.nodes)
    for edge in g.edges:
        assert positions[edge.src][0] < positions[edge.dst][0], edge
    placed = boxes(positions)
    for a, b in itertools.combinations(placed, 2):
        assert not overlap(placed[a], placed[b]), (a, b)
    assert all(x % GRID == 0 and y % GRID == 0 for x, y in positions.values())
    assert arrange(g) == positions   # deterministic


def test_sizes_are_respected_and_components_are_stacked():
    g = gradviz.Graph()
    g.add("sum", g.add("mul", g.add("input", id="x"), g.add("input", id="y")), id="s")
    g.add("neg", g.add("input", id="lonely"), id="n")
    sizes = {n: (180, 400) for n in g.nodes}
    positions = arrange(g, sizes=sizes, origin=(100.0, 200.0))
    placed = boxes(positions, sizes)
    for a, b in itertools.combinations(placed, 2):
        assert not overlap(placed[a], placed[b]), (a, b)
    first = [n for n in ("x", "y", "mul1", "s")]
    assert min(positions[n][0] for n in first) == 100.0
    assert min(positions[n][1] for n in first) == 200.0
    bottom = max(positions[n][1] + 400 for n in first)
    assert positions["lonely"][1] >= bottom + COMPONENT_GAP - GRID


def test_only_the_given_nodes_are_placed():
    g = gradviz.load(example_path("seed"))
    positions = arrange(g, ["a", "b", "c"])
    assert set(positions) == {"a", "b", "c"}
    assert positions["a"][0] < positions["b"][0] < positions["c"][0]


@pytest.mark.parametrize("name, line", [
    ("vanishing", ["x", "z1", "s1", "z2", "s2", "z3", "s3", "z6", "s6", "loss"]),
    ("mlp", ["X", "XW1", "z1", "h", "hW2", "logits", "loss"]),
])
def test_a_chains_main_line_is_straight(name, line):
    """Each node sits at the height of what feeds its first input (the layout centres
    nodes between their feeders, which made long chains stairs)."""
    positions = arrange(gradviz.load(example_path(name)))
    assert len({positions[n][1] for n in line}) == 1
