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
    header = f"# drill stub for '{chunk.name}': {chunk.title}.\n"
    if not chunk.blanks:  # the card a speedrun has may not be `drill card`'s: it comes along
        return header + "# The card below says what to write; `drill check` grades it.\n#\n" + \
            as_comment(chunk.card)
    header += f"# `drill card {chunk.name}` says what to write; `drill check` grades it.\n"
    source = reference if reference is not None else reference_file().read_text(encoding="utf-8")
    return header + "\n" + blank_bodies(source, chunk.blanks)


def owners(chunks):
    """{qualified name: chunk} of every reference function some chunk leaves blank."""
    return {name: chunk for chunk in chunks for name in chunk.blanks}


def part_names(chunk, chunks):
    """The functions that are `chunk`'s to write: its blanks, or for a chunk without blanks
    (full) every blank of the chunks whose suites grade it, less those nested in another."""
    names = list(chunk.blanks) or [name for c in chunks if c.name in chunk.suites
                                   for name in c.blanks]
    return [n for n in names if not any(n.startswith(other + ".") for other in names)]


def chunk_parts(chunk, source, chunks):
    """{name: source} of each function that is the chunk's to write, as written in `source`
    (None where `source` has no such function), dedented. A function nested in it that a later
    chunk asks for keeps its `def` line, its body a marker naming that chunk: no part ever shows
    the answer to a chunk not reached yet. The whole file under '' when it does not parse."""
    try:
        defs = functions(ast.parse(source))
    except SyntaxError:
        return {"": source}
    names = part_names(chunk, chunks)
    if not names:
        return {"": source}
    later = {name: c.name for name, c in owners(chunks).items() if c.order > chunk.order}
    lines = source.splitlines(keepends=True)
    parts = {}
    for name in names:
        if name not in defs:
            parts[name] = None
            continue
        node, text = defs[name], lines[:]
        hidden = sorted((body_lines(defs[inner]), defs[inner].body[0].col_offset, owner)
                        for inner, owner in later.items()
                        if inner.startswith(name + ".") and inner in defs)
        for (start, end), indent, owner in reversed(hidden):
            text[start:end] = [" " * indent + f"...  # written in the {owner} chunk\n"]
        shift = sum(end - start - 1 for (start, end), _, _ in hidden)
        parts[name] = textwrap.dedent("".join(text[node.lineno - 1:node.end_lineno - shift]))
    return parts


def reference_parts(chunk, chunks):
    """The reference's code for the chunk (what `drill peek` shows and `drill diff` compares)."""
    if chunk.kind == "worksheet":
        raise DrillError(f"{chunk.name} is a worksheet of numbers, not code: there is no "
                         "reference to show; `drill check` explains each wrong answer")
    return chunk_parts(chunk, reference_file().read_text(encoding="utf-8"), chunks)


def differing(yours, reference):
    """The names of the parts where `yours` says something else than the reference (spacing
    and comments aside), in the reference's order."""
    def meaning(text):
        try:
            return ast.dump(ast.parse(text))
        except (SyntaxError, TypeError):
            return text
    return [name for name in reference if meaning(yours.get(name)) != meaning(reference[name])]
