"""A graph as code: a NumPy script that runs the forward pass and then the backward pass
written out one line per op and per gradient (in the style of the notebook gradviz
started from), the same forward pass in PyTorch, differentiated by autograd, and the
NumPy script as a Jupyter notebook that explains each step's rule.

Each op's code is declared in the op table (`OpSpec.numpy`, `OpSpec.torch`, see
`gradviz.core.ops.spec.Code`); this module writes the input op's sources and puts
the pieces together with the engine's semantics: the gradient of sum(target) (seed:
ones like the target), vjp results summed back to each input's shape over the axes
broadcasting added, contributions added up where a node feeds several ops, no
gradient into `no_grad` ports, none for nodes the target does not depend on."""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from typing import NamedTuple

import numpy as np

from .codetext import Files, Names, Sources, label_comment
from .errors import GradvizError
from .fileformat import _mode_for
from .ops import OPS
from .ops.spec import literal

KINDS = ("numpy", "torch", "notebook")
SUFFIXES = {"numpy": ".py", "torch": ".py", "notebook": ".ipynb"}
NOTEBOOK_EXTRA = "pip install 'gradviz[notebook]'"


class ExportError(GradvizError):
    """A graph or an output that cannot be exported (the message says why)."""


class Step(NamedTuple):
    """One step of an exported program: a heading and an explanation (a notebook's
    markdown cell), a comment (a script's) and the code."""
    heading: str
    text: str
    comment: str
    code: list
    show: str = ""   # a variable a notebook shows at the end of the cell


def _sum_to(expr, raw, shape):
    """`expr`, of shape `raw`, summed back to `shape` as the engine's sum_to does (over
    the leading axes broadcasting added and the axes where `shape` has 1), and the
    axes summed ((), where none)."""
    raw, shape = tuple(raw), tuple(shape)
    if raw == shape:
        return expr, ()
    lead = len(raw) - len(shape)
    kept = tuple(lead + i for i, d in enumerate(shape) if d == 1 and raw[lead + i] != 1)
    axes = tuple(range(lead)) + kept
    if not axes:   # only size-1 axes reshaped away
        return f"np.reshape({expr}, {literal(shape)})", ()
    axis = axes[0] if len(axes) == 1 else axes
    if not kept:
        return f"np.sum({expr}, axis={axis})", axes
    if not lead:
        return f"np.sum({expr}, axis={axis}, keepdims=True)", axes
    return f"np.sum({expr}, axis={axis}, keepdims=True).reshape({literal(shape)})", axes


def _rule(spec):
    """An op's description and its backward rule, as its doc states them."""
    what, _, rule = spec.doc.partition("Backward:")
    return what.strip(), rule.strip()


class Program:
    """A graph's program: names, inputs, forward and backward steps, for one target."""

    def __init__(self, graph, target=None, data_name=None, folder=None, notebook=False):
        shapes, self.target = graph.validate(target)
        self.graph, self.shapes = graph, shapes
        self.order = graph.topo_order()
        self.names = Names(self.order)
        self.specs = {n: OPS[graph.nodes[n].op] for n in self.order}
        missing = sorted({s.name for s in self.specs.values() if not s.source and not s.numpy})
        if missing:
            raise ExportError(f"ops {', '.join(missing)} declare no code to export")
        self.inputs = {n: [(graph.input_edge(n, port).src, port) for port in spec.inputs]
                       for n, spec in self.specs.items()}
        self.files = Files(folder, notebook)
        self.data_name = data_name
        self.cast = "" if graph.dtype == "float64" else f".astype(np.{graph.dtype})"
        self.reach, self.parts = self._reach()

    def _flows(self, n):
        """(input node, port, gradient template) for each input of `n` that takes a
        gradient."""
        spec = self.specs[n]
        if spec.source:
            return []
        return [(src, port, grad) for (src, port), grad in zip(self.inputs[n],
                                                                spec.numpy.grads)
                if grad is not None and port not in spec.no_grad]

    def _reach(self):
        """Nodes the target depends on (they get a gradient), and how many parts each
        one's gradient adds up."""
        reach, parts = {self.target}, {}
        for n in reversed(self.order):
            if n in reach:
                for src, _, _ in self._flows(n):
                    reach.add(src)
                    parts[src] = parts.get(src, 0) + 1
        return reach, parts

    # ---- pieces of code --------------------------------------------------------------
    def _fill(self, template, n):
        """A template of node `n` with its variables, gradient and params filled in."""
        node, spec = self.graph.nodes[n], self.specs[n]
        shapes = {port: self.shapes[src] for src, port in self.inputs[n]}
        shapes["out"] = self.shapes[n]
        if callable(template):
            template = template(node.params, shapes)
        names = {port: self.names.value[src] for src, port in self.inputs[n]}
        names.update(out=self.names.value[n], g=self.names.grad[n])
        names.update({p: literal(v) for p, v in node.params.items() if p in spec.param_index})
        return template.format_map(names)

    def _assign(self, n, expr):
        comment = label_comment(self.graph.nodes[n], self.names.value[n])
        return f"{self.names.value[n]} = {expr}" + (f"  # {comment}" if comment else "")

    def _call_text(self, n):
        """How node `n` reads in prose: `a = x * y`."""
        return f"{self.names.value[n]} = {self._fill(self.specs[n].numpy.forward, n)}"

    def _renamed(self, n, with_grad):
        """(name in the op's rule, variable) for each port (and g) named otherwise."""
        pairs = [(port, self.names.value[src]) for src, port in self.inputs[n]]
        if with_grad:
            pairs.append(("g", self.names.grad[n]))
        return [(port, name) for port, name in pairs if port != name]

    def _ports_text(self, n, with_grad=False):
        """Prose (markdown) saying which variable each name in the op's rule is."""
        pairs = [f"{port} is `{name}`" for port, name in self._renamed(n, with_grad)]
        if len(pairs) > 1:
            return f"Here {', '.join(pairs[:-1])} and {pairs[-1]}."
        return f"Here {pairs[0]}." if pairs else ""

    def _where(self, n):
        """` (a ← x, b ← y, g ← grad_a)`: the rule's names (the op's ports, g for the
        gradient arriving) given the code's (port names can be node names too)."""
        pairs = [f"{port} ← {name}" for port, name in self._renamed(n, with_grad=True)]
        return " (" + ", ".join(pairs) + ")" if pairs else ""

    def sources(self):
        """Steps making the inputs, and the arrays they read from the .npz."""
        ids = [n for n in self.order if self.specs[n].source]
        sources = Sources(self.graph, self.names, self.files, self.data_name, self.cast)
        steps = [Step("", what, what, lines) for what, lines in sources.steps(ids)]
        return steps, sources.arrays

    def forward(self, torch=False):
        steps = []
        for n in self.order:
            spec = self.specs[n]
            if spec.source:
                continue
            code = spec.torch if torch else spec.numpy
            lines = [self._assign(n, self._fill(code.forward, n))]
            if torch and n in self.reach:
                lines.append(f"{self.names.value[n]}.retain_grad()")
            what, _ = _rule(spec)
            text = f"**{spec.title}.** {what} {self._ports_text(n)}".strip()
            steps.append(Step(f"`{self._call_text(n)}`", text, "", lines,
                              show=self.names.value[n]))
        return steps

    def backward(self):
        """The backward pass, the engine's way: from the target back, one op at a time
        (reverse topological order), each gradient it sends summed back to its input's
        shape and added to what that input has already received."""
        t = self.names.value[self.target]
        seed = Step("The seed", f"The quantity differentiated is sum({t}): its gradient "
                    f"with respect to `{t}` is 1 for every element.",
                    f"the seed: d sum({t}) / d{t} = 1 for every element",
                    [f"{self.names.grad[self.target]} = np.ones_like({t})"])
        steps, received = [seed], {}
        for n in reversed(self.order):
            flows = self._flows(n) if n in self.reach else []
            if not flows:
                continue
            spec, lines, notes = self.specs[n], [], []
            for (src, port, template), raw in zip(flows, self._raw_shapes(n, flows)):
                expr, axes = _sum_to(self._fill(template, n), raw, self.shapes[src])
                grad = self.names.grad[src]
                received[src] = received.get(src, 0) + 1
                line = (f"{grad} = {expr}" if received[src] == 1
                        else f"{grad} = {grad} + {expr}")
                comments = []
                if axes:
                    comments.append(f"summed over the broadcast axes {axes}" if len(axes) > 1
                                    else f"summed over the broadcast axis {axes[0]}")
                    notes.append(f"`{self.names.value[src]}` is {_shape(self.shapes[src])}: "
                                 f"its part is {comments[-1]}.")
                if self.parts[src] > 1:
                    comments.append(f"part {received[src]} of {self.parts[src]}")
                    notes.append(f"`{self.names.value[src]}` feeds {self.parts[src]} ops: its "
                                 f"gradient adds up their parts (this is part "
                                 f"{received[src]}).")
                lines.append(line + (f"  # {'; '.join(comments)}" if comments else ""))
            what, rule = _rule(spec)
            text = (f"**{spec.title}.** Backward: {rule} {self._ports_text(n, True)} "
                    + " ".join(notes)).strip()
            steps.append(Step(f"Backward through `{self._call_text(n)}`", text,
                              f"{self._call_text(n)}. Backward: {rule.rstrip('.')}"
                              f"{self._where(n)}", lines))
        return steps

    def _raw_shapes(self, n, flows):
        """The shape of each gradient the op's code gives, before summing back."""
        spec = self.specs[n]
        ins = [self.shapes[src] for src, _ in self.inputs[n]]
        shapes = (spec.numpy.grad_shapes(self.graph.nodes[n].params, self.shapes[n], *ins)
                  if spec.numpy.grad_shapes else ins)
        by_port = dict(zip(spec.inputs, shapes))
        return [by_port[port] for _, port, _ in flows]

    def unreached(self):
        return [self.names.value[n] for n in self.order if n not in self.reach]

    def helpers(self, code_text, torch=False):
        """Source of the helper functions the code calls (and those they call), in
        the order the op table declares them."""
        declared = {}
        for spec in self.specs.values():
            code = spec.torch if torch else spec.numpy
            for name, source in (code.helpers if code else ()):
                declared.setdefault(name, source.strip())
        used, text = set(), code_text
        while True:
            found = {name for name in declared
                     if re.search(rf"\b{re.escape(name)}\(", text)} - used
            if not found:
                break
            used |= found
            text = "\n".join(declared[name] for name in found)
        return [source for name, source in declared.items() if name in used]

    def imports(self, torch=False):
        lines = []
        for spec in self.specs.values():
            code = spec.torch if torch else spec.numpy
            for line in (code.imports if code else ()):
                if line not in lines:
                    lines.append(line)
        return lines


def _shape(shape):
    return "a scalar" if not shape else "×".join(map(str, shape))


def _comment_block(text):
    return [("# " + line).rstrip() for para in text.splitlines()
            for line in _wrap(para).splitlines() or [""]]


def _header(program, kind):
    """Paragraphs saying what the exported program is."""
    graph, t = program.graph, program.names.value[program.target]
    paragraphs = [graph.description.strip()] if graph.description.strip() else []
    if kind == "torch":
        what = (f"Exported from gradviz as a PyTorch script: the graph's forward pass in "
                f"torch, then autograd differentiates sum({t}); grad_v is v's gradient.")
    else:
        what = (f"Exported from gradviz: the forward pass, then the backward pass written "
                f"out one op at a time. grad_v holds d sum({t}) / dv, the gradient of the "
                f"sum of the target {t} with respect to node v, in v's shape: gradients "
                f"are summed back over the axes broadcasting added, and where v feeds "
                f"several ops its gradient adds up what each sends back "
                f"(grad_v = grad_v + ...).")
    unreached = program.unreached()
    if unreached:
        what += (f" {t} does not depend on {', '.join(unreached)}: they get no grad_ "
                 f"variable (gradviz shows their gradients as zeros).")
    if graph.dtype != "float64":
        what += f" The graph runs in {graph.dtype}."
    return paragraphs + [what]


def _wrap(line, width=88):
    words, out, current = line.split(" "), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    return "\n".join(out)


def _prelude(program, arrays, torch=False):
    """Import lines, and the .npz load where arrays are read from one."""
    lines = ["import numpy as np"]
    if torch:
        lines += ["import torch"] + program.imports(torch=True)
    data = []
    if arrays:
        ref = program.files.ref(os.path.join(program.files.folder, program.data_name))
        data = [f"DATA = np.load({ref}, allow_pickle=False)"]
    if program.files.uses_here:   # files beside the script: found wherever it is run from
        lines = ["from pathlib import Path", "", *lines, "",
                 "HERE = Path(__file__).resolve().parent"]
    return lines + data


def _script(program, kind):
    """(text, arrays) of a NumPy or PyTorch script."""
    torch = kind == "torch"
    sources, arrays = program.sources()
    forward = program.forward(torch=torch)
    t = program.names.value[program.target]
    body = []
    for step in sources:
        body += [""] + _comment_block(step.comment) + step.code
    body += ["", "# ---- forward pass"]
    if torch:
        body += ["# Into torch: the inputs the target depends on record their gradients."]
        for n in program.order:
            if program.specs[n].source:
                name = program.names.value[n]
                grad = ", requires_grad=True" if n in program.reach else ""
                body.append(f"{name} = torch.tensor({name}{grad})")
        body.append("# retain_grad() keeps an intermediate result's gradient (PyTorch keeps "
                    "the leaves' only).")
    for step in forward:
        body += step.code
    if torch:
        body += [f'print("{t} =", {t}.detach().numpy())', "",
                 f"# ---- backward pass: autograd differentiates sum({t})",
                 f"{t}.sum().backward()"]
        body += [f"{program.names.grad[n]} = {program.names.value[n]}.grad"
                 for n in program.order if n in program.reach]
    else:
        body += [f'print("{t} =", {t})', "",
                 f"# ---- backward pass: the gradient of sum({t}) with respect to each node"]
        for step in program.backward():
            body += _comment_block(step.comment) + step.code
    helpers = program.helpers("\n".join(body), torch=torch)
    head = _comment_block("\n\n".join(_header(program, kind))) + [""]
    head += _prelude(program, arrays, torch)
    for source in helpers:
        head += ["", ""] + source.splitlines()
    if helpers:
        head.append("")
    return "\n".join(head + body) + "\n", arrays


def _notebook(program, title=None):
    """(JSON text, arrays) of the NumPy script as a notebook, validated by nbformat."""
    try:
        import nbformat
        from nbformat import v4
    except ImportError:
        raise ExportError(f"writing a notebook needs nbformat: {NOTEBOOK_EXTRA}") from None
    sources, arrays = program.sources()
    forward, backward = program.forward(), program.backward()
    t = program.names.value[program.target]
    all_code = "\n".join(line for step in (*sources, *forward, *backward) for line in step.code)
    cells = [v4.new_markdown_cell(f"# {title or 'A gradviz graph'}, forward and backward\n\n"
                                  + "\n\n".join(_header(program, "notebook"))),
             v4.new_code_cell("\n".join(_prelude(program, arrays)))]
    helpers = program.helpers(all_code)
    if helpers:
        cells += [v4.new_markdown_cell("Helper functions in plain NumPy, used below."),
                  v4.new_code_cell("\n\n\n".join(helpers))]
    cells.append(v4.new_markdown_cell("## Inputs"))
    for step in sources:
        cells += [v4.new_markdown_cell(step.text), v4.new_code_cell("\n".join(step.code))]
    cells.append(v4.new_markdown_cell("## Forward pass"))
    for step in forward:
        cells += [v4.new_markdown_cell(f"{step.heading}\n\n{step.text}"),
                  v4.new_code_cell("\n".join(step.code + [step.show]))]
    cells.append(v4.new_code_cell(f'print("{t} =", {t})'))
    cells.append(v4.new_markdown_cell(
        "## Backward pass\n\nFrom the target back to the inputs, one op at a time: each op "
        "turns its output's gradient g into one for each input, by the rule it declares. "
        "A gradient in the broadcast shape is summed back to the input's shape, and a "
        "node that feeds several ops adds up their parts."))
    for step in backward:
        heading = f"### {step.heading}"
        cells += [v4.new_markdown_cell(f"{heading}\n\n{step.text}"),
                  v4.new_code_cell("\n".join(step.code))]
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n", arrays


def _build(graph, kind, target=None, data_name=None, folder=None, title=None):
    if kind not in KINDS:
        raise ExportError(f"unknown export kind {kind!r} (known: {', '.join(KINDS)})")
    program = Program(graph, target, data_name, folder, notebook=kind == "notebook")
    return _notebook(program, title) if kind == "notebook" else _script(program, kind)


def to_numpy(graph, target=None) -> str:
    """A NumPy script: the forward pass, then the backward pass written out (every array
    inline, so the text stands alone)."""
    return _build(graph, "numpy", target)[0]


def to_torch(graph, target=None) -> str:
    """A PyTorch script: the same forward pass in torch, differentiated by autograd."""
    return _build(graph, "torch", target)[0]


def to_notebook(graph, target=None, title=None) -> str:
    """The NumPy script as a Jupyter notebook (nbformat 4 JSON), a markdown cell before
    each step stating its rule; `title` names the graph in its heading. Needs nbformat
    (`pip install 'gradviz[notebook]'`)."""
    return _build(graph, "notebook", target, title=title)[0]


def variables(graph, target=None):
    """Node id -> (the variable holding its value, the one holding its gradient, or
    None where the target does not depend on it) in exported code."""
    program = Program(graph, target)
    return {n: (program.names.value[n], program.names.grad[n] if n in program.reach else None)
            for n in program.order}


def data_path(path):
    """The .npz written beside an exported file: its name with .npz for its suffix."""
    return os.path.splitext(os.fspath(path))[0] + ".npz"


def write(graph, path, kind, target=None, title=None):
    """Write `graph` exported as `kind` (numpy, torch, notebook) to `path`; arrays over
    INLINE_LIMIT elements go to the .npz beside it (data_path), which the code loads.
    `title` names the graph in a notebook's heading. Returns the paths written. Raises
    ExportError for an unusable path, OSError with the system's reason where a file
    cannot be written."""
    path = os.fspath(path)
    if path.lower().endswith(".npz"):
        raise ExportError(f"{path}: the output cannot be a .npz (that name is for the "
                          f"arrays written beside it)")
    if os.path.isdir(path):
        raise ExportError(f"{path} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    data = data_path(path)
    text, arrays = _build(graph, kind, target, os.path.basename(data), folder, title)
    written = []
    if arrays:
        _atomic(data, lambda f: _write_npz(f, arrays))
        written.append(data)
    _atomic(path, lambda f: f.write(text.encode("utf-8")))
    return [path] + written


def _write_npz(file, arrays):
    """An .npz as np.savez writes it, with any names (savez's own keywords included)."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)


def _atomic(path, write_to):
    """Write through a temporary file in the same folder, renamed over `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".export-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write_to(f)
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
