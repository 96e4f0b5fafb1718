"""The .gradviz file: one JSON document, versioned, arrays embedded, float64 exact.

Loading checks in order: size cap, JSON parse (no bare NaN/Infinity, no deep-nesting
crash), structure and types, then meaning (ops, ids, ports, cycles, shapes). Only
GraphFileError escapes, and its message names the field."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from dataclasses import asdict, fields

from . import notes
from .errors import GraphError, GraphFileError, GraphFileWarning, check_text
from .graph import DTYPES, MAX_COORDINATE, MAX_NODE_SIZE, MAX_REROUTES, Graph
from .jsontypes import ElementBudget, expect, known_keys
from .ops import OPS
from .optim import TrainSettings
from .shapes import MAX_ELEMENTS

FORMAT = "gradviz"
VERSION = (1, 1)   # 1.1: training (`training`, trainable inputs, new sources), node layout,
                   # reroute points on edges, frames and comments
MAX_FILE_BYTES = 256 * 1024 * 1024
SUFFIX = ".gradviz"
_TOP_KEYS = ("format", "version", "dtype", "target", "description", "training", "nodes",
             "edges", "frames", "comments")
_LISTS = ("nodes", "edges", "frames", "comments")   # written one item a line
DEFAULT_TRAINING = TrainSettings()
_NODE_KEYS = ("id", "op", "label", "pos", "collapsed", "size", "params")
_EDGE_KEYS = ("from", "to", "port")
_EDGE_FIELDS = (*_EDGE_KEYS, "via")


# ---- writing ------------------------------------------------------------------------
def to_dict(graph: Graph, folder=None) -> dict:
    """The file's JSON. With `folder` (where the file goes), relative .npy paths are
    rewritten to name the same files from there."""
    nodes, version = [], (1, 0)
    for node in graph.nodes.values():
        spec = OPS[node.op]
        entry = {"id": node.id, "op": node.op}
        if node.label:
            entry["label"] = node.label
        entry["pos"] = [node.pos[0], node.pos[1]]
        if node.collapsed:   # format 1.1
            entry["collapsed"] = True
            version = max(version, (1, 1))
        if node.size is not None:   # format 1.1
            entry["size"] = list(node.size)
            version = max(version, (1, 1))
        params = {k: v for k, v in node.params.items() if _written(spec.param_index[k], v)}
        kinds = {k: spec.param_index[k].kind for k in params}
        if folder is not None:
            params = {k: kinds[k].relocate(v, graph.base_dir, folder) for k, v in params.items()}
        entry["params"] = {k: kinds[k].encode(v) for k, v in params.items()}
        version = max([version, *(spec.param_index[k].since for k in params)])
        nodes.append(entry)
    edges = []
    for e in graph.edges:
        entry = {"from": e.src, "to": e.dst, "port": e.port}
        if graph.reroutes(e.dst, e.port):   # format 1.1
            entry["via"] = [list(p) for p in graph.reroutes(e.dst, e.port)]
            version = max(version, (1, 1))
        edges.append(entry)
    order = {node_id: i for i, node_id in enumerate(graph.nodes)}
    edges.sort(key=lambda e: (order[e["to"]], OPS[graph.nodes[e["to"]].op].inputs.index(e["port"])))
    training = {k: v for k, v in asdict(graph.training).items()
                if v != getattr(DEFAULT_TRAINING, k)}
    canvas_notes = notes.dump(graph)   # frames and comments
    if training or canvas_notes:
        version = max(version, (1, 1))
    doc = {"format": FORMAT, "version": list(version), "dtype": graph.dtype,
           "target": graph.target}
    if graph.description:
        doc["description"] = graph.description
    if training:
        doc["training"] = training
    doc["nodes"] = nodes
    doc["edges"] = edges
    doc.update(canvas_notes)
    return doc


def _written(param, value):
    """Whether a node's param goes into the file (see `Param.since`)."""
    return param.since == (1, 0) or param.when is not None or value != param.default


def dumps(graph: Graph, folder=None) -> str:
    """Pretty enough to read and diff: one line per field, node and edge. `folder`: as
    for `to_dict`."""
    def line(value):
        return json.dumps(value, allow_nan=False, ensure_ascii=False)

    parts = []
    for key, value in to_dict(graph, folder).items():
        if key in _LISTS and value:
            items = ",\n".join("  " + line(item) for item in value)
            parts.append(f" {line(key)}: [\n{items}\n ]")
        else:
            parts.append(f" {line(key)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def save(graph: Graph, path, relocate=True):
    """Write atomically: a temporary file beside the target, synced, then renamed over
    it. The previous file is kept as FILE.bak. A failure leaves the old file as it was.
    Like QSaveFile: saving through a symlink writes its target and keeps the link; the
    file keeps its permission bits (a new one gets the user's umask); temporary files
    left by a save that was killed are removed by the next save. Relative .npy paths
    are rewritten to name the same files from the file's folder, unless `relocate` is
    False (an autosave, which records `graph.base_dir` instead)."""
    named_folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    path = os.path.realpath(os.fspath(path))
    data = dumps(graph, named_folder if relocate else None).encode("utf-8")
    folder = os.path.dirname(path)
    prefix = _temp_prefix(path)
    remove_leftovers(path)
    mode = _mode_for(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            _backup(path, prefix, mode)
        os.replace(tmp, path)
        tmp = None
        _sync_folder(folder)
    except OSError as e:
        raise GraphFileError(f"cannot save {path}: {e.strerror or e}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _mode_for(path):
    """The permission bits of the file at `path`, or what the umask gives a new one."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _temp_prefix(path):
    return "." + os.path.basename(path) + "."


def remove_leftovers(path):
    """Remove the temporary files a save of `path` that was killed left beside it."""
    real = os.path.realpath(path)
    folder, prefix = os.path.dirname(real), _temp_prefix(real)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def _backup(path, prefix, mode):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=prefix, suffix=".bak.tmp")
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        os.chmod(tmp, mode)
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
def load(path, base_dir=None) -> Graph:
    """Read a graph file. Relative .npy paths are resolved against `base_dir`, by
    default the file's folder (a recovered autosave passes the original one)."""
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
        return loads(raw, base_dir=base_dir or os.path.dirname(os.path.abspath(path)))
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


def from_dict(doc, base_dir=None) -> Graph:
    expect(doc, (dict,), "document", "an object")
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
    doc = known_keys(doc, _TOP_KEYS, ("nodes", "edges"), "document", newer)
    graph = Graph()
    graph.base_dir = base_dir
    dtype = doc.get("dtype", "float64")
    if dtype not in DTYPES:
        raise GraphFileError(f"dtype: expected one of {', '.join(DTYPES)}, found {dtype!r}")
    graph.dtype = dtype
    graph.training = _load_training(doc.get("training", {}))
    description = expect(doc.get("description", ""), (str,), "description", "a string")
    try:
        graph.description = check_text(description, "description")
    except ValueError as e:
        raise GraphFileError(str(e)) from None
    budget = ElementBudget(MAX_ELEMENTS)
    for i, entry in enumerate(expect(doc["nodes"], (list,), "nodes", "an array")):
        _load_node(graph, entry, f"nodes[{i}]", newer, budget)
    for i, entry in enumerate(expect(doc["edges"], (list,), "edges", "an array")):
        where = f"edges[{i}]"
        expect(entry, (dict,), where, "an object")
        entry = known_keys(entry, _EDGE_FIELDS, _EDGE_KEYS, where, newer)
        src, dst, port = (expect(entry[k], (str,), f"{where}.{k}", "a string")
                          for k in _EDGE_KEYS)
        for key, node_id in (("from", src), ("to", dst)):
            if node_id not in graph.nodes:
                raise GraphFileError(f"{where}.{key}: no node {node_id!r}")
        if graph.input_edge(dst, port):
            raise GraphFileError(f"{where}: input {dst}.{port} is connected twice")
        if port not in OPS[graph.nodes[dst].op].inputs:
            raise GraphFileError(f"{where}: node {dst!r} ({graph.nodes[dst].op}) has no "
                                 f"input {port!r}")
        # Shapes that do not fit are kept, as the editor keeps them (the node shows the
        # error; running refuses); cycles are looked for once, below.
        graph.connect(src, dst, port, checked=False)
        if "via" in entry:
            graph.set_reroutes(dst, port, _load_via(entry["via"], f"{where}.via"))
    _refuse_cycles(graph, doc["edges"])
    notes.load(graph, doc, newer)
    target = doc.get("target")
    if target is not None:
        expect(target, (str,), "target", "a node id or null")
        if target not in graph.nodes:
            raise GraphFileError(f"target: no node {target!r}")
        graph.target = target
    return graph


def _load_training(entry):
    expect(entry, (dict,), "training", "an object")
    known = {f.name for f in fields(TrainSettings)}
    for key in entry:
        if key not in known:
            raise GraphFileError(f"training: unknown setting {key!r} (known: "
                                 f"{', '.join(sorted(known))})")
    try:
        return TrainSettings(**entry)
    except ValueError as e:
        raise GraphFileError(f"training: {e}") from None


def _refuse_cycles(graph, edges):
    """One pass over the whole graph; only when it finds a cycle are the edges replayed
    in file order, to name the one that closes it."""
    try:
        graph.topo_order()
        return
    except GraphError:
        pass
    replay = Graph()
    for node in graph.nodes.values():
        replay.add_node(node)
    for i, entry in enumerate(edges):
        src, dst, port = entry["from"], entry["to"], entry["port"]
        if src in replay.downstream(dst):
            raise GraphFileError(f"edges[{i}]: connecting {src} → {dst}.{port} would make "
                                 "a cycle")
        replay.connect(src, dst, port, checked=False)


def _load_via(points, where):
    expect(points, (list,), where, "an array of [x, y] points")
    if len(points) > MAX_REROUTES:
        raise GraphFileError(f"{where}: {len(points)} points; an edge has at most "
                             f"{MAX_REROUTES}")
    for i, point in enumerate(points):
        _check_point(point, f"{where}[{i}]")
    return points


def _check_point(point, where):
    """[x, y], two numbers within ±MAX_COORDINATE (NaN fails the comparison too)."""
    if not (isinstance(point, list) and len(point) == 2 and
            all(type(v) in (int, float) and abs(v) <= MAX_COORDINATE for v in point)):
        raise GraphFileError(f"{where}: expected [x, y], two numbers from "
                             f"-{MAX_COORDINATE:g} to {MAX_COORDINATE:g}")


def _load_node(graph, entry, where, lenient, budget):
    expect(entry, (dict,), where, "an object")
    entry = known_keys(entry, _NODE_KEYS, ("id", "op"), where, lenient)
    node_id = expect(entry["id"], (str,), f"{where}.id", "a string")
    op = expect(entry["op"], (str,), f"{where}.op", "a string")
    if op not in OPS:
        raise GraphFileError(f"{where}.op: unknown op {op!r} (this gradviz knows "
                             f"{', '.join(sorted(OPS))})")
    if node_id in graph.nodes:
        raise GraphFileError(f"{where}.id: duplicate id {node_id!r}")
    label = expect(entry.get("label", ""), (str,), f"{where}.label", "a string")
    pos = entry.get("pos", [0, 0])
    _check_point(pos, f"{where}.pos")
    collapsed = expect(entry.get("collapsed", False), (bool,), f"{where}.collapsed",
                       "true or false")
    size = entry.get("size")
    if size is not None and not (
            isinstance(size, list) and len(size) == 2
            and all(type(v) in (int, float) and 1 <= v <= MAX_NODE_SIZE for v in size)):
        raise GraphFileError(f"{where}.size: expected [width, height], two numbers from 1 "
                             f"to {MAX_NODE_SIZE}")
    spec = OPS[op]
    raw = expect(entry.get("params", {}), (dict,), f"{where}.params", "an object")
    params = {}
    for key, value in raw.items():
        param = spec.param_index.get(key)
        if param is None and lenient:   # added by a newer gradviz (the warning says so)
            continue
        if param is None:
            raise GraphFileError(f"{where}.params: {op} has no param {key!r}")
        params[key] = param.kind.decode(value, f"{where}.params.{key}", budget)
    try:
        node = graph.make_node(op, node_id, label, pos, params)
        node.collapsed = collapsed
        node.size = None if size is None else (float(size[0]), float(size[1]))
        graph.add_node(node)
    except GraphError as e:
        raise GraphFileError(f"{where}: {e}") from None
