"""Gradient health: cheap per-node flags computed on the device after a run (a few
reductions per node; a handful of scalars cross to the host). Thresholds have
defaults (`THRESHOLDS`) and can be changed per call."""
from __future__ import annotations

import math
from typing import NamedTuple

from .ops import get_op
from .preview import Previews, rms

THRESHOLDS = {
    "vanishing": 1e-6,   # gradient RMS below this times the target's
    "exploding": 1e3,    # gradient RMS above this times the target's
    "dead": 0.9,         # share of a relu's elements passing no gradient
    "saturated": 0.9,    # share of a tanh's or sigmoid's outputs at their flat ends
}
FLAGS = ("nan", "inf", "vanishing", "exploding", "dead", "saturated")
SYMBOLS = {"nan": "NaN", "inf": "∞", "vanishing": "↓", "exploding": "↑", "dead": "∅",
           "saturated": "≈"}   # the marks on a node


class Flag(NamedTuple):
    name: str      # one of FLAGS
    reason: str    # a sentence with the numbers


def health(result, ops, thresholds=None):
    """{node: [Flag, ...]} for the nodes of `result` with something to flag. `ops`
    maps node ids to op names (the graph's)."""
    with result.device.errstate():   # sums over NaN and ±Inf are what it looks for
        return _health(result, ops, thresholds)


def _health(result, ops, thresholds):
    limits = {**THRESHOLDS, **(thresholds or {})}
    device = result.device
    xp, host = device.xp, device.to_host
    seed = result.device_grad(result.target) if result.target is not None else None
    reference = rms(xp, host, seed) if seed is not None else None
    previews = Previews.of(result)
    consumers = {}
    for src, dst, port in result.edges():
        if result.device_edge_grad(dst, port) is not None:
            consumers.setdefault(src, []).append((dst, port))
    flags = {}
    for node_id in result.order:
        found = [] if previews.finite(node_id, "value") else \
            _non_finite(xp, host, result.device_value(node_id), "value")
        grad = result.device_grad(node_id)
        edges = consumers.get(node_id, [])
        # With one consumer the node's gradient is that edge's, whose RMS the display
        # computes anyway (NaN where it holds NaN or Inf); else one reduction.
        spread = None if grad is None else \
            previews.edge_rms(*edges[0]) if len(edges) == 1 else rms(xp, host, grad)
        if spread is not None and not math.isfinite(spread):
            found += _non_finite(xp, host, grad, "gradient")
        elif spread is not None and reference and node_id != result.target:
            ratio = spread / reference
            if ratio < limits["vanishing"]:
                found.append(Flag("vanishing", f"gradient RMS is {ratio:.2g} of the "
                                               f"target's (below {limits['vanishing']:g})"))
            elif ratio > limits["exploding"]:
                found.append(Flag("exploding", f"gradient RMS is {ratio:.3g} times the "
                                               f"target's (above {limits['exploding']:g})"))
        spec = get_op(ops[node_id])
        if spec.flat:
            name, where = spec.flat
            out = result.device_value(node_id)
            size = math.prod(out.shape)
            share = int(host(xp.sum(where(xp, out)))) / size if size else 0.0
            if share > limits[name]:
                found.append(Flag(name, f"{share:.0%} of its elements pass (almost) no "
                                        f"gradient (above {limits[name]:.0%})"))
        if found:
            flags[node_id] = found
    return flags


def _non_finite(xp, host, array, kind):
    """nan and inf flags for `array`: one sum tells there are none, as it mostly does
    (the display's previews tell without any, where they are made)."""
    if array is None or math.prod(array.shape) == 0 or \
            math.isfinite(float(host(xp.sum(array)))):
        return []
    found = []
    nans = int(host(xp.sum(xp.isnan(array))))
    infs = int(host(xp.sum(xp.isinf(array))))
    if nans:
        found.append(Flag("nan", f"{nans} NaN in the {kind}"))
    if infs:
        found.append(Flag("inf", f"{infs} ±Inf in the {kind}"))
    return found
