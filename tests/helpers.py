"""Shared test tools: graph builders, finite differences, strict-device factory."""
import numpy as np

import gradviz
from gradviz.core.devices import Device
from gradviz.core.ops import OPS

# The notebook's printed arrays (../seed notebook, cells 15-27), 8 decimals.
NOTEBOOK = {
    "x": [[1.86755896, 0.90604466, -0.86122569], [1.91006495, -0.26800337, 0.8024564],
          [0.94725197, -0.15501009, 0.61407937], [0.92220667, 0.37642553, -1.09940079]],
    "y": [[0.29823817, 1.3263859, -0.69456786], [-0.14963454, -0.43515355, 1.84926373],
          [0.67229476, 0.40746184, -0.76991607], [0.53924919, -0.67433266, 0.03183056]],
    "z": [[-0.63584608, 0.67643329, 0.57659082], [-0.20829876, 0.39600671, -1.09306151],
          [-1.49125759, 0.4393917, 0.1666735], [0.63503144, 2.38314477, 0.94447949]],
    "a": [[0.55697737, 1.20176486, 0.59817968], [-0.28581169, 0.11662262, 1.48395351],
          [0.63683253, -0.0631607, -0.47278958], [0.4972992, -0.25383603, -0.03499454]],
    "b": [[-0.0788687, 1.87819815, 1.1747705], [-0.49411045, 0.51262933, 0.390892],
          [-0.85442506, 0.376231, -0.30611608], [1.13233064, 2.12930874, 0.90948495]],
    "c": 6.77032501711,
}


class Case:
    """Inputs for one op: shapes, params, and per input a range (lo, hi), 'away' (random
    sign, |x| in [0.2, 2], for kinks at 0), or a fixed array."""

    def __init__(self, shapes, params=None, inputs=None):
        self.shapes, self.params = tuple(map(tuple, shapes)), dict(params or {})
        self.inputs = dict(inputs or {})

    def __repr__(self):
        return f"{self.shapes}-{self.params}"

    def array(self, i, rng):
        how = self.inputs.get(i, (-2.0, 2.0))
        shape = self.shapes[i]
        if isinstance(how, np.ndarray):
            return how
        if how == "away":
            return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        return rng.uniform(*how, size=shape)


def op_graph(op, case, seed=0):
    """One input per port of `op` feeding node 'out'; the target 'loss' is
    sum(out * v) for a fixed random v, so gradients check a random projection vᵀJ."""
    rng = np.random.default_rng(seed)
    g = gradviz.Graph()
    ids = [g.add("input", id=f"in{i}", value=case.array(i, rng))
           for i in range(len(case.shapes))]
    g.add(op, *ids, id="out", **case.params)
    shape = g.shape("out")
    g.add("input", id="v", value=rng.uniform(0.5, 1.5, size=shape))
    g.add("sum", g.add("mul", "out", "v", id="weighted"), id="loss")
    g.set_target("loss")
    return g, ids


def loss_at(graph, node_id, value):
    base = graph.nodes[node_id].params["value"]
    graph.set_params(node_id, {"source": "value", "value": value})
    try:
        return float(graph.run().value("loss"))
    finally:
        graph.set_params(node_id, {"source": "value", "value": base})


def check_gradient(graph, node_id, analytic, eps=1e-6, rtol=1e-6, atol=1e-6, full_upto=200):
    """Compare d loss / d node with central differences: every element for small
    inputs, three random directions u (uᵀ grad) for larger ones."""
    base = np.array(graph.nodes[node_id].params["value"], dtype=np.float64)
    if base.size <= full_upto:
        numeric = np.zeros(base.size)
        for i in range(base.size):
            step = np.zeros(base.size)
            step[i] = eps
            plus = loss_at(graph, node_id, (base.reshape(-1) + step).reshape(base.shape))
            minus = loss_at(graph, node_id, (base.reshape(-1) - step).reshape(base.shape))
            numeric[i] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(analytic.reshape(-1), numeric, rtol=rtol, atol=atol)
        return
    rng = np.random.default_rng(1)
    for _ in range(3):
        u = rng.standard_normal(base.shape)
        numeric = (loss_at(graph, node_id, base + eps * u) -
                   loss_at(graph, node_id, base - eps * u)) / (2 * eps)
        np.testing.assert_allclose(float(np.sum(analytic * u)), numeric, rtol=rtol,
                                   atol=atol * np.sqrt(base.size))


def strict_device(name="device1"):
    import array_api_strict as xps
    cpu = xps.Device("CPU_DEVICE")
    return Device(f"strict:{name}", xps, native=xps.Device(name),
                  to_host=lambda a: np.asarray(a.to_device(cpu)))


def differentiable_ops():
    return sorted(name for name, spec in OPS.items() if not spec.source)
