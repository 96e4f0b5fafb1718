"""Command line: `gradviz [FILE]` opens the editor; `gradviz run FILE` runs headless;
`gradviz render FILE -o out.png` saves a picture."""
from __future__ import annotations

import argparse
import sys
import warnings

from .core.budget import ENV, parse_size
from .core.devices import device_names
from .core.errors import GradvizError
from .core.views import VIEWS
from .report import one_line

MAX_REPORT_NUMBERS = 10 ** 6   # about 20 MB of JSON
MIN_SCALE, MAX_SCALE = 0.1, 10.0   # gradviz render --scale


def _run_parser():
    p = argparse.ArgumentParser(prog="gradviz run",
                                description="Run a graph forward and backward and print "
                                            "every node's value and gradient.")
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    p.add_argument("--target", help="node whose sum is differentiated (default: the "
                                     "file's target, else its single output)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--full", action="store_true",
                   help=f"let --json print more than {MAX_REPORT_NUMBERS:,} numbers")
    _budget_option(p)
    return p


def _budget_option(parser):
    parser.add_argument("--memory-budget", metavar="SIZE", type=_budget,
                        help="refuse runs estimated to need more memory: 8G, 512M, 50%% "
                             f"(default: ${ENV}, else half of this machine's memory)")


def _budget(text):
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _render_parser():
    p = argparse.ArgumentParser(prog="gradviz render",
                                description="Run a graph and save its picture as a PNG or "
                                            "an SVG (no display needed).")
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("-o", "--output", required=True,
                   help="the picture to write: an SVG where it ends in .svg, else a PNG")
    p.add_argument("--view", choices=list(VIEWS), default="both",
                   help="; ".join(f"{v.name}: {v.doc.lower()}" for v in VIEWS.values()))
    framing = p.add_mutually_exclusive_group()
    framing.add_argument("--size", default="1000x560",
                         help="WIDTHxHEIGHT in pixels: a canvas of this size after Fit All "
                              "(default 1000x560)")
    framing.add_argument("--scale", type=_scale,
                         help="the whole graph at this many times its size, such as 2 "
                              "(a PNG too large for that is drawn smaller, with a warning)")
    p.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    p.add_argument("--shared-scale", action="store_true",
                   help="one color scale for the whole graph")
    _budget_option(p)
    return p


def _scale(text):
    try:
        if MIN_SCALE <= float(text) <= MAX_SCALE:
            return float(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"must be a number from {MIN_SCALE} to {MAX_SCALE}")


def render_command(argv):
    import re

    from .core.fileformat import load
    parser = _render_parser()
    args = parser.parse_args(argv)
    match = re.fullmatch(r"(\d+)x(\d+)", args.size)
    if not match or not (64 <= int(match[1]) <= 8192 and 64 <= int(match[2]) <= 8192):
        parser.error("--size must be WIDTHxHEIGHT, each 64 to 8192")
    graph = load(args.file)
    from .gui.render import render
    try:
        render(graph, args.output, args.view, (int(match[1]), int(match[2])), args.device,
               args.shared_scale, args.memory_budget, args.scale)
    except OSError as e:
        print(f"gradviz: {one_line(e)}", file=sys.stderr)
        return 2
    return 0


def _gui_parser():
    p = argparse.ArgumentParser(prog="gradviz", description=(
        "Open the gradviz node editor. Other commands: 'gradviz run FILE' runs a graph "
        "headless; 'gradviz render FILE -o out.png' (or .svg) saves its picture."))
    p.add_argument("file", nargs="?", help="a .gradviz file to open")
    return p


def run_command(argv):
    from .core.fileformat import load
    from .report import report_numbers, text_report, write_json_report
    args = _run_parser().parse_args(argv)
    graph = load(args.file)
    result = graph.run(device=args.device, target=args.target,
                       memory_budget=args.memory_budget)
    if args.json:
        numbers = report_numbers(result)
        if numbers > MAX_REPORT_NUMBERS and not args.full:
            raise GradvizError(f"the JSON report would hold {numbers:,} numbers (over "
                               f"{MAX_REPORT_NUMBERS:,}); pass --full to print them all")
        write_json_report(result, sys.stdout)
    else:
        sys.stdout.write(text_report(graph, result))
    return 0


def gui_command(argv):
    args = _gui_parser().parse_args(argv)
    from .gui.app import main as gui_main
    return gui_main(args.file)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"gradviz: warning: {one_line(message)}", file=sys.stderr)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    commands = {"run": run_command, "render": render_command}
    command = commands.get(argv[0]) if argv else None
    warnings.showwarning = _show_warning   # every warning: one line, like errors
    try:
        if command:
            return command(argv[1:])
        return gui_command(argv)
    except GradvizError as e:
        print(f"gradviz: {one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `gradviz run f | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
