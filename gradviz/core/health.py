"""Gradient health: cheap per-node flags computed on the device after a run (a few
reductions per node; a handful of scalars cross to the host). Thresholds have
defaults (`THRESHOLDS`) and can be changed per call."""
from __future__ import annotations

import math
from typing import NamedTuple

from .ops import get_op

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
    limits = {**THRESHOLDS, **(thresholds or {})}
    device = result.device
    xp, host = device.xp, device.to_host
    seed = result.device_grad(result.target) if result.target is not None else None
    reference = _rms(xp, host, seed) if seed is not None else None
    flags = {}
    for node_id in result.order:
        found = []
        for kind, array in (("value", result.device_value(node_id)),
                            ("gradient", result.device_grad(node_id))):
            if array is None or math.prod(array.shape) == 0:
                continue
            nans = int(host(xp.sum(xp.isnan(array))))
            infs = int(host(xp.sum(xp.isinf(array))))
            if nans:
                found.append(Flag("nan", f"{nans} NaN in the {kind}"))
            if infs:
                found.append(Flag("inf", f"{infs} ±Inf in the {kind}"))
        grad = result.device_grad(node_id)
        if grad is not None and reference and node_id != result.target:
            ratio = _rms(xp, host, grad) / reference
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


def _rms(xp, host, array):
    size = math.prod(array.shape)
    if size == 0:
        return 0.0
    clean = xp.where(xp.isfinite(array), array, xp.zeros_like(array))
    return float(host(xp.linalg.vector_norm(clean))) / math.sqrt(size)
