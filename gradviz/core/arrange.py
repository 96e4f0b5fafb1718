"""Auto-arrange: a layered layout, left to right by dependency with few crossings
(grandalf's Sugiyama layout), each connected component under the one before."""
from __future__ import annotations

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from .ops import get_op

GAP_X, GAP_Y = 60, 40        # between layers, and between nodes in a layer
COMPONENT_GAP = 80
DEFAULT_SIZE = (180, 160)    # width, height of a node whose size is not given
GRID = 20                    # positions snap to the canvas grid
SWEEPS = 4                   # crossing-reduction passes


class _Box:
    """grandalf's view of a vertex: its size (w across a layer, h along the flow)."""

    def __init__(self, w, h):
        self.w, self.h, self.xy = w, h, (0.0, 0.0)


def arrange(graph, node_ids=None, sizes=None, origin=(0.0, 0.0)) -> dict:
    """{id: (x, y)}: top-left corners that lay `node_ids` (default: every node) out in
    layers from left to right, the first component's top-left at `origin`. `sizes`
    maps ids to (width, height). Deterministic: the same graph gives the same layout."""
    ids = list(graph.nodes if node_ids is None else node_ids)
    keep, sizes = set(ids), sizes or {}
    vertices = {}
    for node_id in ids:
        width, height = sizes.get(node_id, DEFAULT_SIZE)
        vertex = Vertex(node_id)
        # grandalf's layers run top to bottom: its axes are the canvas's, swapped.
        vertex.view = _Box(height + GAP_Y, width + GAP_X)
        vertices[node_id] = vertex
    edges = [Edge(vertices[e.src], vertices[e.dst]) for e in graph.edges
             if e.src in keep and e.dst in keep]
    order = {node_id: i for i, node_id in enumerate(ids)}
    components = sorted(Graph(list(vertices.values()), edges).C,
                        key=lambda c: min(order[v.data] for v in c.sV))
    positions, top = {}, origin[1]
    for component in components:
        placed = _straighten(_layout(component, sizes), _main_feeders(graph, keep), sizes)
        left = min(x for x, _ in placed.values())
        upper = min(y for _, y in placed.values())
        for node_id, (x, y) in placed.items():
            positions[node_id] = (_snap(origin[0] + x - left), _snap(top + y - upper))
        top = max(positions[n][1] + sizes.get(n, DEFAULT_SIZE)[1] for n in placed) + \
            COMPONENT_GAP
    return positions


def _layout(component, sizes):
    """Top-left corners of one connected component, in its own coordinates."""
    if len(component.sV) == 1:
        return {component.sV[0].data: (0.0, 0.0)}
    layout = SugiyamaLayout(component)
    layout.init_all(optimize=True)   # sources next to their consumers, not all on layer 0
    layout.draw(SWEEPS)
    placed = {}
    for vertex in component.sV:
        across, along = vertex.view.xy
        width, height = sizes.get(vertex.data, DEFAULT_SIZE)
        placed[vertex.data] = (along - width / 2, across - height / 2)
    return placed


def _main_feeders(graph, keep):
    """node → the node feeding its first input, where that node feeds nothing else:
    the main line of a chain (x · W: x's line, W below it)."""
    consumers = {}
    for edge in graph.edges:
        if edge.src in keep and edge.dst in keep:
            consumers[edge.src] = consumers.get(edge.src, 0) + 1
    feeders = {}
    for node_id in keep:
        for port in get_op(graph.nodes[node_id].op).inputs:
            edge = graph.input_edge(node_id, port)
            if edge is not None and edge.src in keep:
                if consumers[edge.src] == 1:
                    feeders[node_id] = edge.src
                break
    return feeders


def _straighten(placed, feeders, sizes):
    """Chains drawn straight: a node moves to the height of its main feeder (see
    `_main_feeders`) where that overlaps nothing in its layer (the layout centres nodes
    between their feeders, which makes long chains stairs)."""
    layers = {}
    for node_id, (x, _) in placed.items():
        layers.setdefault(x, []).append(node_id)

    def free(node_id, y):
        x, height = placed[node_id][0], sizes.get(node_id, DEFAULT_SIZE)[1]
        return all(other == node_id or y + height + GAP_Y / 2 <= placed[other][1] or
                   placed[other][1] + sizes.get(other, DEFAULT_SIZE)[1] + GAP_Y / 2 <= y
                   for other in layers[x])

    for node_id in sorted(placed, key=lambda n: placed[n][0]):   # left to right
        feeder = feeders.get(node_id)
        if feeder in placed and free(node_id, placed[feeder][1]):
            placed[node_id] = (placed[node_id][0], placed[feeder][1])
    return placed


def _snap(value):
    return float(round(value / GRID) * GRID)
