"""Param kinds: one object per kind of op parameter, holding everything that kind
needs: checking a value (`coerce`), writing it to and reading it from a graph file
(`encode`, `decode`), and reading and showing it as text in an editor (`parse`,
`format`). The editor's widgets live in the GUI, in a table keyed by kind name."""
from __future__ import annotations

import math
import numbers
import os
import re

import numpy as np

from ..errors import check_text
from ..jsontypes import decode_array, encode_array
from ..shapes import MAX_NDIM, check_int, check_shape

NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ParamKind:
    name = ""
    optional = False    # None is a valid value (it means the op's default behaviour)

    def coerce(self, param, value):
        """The checked value, or ValueError saying what is wrong."""
        return value

    def encode(self, value):
        """The value as JSON."""
        return value

    def decode(self, value, where, budget):
        """A file's JSON back to a value (checked by `coerce` afterwards)."""
        return value

    def relocate(self, value, old_dir, new_dir):
        """The value for a file in `new_dir` that means what `value` means in `old_dir`
        (only file paths change)."""
        return value

    def parse(self, text):
        """What an editor field's text means, or ValueError."""
        return text.strip()

    def format(self, value):
        return "" if value is None else str(value)


class Int(ParamKind):
    name = "int"

    def coerce(self, param, value):
        return check_int(value, param.name)

    def parse(self, text):
        return int(text.strip())


class Float(ParamKind):
    name = "float"

    def coerce(self, param, value):
        if isinstance(value, str) and value in NONFINITE:
            return NONFINITE[value]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{param.name} must be a number, not {type(value).__name__}")
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"{param.name} is too large for a float64") from None

    def encode(self, value):
        if math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")

    def parse(self, text):
        return float(text.strip())  # accepts nan, inf, -inf

    def format(self, value):
        return repr(float(value))


class Bool(ParamKind):
    name = "bool"

    def coerce(self, param, value):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{param.name} must be true or false, not {value!r}")
        return bool(value)

    def parse(self, text):
        word = text.strip().lower()
        if word not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return word == "true"

    def format(self, value):
        return "true" if value else "false"


class Axis(ParamKind):
    """An axis index, or None: all axes."""
    name = "axis"
    optional = True

    def coerce(self, param, value):
        return None if value is None else check_int(value, param.name)

    def parse(self, text):
        text = text.strip()
        return None if text in ("", "all", "None") else int(text)

    def format(self, value):
        return "all" if value is None else str(value)


def _split_ints(text):
    return tuple(int(p) for p in re.split(r"[\s,x×]+", text.strip().strip("()[] ")) if p)


class Shape(ParamKind):
    name = "shape"

    def coerce(self, param, value):
        return check_shape(value, param.name)

    def encode(self, value):
        return list(value)

    def parse(self, text):
        return _split_ints(text)

    def format(self, value):
        return ", ".join(map(str, value))


class Ints(Shape):
    """A list of integers (reshape's target with -1, transpose's axes), or None."""
    name = "ints"
    optional = True

    def coerce(self, param, value):
        if value is None:
            return None
        what = param.name
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise ValueError(f"{what} must be a list of integers, not {type(value).__name__}")
        ints = tuple(check_int(v, f"{what} entry") for v in value)
        if len(ints) > MAX_NDIM:
            raise ValueError(f"{what} has {len(ints)} entries; at most {MAX_NDIM}")
        return ints

    def encode(self, value):
        return None if value is None else list(value)

    def parse(self, text):
        return _split_ints(text) or None

    def format(self, value):
        return "" if value is None else super().format(value)


class Padding(ParamKind):
    """`valid`, `same`, or a size."""
    name = "padding"

    def coerce(self, param, value):
        if value in ("valid", "same"):
            return value
        value = check_int(value, param.name)
        if value < 0:
            raise ValueError(f"{param.name} must be valid, same or a size of at least 0")
        return value

    def parse(self, text):
        text = text.strip()
        return text if text in ("valid", "same") else int(text)


class Choice(ParamKind):
    name = "choice"

    def coerce(self, param, value):
        if value not in param.choices:
            raise ValueError(f"{param.name} must be one of "
                             f"{', '.join(map(str, param.choices))}, not {value!r}")
        return value


class Array(ParamKind):
    name = "array"

    def coerce(self, param, value):
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise ValueError(f"{param.name} must hold numbers, not {arr.dtype}")
        check_shape(arr.shape, f"{param.name} shape")
        arr = np.array(arr, dtype=np.float64)  # an owned copy, read-only: params are
        arr.flags.writeable = False            # replaced, never edited in place
        return arr

    def encode(self, value):
        return encode_array(value)

    def decode(self, value, where, budget):
        return decode_array(value, where, budget)


class Path(ParamKind):
    name = "path"

    def coerce(self, param, value):
        if not isinstance(value, str):
            raise ValueError(f"{param.name} must be a file path, not {type(value).__name__}")
        return check_text(value, param.name)

    def relocate(self, value, old_dir, new_dir):
        if os.path.isabs(os.path.expanduser(value)):
            return value
        target = os.path.abspath(os.path.join(old_dir or os.curdir, value))
        try:
            return os.path.relpath(target, new_dir)
        except ValueError:  # another drive (Windows): only an absolute path reaches it
            return target


KINDS = {kind.name: kind for kind in (Int(), Float(), Bool(), Axis(), Shape(), Ints(),
                                      Padding(), Choice(), Array(), Path())}


def coerce(param, value):
    """The validated value of `param`, within its bounds, or ValueError saying what is
    wrong."""
    value = param.kind.coerce(param, value)
    if value is None or not isinstance(value, numbers.Real):
        return value
    # `not >=` rather than `<`: NaN is outside any bound.
    if param.low is not None and not value >= param.low:
        raise ValueError(f"{param.name} must be at least {param.low}, not {value}")
    if param.high is not None and not value <= param.high:
        raise ValueError(f"{param.name} must be at most {param.high}, not {value}")
    return value
