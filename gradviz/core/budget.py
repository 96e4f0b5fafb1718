"""The memory a run may use. Each source's array is capped (MAX_ELEMENTS), but a small
file can hold many sources: before running, the engine estimates the whole run and
refuses one that exceeds the budget, with one line naming both numbers."""
from __future__ import annotations

import math
import os
import re

DEFAULT_FRACTION = 0.5   # of the machine's memory
ENV = "GRADVIZ_MEMORY_BUDGET"
_UNITS = {"": 1, "k": 2 ** 10, "m": 2 ** 20, "g": 2 ** 30, "t": 2 ** 40}


def machine_memory():
    """Bytes of physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def parse_size(text):
    """Bytes from '8G', '512M', '1.5g', '123456' or '50%' (of the machine's memory);
    ValueError saying what is wrong."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([kmgt%]?)i?b?\s*", str(text), re.IGNORECASE)
    if not match:
        raise ValueError(f"memory budget {text!r}: expected a size such as 8G, 512M or 50%")
    number, unit = float(match[1]), match[2].lower()
    if unit == "%":
        if not 0 < number <= 100:
            raise ValueError(f"memory budget {text!r}: a percentage from 1 to 100")
        total = machine_memory()
        if total is None:
            raise ValueError("memory budget: this system does not report its memory; "
                             "give a size such as 8G")
        return int(total * number / 100)
    size = int(number * _UNITS[unit])
    if size <= 0:
        raise ValueError(f"memory budget {text!r} is not positive")
    return size


def default_budget():
    """GRADVIZ_MEMORY_BUDGET if set, else half of the machine's memory (8 GiB where the
    system does not say)."""
    if os.environ.get(ENV):
        return parse_size(os.environ[ENV])
    total = machine_memory()
    return int(total * DEFAULT_FRACTION) if total else 8 * 2 ** 30


def format_size(size):
    for unit, scale in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def run_bytes(shapes, inputs, itemsize):
    """An estimate of a run's memory: every node's value and gradient, every edge's
    gradient, and the largest op's temporaries (taken as its inputs plus its output
    once more)."""
    size = {node: math.prod(shape) for node, shape in shapes.items()}
    values = sum(size.values())
    edges = sum(size[src] for srcs in inputs.values() for src in srcs)
    temporaries = max((size[node] + sum(size[src] for src in srcs)
                       for node, srcs in inputs.items()), default=0)
    return (2 * values + edges + temporaries) * itemsize
