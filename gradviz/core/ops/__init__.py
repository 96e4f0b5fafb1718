"""The op table. Importing this package registers every op."""
from . import elementwise, inputs, reduce  # noqa: F401  (registration)
from .params import coerce
from .spec import MAX_ELEMENTS, OPS, OpSpec, Param, get_op, register

__all__ = ["OPS", "OpSpec", "Param", "get_op", "register", "coerce", "MAX_ELEMENTS"]
