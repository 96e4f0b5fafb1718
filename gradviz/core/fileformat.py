"""The .gradviz file: one JSON document, versioned, arrays embedded, float64 exact.

Loading checks in order: size cap, JSON parse (no bare NaN/Infinity, no deep-nesting
crash), structure and types, then meaning (ops, ids, ports, cycles, shapes). Only
GraphFileError escapes, and its message names the field."""
from __future__ import annotations

import base64
import binascii
import json
import math
import os
import shutil
import tempfile
import warnings

import numpy as np

from .errors import GraphError, GraphFileError, GraphFileWarning
from .graph import DTYPES, Graph
from .ops import MAX_ELEMENTS, OPS
from .ops.params import check_shape

FORMAT = "gradviz"
VERSION = (1, 0)
MAX_FILE_BYTES = 256 * 1024 * 1024
SUFFIX = ".gradviz"
_TOP_KEYS = ("format", "version", "dtype", "target", "description", "nodes", "edges")
_NODE_KEYS = ("id", "op", "label", "pos", "params")
_EDGE_KEYS = ("from", "to", "port")


# ---- writing ------------------------------------------------------------------------
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


def _encode_param(kind, value):
    if kind == "array":
        return encode_array(value)
    if kind == "shape" or kind == "ints" and value is not None:
        return list(value)
    if kind == "float" and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def to_dict(graph: Graph) -> dict:
    nodes = []
    for node in graph.nodes.values():
        spec = OPS[node.op]
        entry = {"id": node.id, "op": node.op}
        if node.label:
            entry["label"] = node.label
        entry["pos"] = [node.pos[0], node.pos[1]]
        entry["params"] = {k: _encode_param(spec.param_index[k].kind, v)
                           for k, v in node.params.items()}
        nodes.append(entry)
    edges = [{"from": e.src, "to": e.dst, "port": e.port} for e in graph.edges]
    order = {node_id: i for i, node_id in enumerate(graph.nodes)}
    edges.sort(key=lambda e: (order[e["to"]], OPS[graph.nodes[e["to"]].op].inputs.index(e["port"])))
    doc = {"format": FORMAT, "version": list(VERSION), "dtype": graph.dtype,
           "target": graph.target}
    if graph.description:
        doc["description"] = graph.description
    doc["nodes"] = nodes
    doc["edges"] = edges
    return doc


def dumps(graph: Graph) -> str:
    """Pretty enough to read and diff: one line per field, node and edge."""
    def line(value):
        return json.dumps(value, allow_nan=False, ensure_ascii=False)

    parts = []
    for key, value in to_dict(graph).items():
        if key in ("nodes", "edges") and value:
            items = ",\n".join("  " + line(item) for item in value)
            parts.append(f" {line(key)}: [\n{items}\n ]")
        else:
            parts.append(f" {line(key)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def save(graph: Graph, path):
    """Write atomically: a temporary file beside the target, synced, then renamed over
    it. The previous file is kept as FILE.bak. A failure leaves the old file as it was."""
    path = os.fspath(path)
    data = dumps(graph).encode("utf-8")
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                                   suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            _backup(path)
        os.replace(tmp, path)
        tmp = None
        _sync_folder(folder)
    except OSError as e:
        raise GraphFileError(f"cannot save {path}: {e.strerror or e}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _backup(path):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".bak.tmp")
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        os.replace(tmp, path + ".bak")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _sync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- reading ------------------------------------------------------------------------
def load(path) -> Graph:
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise GraphFileError(f"{path} is {size / 2**20:.0f} MiB; gradviz reads files "
                                 f"up to {MAX_FILE_BYTES // 2**20} MiB")
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise GraphFileError(f"cannot open {path}: {e.strerror or e}") from None
    try:
        return loads(raw, base_dir=os.path.dirname(os.path.abspath(path)))
    except GraphFileError as e:
        raise GraphFileError(f"{os.path.basename(path)}: {e}") from None


def _reject_constant(token):
    raise ValueError(f"bare {token} is not valid JSON (arrays holding NaN or Infinity are "
                     "stored as base64)")


def loads(text, base_dir=None) -> Graph:
    if len(text) > MAX_FILE_BYTES:
        raise GraphFileError(f"the document is over {MAX_FILE_BYTES // 2**20} MiB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise GraphFileError(f"not UTF-8 text (byte {e.start})") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise GraphFileError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") \
            from None
    except ValueError as e:
        raise GraphFileError(str(e)) from None
    except RecursionError:
        raise GraphFileError("not a gradviz file: JSON nested too deeply") from None
    return from_dict(doc, base_dir=base_dir)


def _expect(value, types, where, what):
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise GraphFileError(f"{where}: expected {what}, found {_json_type(value)}")
    return value


def _json_type(value):
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "?")


def _keys(obj, allowed, required, where, lenient):
    for key in required:
        if key not in obj:
            raise GraphFileError(f"{where}: missing field {key!r}")
    unknown = [k for k in obj if k not in allowed]
    if unknown and not lenient:
        raise GraphFileError(f"{where}: unknown field {unknown[0]!r}")
    return {k: v for k, v in obj.items() if k in allowed}


def from_dict(doc, base_dir=None) -> Graph:
    _expect(doc, (dict,), "document", "an object")
    if doc.get("format") != FORMAT:
        raise GraphFileError("not a gradviz file (the field 'format' is not \"gradviz\")")
    version = doc.get("version")
    if (not isinstance(version, list) or len(version) != 2
            or not all(type(v) is int and v >= 0 for v in version)):
        raise GraphFileError("version: expected [major, minor], e.g. [1, 0]")
    if version[0] > VERSION[0]:
        raise GraphFileError(f"written by a newer gradviz (file format {version[0]}."
                             f"{version[1]}; this gradviz reads {VERSION[0]}.x): update gradviz")
    newer = tuple(version) > VERSION
    if newer:
        warnings.warn(f"file format {version[0]}.{version[1]} is newer than this gradviz's "
                      f"{VERSION[0]}.{VERSION[1]}: fields it does not know were left out",
                      GraphFileWarning, stacklevel=2)
    doc = _keys(doc, _TOP_KEYS, ("nodes", "edges"), "document", newer)
    graph = Graph()
    graph.base_dir = base_dir
    dtype = doc.get("dtype", "float64")
    if dtype not in DTYPES:
        raise GraphFileError(f"dtype: expected one of {', '.join(DTYPES)}, found {dtype!r}")
    graph.dtype = dtype
    graph.description = _expect(doc.get("description", ""), (str,), "description", "a string")
    budget = [MAX_ELEMENTS]
    for i, entry in enumerate(_expect(doc["nodes"], (list,), "nodes", "an array")):
        _load_node(graph, entry, f"nodes[{i}]", newer, budget)
    for i, entry in enumerate(_expect(doc["edges"], (list,), "edges", "an array")):
        where = f"edges[{i}]"
        _expect(entry, (dict,), where, "an object")
        entry = _keys(entry, _EDGE_KEYS, _EDGE_KEYS, where, newer)
        src, dst, port = (_expect(entry[k], (str,), f"{where}.{k}", "a string")
                          for k in _EDGE_KEYS)
        for key, node_id in (("from", src), ("to", dst)):
            if node_id not in graph.nodes:
                raise GraphFileError(f"{where}.{key}: no node {node_id!r}")
        if graph.input_edge(dst, port):
            raise GraphFileError(f"{where}: input {dst}.{port} is connected twice")
        try:
            graph.connect(src, dst, port)
        except GraphError as e:
            raise GraphFileError(f"{where}: {e}") from None
    target = doc.get("target")
    if target is not None:
        _expect(target, (str,), "target", "a node id or null")
        if target not in graph.nodes:
            raise GraphFileError(f"target: no node {target!r}")
        graph.target = target
    return graph


def _load_node(graph, entry, where, lenient, budget):
    _expect(entry, (dict,), where, "an object")
    entry = _keys(entry, _NODE_KEYS, ("id", "op"), where, lenient)
    node_id = _expect(entry["id"], (str,), f"{where}.id", "a string")
    op = _expect(entry["op"], (str,), f"{where}.op", "a string")
    if op not in OPS:
        raise GraphFileError(f"{where}.op: unknown op {op!r} (this gradviz knows "
                             f"{', '.join(sorted(OPS))})")
    if node_id in graph.nodes:
        raise GraphFileError(f"{where}.id: duplicate id {node_id!r}")
    label = _expect(entry.get("label", ""), (str,), f"{where}.label", "a string")
    pos = _expect(entry.get("pos", [0, 0]), (list,), f"{where}.pos", "[x, y]")
    if len(pos) != 2 or not all(type(v) in (int, float) and math.isfinite(v) for v in pos):
        raise GraphFileError(f"{where}.pos: expected [x, y], two numbers")
    spec = OPS[op]
    raw = _expect(entry.get("params", {}), (dict,), f"{where}.params", "an object")
    params = {}
    for key, value in raw.items():
        param = spec.param_index.get(key)
        if param is None:
            raise GraphFileError(f"{where}.params: {op} has no param {key!r}")
        params[key] = (decode_array(value, f"{where}.params.{key}", budget)
                       if param.kind == "array" else value)
    try:
        graph.add_node(graph.make_node(op, node_id, label, pos, params))
    except GraphError as e:
        raise GraphFileError(f"{where}: {e}") from None


def decode_array(obj, where, budget):
    """A float64 array from its JSON form; sizes are checked before anything is allocated."""
    _expect(obj, (dict,), where, "an array object {dtype, shape, data}")
    allowed = ("dtype", "shape", "data", "base64")
    _keys(obj, allowed, ("dtype", "shape"), where, False)
    if obj["dtype"] != "float64":
        raise GraphFileError(f"{where}.dtype: expected \"float64\", found {obj['dtype']!r}")
    try:
        shape = check_shape(_expect(obj["shape"], (list,), f"{where}.shape", "a list"))
    except ValueError as e:
        raise GraphFileError(f"{where}.shape: {e}") from None
    count = math.prod(shape)
    budget[0] -= count
    if budget[0] < 0:
        raise GraphFileError(f"{where}: the file's arrays hold more than {MAX_ELEMENTS:,} "
                             "elements in all")
    if ("data" in obj) == ("base64" in obj):
        raise GraphFileError(f"{where}: expected exactly one of 'data' and 'base64'")
    if "base64" in obj:
        text = _expect(obj["base64"], (str,), f"{where}.base64", "a string")
        if len(text) != 4 * math.ceil(count * 8 / 3):
            raise GraphFileError(f"{where}.base64: length does not match shape {list(shape)}")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise GraphFileError(f"{where}.base64: not valid base64") from None
        if len(raw) != count * 8:
            raise GraphFileError(f"{where}.base64: {len(raw)} bytes, expected {count * 8}")
        return np.frombuffer(raw, dtype="<f8").astype(np.float64).reshape(shape)
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
            raise GraphFileError(f"{where}.data: expected numbers, found {_json_type(value)}")
    try:
        return np.array(level, dtype=np.float64).reshape(shape)
    except OverflowError:
        raise GraphFileError(f"{where}.data: a number is too large for float64") from None


def _describe(item):
    return f"{len(item)} entries" if type(item) is list else _json_type(item)
