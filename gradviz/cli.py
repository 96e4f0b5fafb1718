"""Command line: `gradviz [FILE]` opens the editor; `gradviz run FILE` runs headless;
`gradviz render FILE -o out.png` saves a picture; `gradviz animate FILE -o out.gif`
saves the run step by step as an animation; `gradviz export FILE --to numpy -o OUT`
writes the graph as code."""
from __future__ import annotations

import argparse
import sys
import warnings

from .core.budget import ENV, parse_size
from .core.devices import device_names
from .core.errors import GradvizError
from .core.trace import PHASES
from .core.views import VIEWS
from .report import one_line

MAX_REPORT_NUMBERS = 10 ** 6   # about 20 MB of JSON
MIN_SCALE, MAX_SCALE = 0.1, 10.0   # gradviz render --scale
MIN_FPS, MAX_FPS = 0.1, 50.0       # gradviz animate --fps (GIF delays are in 1/100 s)


def _run_parser():
    p = argparse.ArgumentParser(prog="gradviz run",
                                description="Run a graph forward and backward and print "
                                            "every node's value and gradient.")
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    p.add_argument("--target", help="node whose sum is differentiated (default: the "
                                     "file's target, else its single output)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--health", action="store_true",
                   help="flag NaN/Inf and vanishing, exploding, dead or saturated "
                        "gradients (with --json: a \"health\" field)")
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
    framing = p.add_mutually_exclusive_group()
    _size_option(framing)
    framing.add_argument("--scale", type=_number_from(MIN_SCALE, MAX_SCALE),
                         help="the whole graph at this many times its size, such as 2 "
                              "(a PNG too large for that is drawn smaller, with a warning)")
    p.add_argument("--step", type=int, metavar="K",
                   help="the run as it stood after step K of its trace: 0 is the first "
                        "forward step, -1 the last backward one")
    _picture_options(p)
    return p


def _animate_parser():
    p = argparse.ArgumentParser(prog="gradviz animate",
                                description="Run a graph step by step and save the steps "
                                            "as an animated GIF, or an animated PNG (no "
                                            "display needed).")
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("-o", "--output", required=True,
                   help="the animation to write: a .gif, or a .png (an animated PNG)")
    p.add_argument("--phase", choices=PHASES, default="both",
                   help="the steps to show (default both: forward, then backward)")
    p.add_argument("--fps", type=_number_from(MIN_FPS, MAX_FPS), default=1.0,
                   help="frames (steps) per second, such as 2 or 0.5 (default 1)")
    _size_option(p)
    _picture_options(p)
    return p


def _size_option(parser):
    parser.add_argument("--size", default="1000x560",
                        help="WIDTHxHEIGHT in pixels: a canvas of this size after Fit All "
                             "(default 1000x560)")


def _picture_options(parser):
    parser.add_argument("--view", choices=list(VIEWS), default="both",
                        help="; ".join(f"{v.name}: {v.doc.lower()}" for v in VIEWS.values()))
    parser.add_argument("--device", default="cpu", help=f"{device_names()} (default cpu)")
    parser.add_argument("--shared-scale", action="store_true",
                        help="one color scale for the whole graph")
    _budget_option(parser)


def _number_from(low, high):
    """An argparse type: a number from `low` to `high`."""
    def number(text):
        try:
            if low <= float(text) <= high:
                return float(text)
        except ValueError:
            pass
        raise argparse.ArgumentTypeError(f"must be a number from {low} to {high}")
    return number


def _canvas_size(parser, text):
    """(width, height) of a --size, or the parser's error (it exits)."""
    import re
    match = re.fullmatch(r"(\d+)x(\d+)", text)
    if not match or not (64 <= int(match[1]) <= 8192 and 64 <= int(match[2]) <= 8192):
        parser.error("--size must be WIDTHxHEIGHT, each 64 to 8192")
    return int(match[1]), int(match[2])


def _write(write, *args):
    """0 once `write(*args)` has written its file; 2, with the system's reason, where
    it could not."""
    try:
        write(*args)
    except OSError as e:
        print(f"gradviz: {one_line(e)}", file=sys.stderr)
        return 2
    return 0


def render_command(argv):
    from .core.fileformat import load
    parser = _render_parser()
    args = parser.parse_args(argv)
    size = _canvas_size(parser, args.size)
    graph = load(args.file)
    from .gui.render import render
    return _write(render, graph, args.output, args.view, size, args.device,
                  args.shared_scale, args.memory_budget, args.scale, args.step)


def animate_command(argv):
    from .core.fileformat import load
    parser = _animate_parser()
    args = parser.parse_args(argv)
    size = _canvas_size(parser, args.size)
    if not args.output.lower().endswith((".gif", ".png")):
        parser.error("-o/--output must end in .gif or .png")
    graph = load(args.file)
    from .gui.animate import animate
    return _write(animate, graph, args.output, args.view, size, args.device,
                  args.shared_scale, args.memory_budget, args.phase, args.fps)


def _gui_parser():
    p = argparse.ArgumentParser(prog="gradviz", description=(
        "Open the gradviz node editor. Other commands: 'gradviz run FILE' runs a graph "
        "headless; 'gradviz render FILE -o out.png' (or .svg) saves its picture; "
        "'gradviz animate FILE -o out.gif' (or .png) saves its run step by step; "
        "'gradviz train FILE' trains its trainable inputs; 'gradviz export FILE --to "
        "numpy|torch|notebook -o OUT' writes it as code; 'gradviz check|probe|compare "
        "FILE' are the instruments that test its gradients."))
    p.add_argument("file", nargs="?", help="a .gradviz file to open")
    return p


def run_command(argv):
    from .core.fileformat import load
    from .report import report_numbers, text_report, write_json_report
    args = _run_parser().parse_args(argv)
    graph = load(args.file)
    result = graph.run(device=args.device, target=args.target,
                       memory_budget=args.memory_budget)
    flags = None
    if args.health:
        from .core.health import health
        flags = health(result, {n: node.op for n, node in graph.nodes.items()})
    if args.json:
        numbers = report_numbers(result)
        if numbers > MAX_REPORT_NUMBERS and not args.full:
            raise GradvizError(f"the JSON report would hold {numbers:,} numbers (over "
                               f"{MAX_REPORT_NUMBERS:,}); pass --full to print them all")
        write_json_report(result, sys.stdout, flags)
    else:
        sys.stdout.write(text_report(graph, result, flags))
    return 0


def gui_command(argv):
    args = _gui_parser().parse_args(argv)
    from .gui.app import main as gui_main
    return gui_main(args.file)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"gradviz: warning: {one_line(message)}", file=sys.stderr)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    from .export_command import export_command
    from .instruments import check_command, compare_command, probe_command
    from .train_command import train_command
    commands = {"run": run_command, "render": render_command, "animate": animate_command,
                "check": check_command, "probe": probe_command, "compare": compare_command,
                "train": train_command, "export": export_command}
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
