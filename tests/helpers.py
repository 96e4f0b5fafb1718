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


def op_graph(op, shapes, params=None, seed=0):
    """A graph: one random input per port of `op`, feeding one `op` node 'out'."""
    rng = np.random.default_rng(seed)
    g = gradviz.Graph()
    ids = [g.add("input", id=f"in{i}", value=rng.uniform(-2, 2, size=s))
           for i, s in enumerate(shapes)]
    g.add(op, *ids, id="out", **(params or {}))
    return g, ids


def numeric_grad(graph, node_id, target="out", eps=1e-6):
    """d sum(target) / d node_id's value by central differences in float64."""
    node = graph.nodes[node_id]
    base = np.array(node.params["value"], dtype=np.float64)
    grad = np.zeros_like(base)
    flat = grad.reshape(-1)
    for i in range(base.size):
        total = []
        for step in (eps, -eps):
            shifted = base.copy().reshape(-1)
            shifted[i] += step
            graph.set_params(node_id, {"source": "value", "value": shifted.reshape(base.shape)})
            total.append(float(np.sum(graph.run(target=target).value(target))))
        flat[i] = (total[0] - total[1]) / (2 * eps)
    graph.set_params(node_id, {"source": "value", "value": base})
    return grad


def strict_device(name="device1"):
    import array_api_strict as xps
    cpu = xps.Device("CPU_DEVICE")
    return Device(f"strict:{name}", xps, native=xps.Device(name),
                  to_host=lambda a: np.asarray(a.to_device(cpu)))


def differentiable_ops():
    return sorted(name for name, spec in OPS.items() if not spec.source)
