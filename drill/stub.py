"""A chunk's stub, derived from the reference every time, so the two can never drift apart.

The stub is the reference with the bodies of the chunk's blanks (functions named by qualified
name, such as `Value.__add__` or `Value.__add__._backward`) replaced by a line saying what goes
there and a `raise NotImplementedError`. Everything else is the reference, byte for byte. A chunk
with no blanks (full) gets its card alone: the whole file is the learner's. A worksheet (chain)
is written by drill.worksheet from the attempt's seed.
"""
import ast
import textwrap

from drill.errors import DrillError
from drill.paths import reference_file


def functions(tree, classes=False):
    """Every function (and class, with `classes`) in `tree` by qualified name:
    {'Value.__add__._backward': node, ...}."""
    found = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if classes or not isinstance(child, ast.ClassDef):
                    found[name] = child
                visit(child, name + ".")
    visit(tree, "")
    return found


def body_lines(node):
    """The 0-based [start, end) line range of a function's body."""
    return node.body[0].lineno - 1, node.end_lineno


def blank_bodies(source, blanks):
    """`source` with each named function's body replaced; `blanks` maps name -> what goes there."""
    defs = functions(ast.parse(source))
    missing = [name for name in blanks if name not in defs]
    if missing:
        raise DrillError(f"the reference has no function {', '.join(missing)}")
    lines = source.splitlines(keepends=True)
    spans = sorted(((body_lines(defs[n]), n) for n in blanks), reverse=True)
    for (start, end), name in spans:
        indent = " " * defs[name].body[0].col_offset
        lines[start:end] = [f"{indent}# TODO: {blanks[name]}\n",
                            f"{indent}raise NotImplementedError({name!r})\n"]
    return "".join(lines)


def as_comment(text):
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def make_stub(chunk, reference=None, seed=None):
    """The file a learner starts `chunk` from: for a worksheet, the sheet of `seed`."""
    if chunk.kind == "worksheet":
        from drill.worksheet import stub
        return stub(chunk, seed)
    header = (f"# drill stub for '{chunk.name}': {chunk.title}.\n"
              f"# `drill card {chunk.name}` says what to write; `drill check` grades it.\n")
    if not chunk.blanks:
        return header + "#\n" + as_comment(chunk.card)
    source = reference if reference is not None else reference_file().read_text(encoding="utf-8")
    return header + "\n" + blank_bodies(source, chunk.blanks)


def chunk_parts(chunk, source):
    """{name: source} of each function the chunk blanks, as written in `source` (None where
    `source` has no such function); the whole file under '' for full or a file that does not
    parse."""
    try:
        defs = functions(ast.parse(source))
    except SyntaxError:
        return {"": source}
    if not chunk.blanks:
        return {"": source}
    lines = source.splitlines(keepends=True)
    return {name: textwrap.dedent("".join(lines[defs[name].lineno - 1:defs[name].end_lineno]))
            if name in defs else None for name in chunk.blanks}


def reference_parts(chunk):
    """The reference's code for the chunk (what `drill peek` shows and `drill diff` compares)."""
    if chunk.kind == "worksheet":
        raise DrillError(f"{chunk.name} is a worksheet of numbers, not code: there is no "
                         "reference to show; `drill check` explains each wrong answer")
    return chunk_parts(chunk, reference_file().read_text(encoding="utf-8"))
