"""Typed reading of parsed JSON, and arrays as JSON. Messages name the field.

Shared by the file format and the param kinds (an `array` param is stored this way)."""
from __future__ import annotations

import base64
import binascii
import math

import numpy as np

from .errors import GraphFileError
from .shapes import check_shape


def json_type(value):
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "?")


def expect(value, types, where, what):
    """`value` if it is one of `types` (a bool is never taken for a number)."""
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise GraphFileError(f"{where}: expected {what}, found {json_type(value)}")
    return value


def known_keys(obj, allowed, required, where, lenient):
    """The object's known fields; a missing required field, or (unless lenient, as for
    a newer minor version) an unknown one, is an error."""
    for key in required:
        if key not in obj:
            raise GraphFileError(f"{where}: missing field {key!r}")
    unknown = [k for k in obj if k not in allowed]
    if unknown and not lenient:
        raise GraphFileError(f"{where}: unknown field {unknown[0]!r}")
    return {k: v for k, v in obj.items() if k in allowed}


def encode_array(arr):
    """Finite arrays as readable nested lists (repr floats round-trip exactly); arrays
    with NaN or ±Inf as base64 of little-endian float64, which stays standard JSON."""
    arr = np.asarray(arr, dtype=np.float64)
    out = {"dtype": "float64", "shape": list(arr.shape)}
    if np.isfinite(arr).all():
        out["data"] = arr.tolist()
    else:
        out["base64"] = base64.b64encode(arr.astype("<f8").tobytes()).decode("ascii")
    return out


class ElementBudget:
    """How many array elements a document may still declare (checked before allocating)."""

    def __init__(self, total):
        self.total = total
        self.left = total

    def take(self, count, where):
        self.left -= count
        if self.left < 0:
            raise GraphFileError(f"{where}: the file's arrays hold more than {self.total:,} "
                                 "elements in all")


def decode_array(obj, where, budget):
    """A float64 array from its JSON form; sizes are checked before anything is allocated."""
    expect(obj, (dict,), where, "an array object {dtype, shape, data}")
    known_keys(obj, ("dtype", "shape", "data", "base64"), ("dtype", "shape"), where, False)
    if obj["dtype"] != "float64":
        raise GraphFileError(f"{where}.dtype: expected \"float64\", found {obj['dtype']!r}")
    try:
        shape = check_shape(expect(obj["shape"], (list,), f"{where}.shape", "a list"))
    except ValueError as e:
        raise GraphFileError(f"{where}.shape: {e}") from None
    count = math.prod(shape)
    budget.take(count, where)
    if ("data" in obj) == ("base64" in obj):
        raise GraphFileError(f"{where}: expected exactly one of 'data' and 'base64'")
    if "base64" in obj:
        return _from_base64(obj["base64"], shape, count, where)
    level = [obj["data"]]
    for depth, size in enumerate(shape):
        flat = []
        for item in level:
            if type(item) is not list or len(item) != size:
                raise GraphFileError(f"{where}.data: expected nested lists of shape "
                                     f"{list(shape)}; level {depth} has {_describe(item)}")
            flat.extend(item)
        level = flat
    for value in level:
        if type(value) not in (int, float):
            raise GraphFileError(f"{where}.data: expected numbers, found {json_type(value)}")
    try:
        return np.array(level, dtype=np.float64).reshape(shape)
    except OverflowError:
        raise GraphFileError(f"{where}.data: a number is too large for float64") from None


def _from_base64(text, shape, count, where):
    text = expect(text, (str,), f"{where}.base64", "a string")
    if len(text) != 4 * math.ceil(count * 8 / 3):
        raise GraphFileError(f"{where}.base64: length does not match shape {list(shape)}")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise GraphFileError(f"{where}.base64: not valid base64") from None
    if len(raw) != count * 8:
        raise GraphFileError(f"{where}.base64: {len(raw)} bytes, expected {count * 8}")
    return np.frombuffer(raw, dtype="<f8").astype(np.float64).reshape(shape)


def _describe(item):
    return f"{len(item)} entries" if type(item) is list else json_type(item)
