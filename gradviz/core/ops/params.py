"""Checking param values, shared by the Python API, the file loader and the editor."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .spec import MAX_ELEMENTS, Param

MAX_NDIM = 8
NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an integer, not {type(value).__name__}")
    return int(value)


def check_shape(value, what="shape"):
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{what} must be a list of sizes, not {type(value).__name__}")
    shape = tuple(_int(d, f"{what} entry") for d in value)
    if len(shape) > MAX_NDIM:
        raise ValueError(f"{what} has {len(shape)} dimensions; at most {MAX_NDIM} are supported")
    if any(d < 0 for d in shape):
        raise ValueError(f"{what} {list(shape)} has a negative size")
    if math.prod(shape) > MAX_ELEMENTS:
        raise ValueError(f"{what} {list(shape)} has {math.prod(shape):,} elements; "
                         f"the limit is {MAX_ELEMENTS:,}")
    return shape


def check_array(value, what="value"):
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold numbers, not {arr.dtype}")
    check_shape(arr.shape, f"{what} shape")
    arr = np.array(arr, dtype=np.float64)  # an owned copy, read-only: params are replaced,
    arr.flags.writeable = False            # never edited in place
    return arr


def coerce(param: Param, value):
    """The validated value of `param`, or ValueError saying what is wrong."""
    what = param.name
    kind = param.kind
    if kind == "int":
        value = _int(value, what)
    elif kind == "float":
        if isinstance(value, str) and value in NONFINITE:
            return NONFINITE[value]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{what} must be a number, not {type(value).__name__}")
        return float(value)
    elif kind == "axis":
        return None if value is None else _int(value, what)
    elif kind == "shape":
        return check_shape(value, what)
    elif kind == "ints":  # e.g. reshape's target with -1, transpose's axes; None: default
        if value is None:
            return None
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise ValueError(f"{what} must be a list of integers, not {type(value).__name__}")
        ints = tuple(_int(v, f"{what} entry") for v in value)
        if len(ints) > MAX_NDIM:
            raise ValueError(f"{what} has {len(ints)} entries; at most {MAX_NDIM}")
        return ints
    elif kind == "padding":
        if value in ("valid", "same"):
            return value
        value = _int(value, what)
        if value < 0:
            raise ValueError(f"{what} must be valid, same or a size of at least 0")
    elif kind == "choice":
        if value not in param.choices:
            raise ValueError(f"{what} must be one of {', '.join(map(str, param.choices))}, "
                             f"not {value!r}")
        return value
    elif kind == "array":
        return check_array(value, what)
    elif kind == "path":
        if not isinstance(value, str):
            raise ValueError(f"{what} must be a file path, not {type(value).__name__}")
        return value
    else:  # pragma: no cover - a declaration error, caught by the op-table tests
        raise ValueError(f"{what}: unknown param kind {kind!r}")
    if param.low is not None and value < param.low:
        raise ValueError(f"{what} must be at least {param.low}, not {value}")
    if param.high is not None and value > param.high:
        raise ValueError(f"{what} must be at most {param.high}, not {value}")
    return value
