"""The command line's instruments: `gradviz check`, `gradviz probe` and `gradviz
compare` (the editor runs the same core functions)."""
from __future__ import annotations

import argparse
import json
import sys

from .core import check
from .core.compare import compare, parse_setting
from .core.devices import device_names
from .core.fileformat import load
from .report import one_line


def _ids(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _index(text):
    try:
        return tuple(int(part) for part in text.split(",")) if text.strip() else ()
    except ValueError:
        raise argparse.ArgumentTypeError("expected integers separated by commas, "
                                         "e.g. 1,2") from None


def _positive(kind):
    def number(text):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be a positive {kind.__name__}")
        return value
    return number


def check_command(argv):
    p = argparse.ArgumentParser(prog="gradviz check", description=(
        "Check every analytic gradient against central differences in float64. Exit 0 "
        "when all agree, 1 when any disagrees, 2 on a bad file."))
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("--nodes", type=_ids, help="ids to check, comma separated (default: "
                                              "every input the target depends on)")
    p.add_argument("--eps", type=_positive(float), default=check.EPS,
                   help=f"step, relative to each element's size (default {check.EPS:g})")
    p.add_argument("--max-elements", type=_positive(int), default=check.MAX_ELEMENTS,
                   help="elements per node; larger arrays are checked on a seeded random "
                        f"sample (default {check.MAX_ELEMENTS})")
    p.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = p.parse_args(argv)
    report = check.check_gradients(load(args.file), args.nodes, args.eps, args.max_elements,
                                   device=args.device)
    ok = all(c.ok for c in report.values())
    if args.json:
        json.dump({"ok": ok, "nodes": {n: c.summary() for n, c in report.items()}},
                  sys.stdout)
        sys.stdout.write("\n")
    else:
        for node_id, c in report.items():
            print(f"{one_line(node_id)}: {c.describe('; ')}")
    return 0 if ok else 1


def probe_command(argv):
    p = argparse.ArgumentParser(prog="gradviz probe", description=(
        "Nudge one element and compare the target's actual change with the gradient's "
        "prediction, gradient times the nudge."))
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("--node", required=True, help="the node whose element is nudged")
    p.add_argument("--index", type=_index, required=True, help="the element, e.g. 1,2")
    p.add_argument("--eps", type=float, help="the nudge (default: 1e-3 of the value's scale)")
    p.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    p.add_argument("--json", action="store_true", help="print JSON")
    args = p.parse_args(argv)
    result = check.probe(load(args.file), args.node, args.index, args.eps,
                         device=args.device)
    fields = {**result._asdict(), "index": list(result.index),
              "difference": result.difference}
    if args.json:
        json.dump(fields, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(f"{one_line(result.node)}{list(result.index)} = {result.value!r}, "
              f"gradient {result.grad!r}\nnudge {result.eps!r}: predicted change "
              f"{result.predicted!r}, actual {result.actual!r}, difference "
              f"{result.difference!r}")
    return 0


def compare_command(argv):
    p = argparse.ArgumentParser(prog="gradviz compare", description=(
        "Run the graph on two settings and print, per node, the largest absolute and "
        "relative differences of values and gradients."))
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("--a", default="cpu:float64", help="DEVICE[:DTYPE] (default cpu:float64)")
    p.add_argument("--b", default="cpu:float32", help="DEVICE[:DTYPE] (default cpu:float32)")
    p.add_argument("--json", action="store_true", help="print JSON")
    args = p.parse_args(argv)
    graph = load(args.file)
    report = compare(graph, parse_setting(args.a), parse_setting(args.b))
    if args.json:
        json.dump({n: {kind: {"max_abs": d[0], "max_rel": d[1]} for kind, d in v.items()}
                   for n, v in report.items()}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"{args.a} against {args.b}: largest differences (absolute, relative)")
    for node_id, v in report.items():
        grad = (f"gradient {v['grad'][0]:.3g} ({v['grad'][1]:.3g})" if "grad" in v
                else "no gradient")
        print(f"{one_line(node_id)}: value {v['value'][0]:.3g} ({v['value'][1]:.3g}), {grad}")
    return 0
