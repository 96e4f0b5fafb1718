"""The op table. Importing this package registers every op."""
from . import conv, elementwise, inputs, linalg, loss, reduce, shape  # noqa: F401 (registers)
from .params import coerce
from .spec import MAX_ELEMENTS, OPS, OpSpec, Param, get_op, register

__all__ = ["OPS", "OpSpec", "Param", "get_op", "register", "coerce", "MAX_ELEMENTS"]
