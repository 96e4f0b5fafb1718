"""`gradviz export FILE --to numpy|torch|notebook -o OUT`: a graph as a NumPy script,
a PyTorch script or a Jupyter notebook (the editor's File ▸ Export ▸ entries write the
same files through the same core function)."""
from __future__ import annotations

import argparse
import os
import sys

from .core.export import KINDS, data_path, write
from .core.fileformat import load
from .report import one_line


def _parser():
    p = argparse.ArgumentParser(
        prog="gradviz export",
        description="Write a graph as code: a NumPy script with the backward pass written "
                    "out op by op, a PyTorch script differentiated by autograd, or the "
                    "NumPy script as a Jupyter notebook. Arrays over 1,000 elements go "
                    "to a .npz beside it.")
    p.add_argument("file", help="a .gradviz file")
    p.add_argument("--to", required=True, choices=KINDS, help="what to write")
    p.add_argument("-o", "--output", required=True,
                   help="the file to write (a .py, or an .ipynb for a notebook)")
    p.add_argument("--target", help="node whose sum is differentiated (default: the "
                                     "file's target, else its single output)")
    return p


def export_command(argv):
    args = _parser().parse_args(argv)
    graph = load(args.file)
    title = os.path.splitext(os.path.basename(args.file))[0]
    try:
        written = write(graph, args.output, args.to, target=args.target, title=title)
    except OSError as e:
        print(f"gradviz: cannot write {args.output}: {one_line(e.strerror or e)}",
              file=sys.stderr)
        return 2
    extra = f" (arrays in {data_path(args.output)})" if len(written) > 1 else ""
    print(f"wrote {args.output}{extra}")
    return 0
