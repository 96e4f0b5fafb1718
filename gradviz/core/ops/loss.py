"""Losses: scalars to differentiate."""
from __future__ import annotations

import math

from ..devices import device_of
from ..shapes import broadcast_shapes
from .spec import Code, OpSpec, broadcast_grads, register


def _ce_shape(params, logits, labels):
    if len(logits) != 2:
        raise ValueError(f"logits must be N x classes, not {tuple(logits)}")
    if tuple(labels) != (logits[0],):
        raise ValueError(f"labels must be one class index per row: shape ({logits[0]},), "
                         f"not {tuple(labels)}")
    if logits[0] == 0 or logits[1] == 0:
        raise ValueError("logits are empty")
    return ()


def _one_hot(xp, labels, classes, dtype):
    index = xp.astype(xp.arange(classes, device=device_of(labels)), dtype)
    return xp.astype(xp.expand_dims(labels, axis=1) == index, dtype)


def _check_labels(xp, labels, classes):
    ok = (labels == xp.round(labels)) & (labels >= 0) & (labels < classes)
    if not bool(xp.all(ok)):
        raise ValueError(f"labels must be class indices 0 to {classes - 1}")


def _log_softmax(xp, logits):
    shifted = logits - xp.max(logits, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def _cross_entropy(xp, logits, labels):
    _check_labels(xp, labels, logits.shape[1])
    picked = xp.sum(_log_softmax(xp, logits) * _one_hot(xp, labels, logits.shape[1],
                                                        logits.dtype), axis=1)
    return xp.asarray(-xp.mean(picked))


def _cross_entropy_vjp(xp, g, out, logits, labels):
    n, k = logits.shape
    probabilities = xp.exp(_log_softmax(xp, logits))
    return (g * (probabilities - _one_hot(xp, labels, k, logits.dtype)) / n, None)


# The same in an exported NumPy script.
LOG_SOFTMAX = ("log_softmax", '''
def log_softmax(logits):
    """log softmax of each row, shifted by the row's maximum so exp cannot overflow."""
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
''')
SOFTMAX = ("softmax", '''
def softmax(logits):
    """softmax of each row."""
    return np.exp(log_softmax(logits))
''')
ONE_HOT = ("one_hot", '''
def one_hot(labels, classes):
    """Row i is 1 at column labels[i] (a class index), 0 elsewhere."""
    return (labels[:, None] == np.arange(classes)).astype(labels.dtype)
''')
CROSS_ENTROPY = ("softmax_cross_entropy", '''
def softmax_cross_entropy(logits, labels):
    """Mean over the rows of -log softmax(logits)[label]."""
    picked = np.sum(log_softmax(logits) * one_hot(labels, logits.shape[1]), axis=1)
    return -np.mean(picked)
''')

register(OpSpec(
    "softmax_cross_entropy", inputs=("logits", "labels"), category="Loss",
    title="Softmax cross-entropy",
    doc="Mean over the batch of −log softmax(logits)[label]; labels are class indices "
        "(no gradient flows to them). Backward: ∂logits = g·(softmax − one-hot)/N.",
    shape=_ce_shape, forward=_cross_entropy, vjp=_cross_entropy_vjp, no_grad=("labels",),
    numpy=Code("softmax_cross_entropy({logits}, {labels})",
               ("{g} * (softmax({logits}) - one_hot({labels}, {logits}.shape[1])) / "
                "len({logits})", None),
               helpers=(LOG_SOFTMAX, SOFTMAX, ONE_HOT, CROSS_ENTROPY)),
    torch=Code("F.cross_entropy({logits}, {labels}.long())",
               imports=("import torch.nn.functional as F",)),
))


def _mse_shape(params, a, target):
    broadcast_shapes(a, target)  # raises, naming both shapes, if they do not fit
    return ()


def _mse_vjp(xp, g, out, a, target):
    diff = a - target
    scale = 2 / max(math.prod(diff.shape), 1)
    return g * scale * diff, -(g * scale * diff)


def _mse_grad_code(sign):
    """2g·(a − target)/n, n the elements of the broadcast difference; `sign` "-" for
    the target's."""
    def code(params, shapes):
        n = max(math.prod(broadcast_shapes(shapes["a"], shapes["target"])), 1)
        grad = f"{{g}} * (2 / {n}) * ({{a}} - {{target}})"
        return f"-({grad})" if sign else grad
    return code


register(OpSpec(
    "mse", inputs=("a", "target"), category="Loss", title="Mean squared error",
    doc="Mean of (a − target)² over all elements (broadcasting). "
        "Backward: ∂a = 2g·(a − target)/n, ∂target = −∂a.",
    shape=_mse_shape,
    forward=lambda xp, a, target: xp.asarray(xp.mean((a - target) * (a - target))),
    vjp=_mse_vjp,
    numpy=Code("np.mean(({a} - {target}) * ({a} - {target}))",
               (_mse_grad_code(""), _mse_grad_code("-")), grad_shapes=broadcast_grads),
    torch=Code("torch.mean(({a} - {target}) ** 2)"),
))
