"""The op table. Importing this package registers every op."""
from . import conv, elementwise, inputs, linalg, loss, reduce, shape  # noqa: F401 (registers)
from .params import coerce
from .spec import (CATEGORIES, OPS, Code, OpSpec, Param, get_op, op_for_operator,
                   register)

__all__ = ["OPS", "CATEGORIES", "Code", "OpSpec", "Param", "get_op", "op_for_operator",
           "register", "coerce"]
