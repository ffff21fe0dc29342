"""A Jupyter notebook as drill grades it: its code cells, in order, as one Python file.

Pure functions of text, with the standard library's `json` (nbformat 4): `read` turns a
notebook into the source drill grades, with a map from each line of that source back to the
cell and line the learner sees; `write` turns a handout into a notebook. A notebook is as
untrusted as any submission: its cells are only ever text here, its outputs are never read.

Cells are numbered by their place among all the notebook's cells, markdown included, from 1:
Jupyter's `In [7]` changes at every run and is missing from cells never run, while a cell's
place is what the learner can count. Left out of the grading, and said so: a cell that only
explores (nothing but bare expressions, such as `draw_dot(L)` or `a.grad`), a cell run by a cell
magic (`%%timeit`), and, in a cell that is not Python as it stands, the lines of IPython's own
(`%matplotlib inline`, `!pip install`, `Value?`), kept as comments so the lines keep their places.
"""
import ast
import json
import re
from dataclasses import dataclass, field

from drill import syntax

MARK = "# %% cell {}"  # opens each cell in the graded source, after a blank line (the
#                       percent format editors know)
# A line of IPython's own, never a comment: `%magic`, `!shell`, `?help`, `help?`, `x = %magic`.
IPYTHON_LINE = re.compile(r"(?!\s*#)(\s*[%!?]"
                          r"|\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]"
                          r"|.*\?\s*$)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class NotANotebook(ValueError):
    """The text is not a notebook drill can read: the message says why, after the file's name."""


@dataclass
class Graded:
    """A notebook as graded. `source` is its kept code cells, each opened by a MARK line;
    `cells[i]` is the (cell, line) of the source's line i + 1, None for a line of drill's own
    (a MARK and the blank line before it)."""
    source: str
    cells: list
    exploring: list = field(default_factory=list)  # cells of bare expressions only
    magic_cells: list = field(default_factory=list)  # (cell, '%%timeit')
    magic_lines: list = field(default_factory=list)  # (cell, line) kept as comments
    ignored: list = field(default_factory=list)  # 'outputs', 'widgets'
    kernel: str = ""  # the notebook's language when it is not Python

    def notes(self):
        """What drill says once about how it read the notebook, or ''."""
        said = []
        if self.exploring:
            said.append(f"left out {_cells(self.exploring)} (bare expressions only: exploring)")
        if self.magic_cells:
            said.append("left out " + ", ".join(f"cell {number} ({magic})"
                                                for number, magic in self.magic_cells))
        if self.magic_lines:
            count = len(self.magic_lines)
            said.append(f"left out {count} magic or shell line{'s' * (count > 1)} "
                        f"({_cells(sorted({c for c, _ in self.magic_lines}))})")
        if self.ignored:
            said.append(f"graded on its code: its {' and '.join(self.ignored)} are ignored")
        if self.kernel:
            said.append(f"its kernel is {self.kernel}, not Python: graded as Python all the same")
        return "; ".join(said)


def _cells(numbers):
    if len(numbers) == 1:
        return f"cell {numbers[0]}"
    return "cells " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def place(name, lineno, cells=None):
    """Where line `lineno` of the graded source is, as the learner finds it: `ops.py:12`, or in a
    notebook (`cells`, Graded.cells) `ops.ipynb, cell 4, line 3`."""
    spot = cells[lineno - 1] if cells and 0 < lineno <= len(cells) else None
    return f"{name}, cell {spot[0]}, line {spot[1]}" if spot else f"{name}:{lineno}"


def cell_sources(source, cells):
    """(its first line, its text) of each cell in the graded `source`, to be parsed alone as
    Jupyter runs each cell: an indented cell never continues the one before it."""
    spans = []
    for number, (line, spot) in enumerate(zip(source.split("\n"), cells), 1):
        if spot is None:
            spans.append((number + 1, []))
        else:
            spans[-1][1].append(line)
    return [(first, "\n".join(text) + "\n") for first, text in spans if text]


def read(text):
    """The Graded form of the notebook `text`; NotANotebook when it is not one."""
    notebook = _loaded(text)
    graded = Graded("", [])
    lines = []
    for number, cell in enumerate(notebook["cells"], 1):
        kind, code = _cell(cell, number)
        if kind != "code":
            continue
        outputs = cell.get("outputs")
        if outputs:
            _note(graded.ignored, "outputs")
        if isinstance(outputs, list) and any(
                isinstance(o, dict) and isinstance(o.get("data"), dict) and WIDGET_VIEW in o["data"]
                for o in outputs):
            _note(graded.ignored, "widgets")
        kept = _code_of(code, number, graded)
        if kept:
            opening = [""] * bool(lines) + [MARK.format(number)]  # a blank line between cells
            lines += opening
            graded.cells += [None] * len(opening)
            lines += kept
            graded.cells += [(number, line) for line in range(1, len(kept) + 1)]
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    if "widgets" in metadata:
        _note(graded.ignored, "widgets")
    graded.kernel = _language(metadata)
    graded.source = "\n".join(lines) + "\n" if lines else ""
    return graded


def _loaded(text):
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno}: {exc.msg})" if hasattr(exc, "msg") \
            else ""
        raise NotANotebook(f"is not a notebook: it is not valid JSON{where}: was it saved "
                           "whole?") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        if isinstance(notebook, dict) and "worksheets" in notebook:
            raise NotANotebook("is a notebook of format 3: open it in Jupyter and save it, which "
                               "writes format 4, the one drill reads")
        raise NotANotebook("is JSON but not a Jupyter notebook: it has no list of cells")
    version = notebook.get("nbformat", 4)
    if version != 4:
        raise NotANotebook(f"is a notebook of format {_shown(version)}; drill reads format 4, "
                           "the one Jupyter writes")
    return notebook


def _cell(cell, number):
    """(cell_type, source text) of a cell, or NotANotebook naming the cell."""
    source = cell.get("source", "") if isinstance(cell, dict) else None
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if not isinstance(source, str) or not isinstance(cell.get("cell_type"), str):
        raise NotANotebook(f"is not a notebook drill can read: cell {number} has no cell_type "
                           "or no source text")
    return cell["cell_type"], source


def _code_of(code, number, graded):
    """The lines of a code cell as graded ([] when it is left out), noting in `graded` why
    lines or the cell were left out."""
    lines = re.split(r"\r\n|\r|\n", code.rstrip())
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        graded.magic_cells.append((number, _printable(first.split()[0])))
        return []
    body = _body("\n".join(lines))
    if body is None:  # not Python as it stands: IPython's own lines become comments
        magic = [i for i, line in enumerate(lines) if IPYTHON_LINE.match(line)]
        for i in magic:
            lines[i] = "# " + lines[i].lstrip()
        graded.magic_lines += [(number, i + 1) for i in magic]
        body = _body("\n".join(lines))
    if body == []:
        return []  # comments, blank lines or magics alone: nothing to grade
    if body and all(isinstance(statement, ast.Expr) for statement in body):
        graded.exploring.append(number)
        return []
    return lines  # code; or code that does not parse, whose cell and line the grader names


def _body(code):
    """The statements of `code`, or None when it does not parse."""
    try:
        return syntax.parse(code).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _note(said, what):
    if what not in said:
        said.append(what)


def _language(metadata):
    """The notebook's language, quoted, when its metadata names one other than Python; else ''."""
    for key, name in (("kernelspec", "language"), ("language_info", "name"),
                      ("kernelspec", "name")):
        section = metadata.get(key)
        value = section.get(name) if isinstance(section, dict) else None
        if isinstance(value, str) and value:
            return "" if value.lower().startswith("python") else _shown(value)
    return ""


def _shown(value):
    """A value from the notebook's metadata as the learner may read it, a string quoted."""
    return repr(_printable(value)) if isinstance(value, str) else _printable(value)


def _printable(value):
    """Text from the notebook fit for a terminal: what a terminal would act on (an escape
    sequence) taken out, and short."""
    return "".join(c for c in str(value)[:40] if c.isprintable())


def write(source, card):
    """A notebook of the Python `source` (a handout): a markdown cell with `card` and how drill
    reads the notebook, then a code cell for each top-level class or function, and one for each
    run of statements between them. Comments above a definition go in its cell; those before
    the first statement (a stub's header) are what the markdown cell says."""
    lines = source.split("\n")
    body = syntax.parse(source).body
    starts = []
    for i, node in enumerate(body):
        definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        after_definition = i > 0 and isinstance(body[i - 1], (ast.FunctionDef,
                                                              ast.AsyncFunctionDef, ast.ClassDef))
        if i == 0 or definition or after_definition:
            top = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
            while i and top > 0 and lines[top - 1].lstrip().startswith("#"):  # not the header
                top -= 1
            starts.append(top)
    ends = starts[1:] + [len(lines)]
    codes = ["\n".join(lines[start:end]).strip("\n") for start, end in zip(starts, ends)]
    cells = [_new_cell("markdown", card.rstrip() + "\n\n" + READING, 0)]
    cells += [_new_cell("code", code, n) for n, code in enumerate(codes or [""], 1)]
    notebook = {"cells": cells,
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                            "name": "python3"},
                             "language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


READING = ("*How drill reads this notebook:* its code cells, in order, as one Python file, "
           "graded at each save. Cells of bare expressions only (`a.grad`, `draw_dot(L)`) "
           "explore and are left out, as are `%%` cell magics; `%` magics and `!` shell lines "
           "become comments. Messages name a cell and a line, counting every cell from the "
           "top, this one included.")


def _new_cell(kind, text, number):
    """A cell as Jupyter writes it: the source as lines, each but the last with its newline."""
    cell = {"cell_type": kind, "id": f"drill-{number}", "metadata": {},
            "source": text.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell
