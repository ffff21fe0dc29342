"""A chunk's stub, derived from the reference every time, so the two can never drift apart.

A stub holds what the chunk's suite needs of the chunks it builds on, written out (the chunks
its `gives` names: the project's tests check that list against the suite), the chunk's own
blanks (functions named by qualified name, such as `Value.__add__` or `Value.__add__._backward`,
each body replaced by a line saying what goes there and a `raise NotImplementedError`), and
nothing else of the library: no later chunk's code, no function that answers another chunk. A
function nested in a written one but belonging to a chunk the stub does not give keeps its
`def`, for the file must load, and its body is a marker naming that chunk: the very marker
`peek` and `diff` show for the code of a chunk not reached yet. A chunk with no blanks (full)
gets its card alone: the whole file is the learner's. A worksheet (chain) is written by
drill.worksheet from the attempt's seed. A chunk that draws (extend) is the chunk as its draw
makes it (the attempt's seed numbers the draw), and its draw's reference method joins the class
it belongs to, as if the reference had always held it.
"""
import ast
import os
import textwrap

from drill import syntax
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


def first_line(node):
    """The 0-based line a function or class starts at: its first decorator's, if it has any."""
    return min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1


def spliced(lines, edits):
    """The text of `lines` (a list of lines, changed in place) with each edit ((start, end),
    new lines) made: its 0-based lines [start, end) replaced by the new ones. Insertions at one
    place keep their order and go before an edit that starts there; an edit inside another is
    moot."""
    def order(edit):
        (start, end), _ = edit
        return start, start != end, -end  # at one line: insertions, then the outermost edit

    outer = []
    for (start, end), new in sorted(edits, key=order):
        if not outer or start >= outer[-1][0][1]:
            outer.append(((start, end), new))
    for (start, end), new in reversed(outer):
        lines[start:end] = new
    return "".join(lines)


def body_lines(node):
    """The 0-based [start, end) line range of a function's body."""
    return node.body[0].lineno - 1, node.end_lineno


WRITTEN_IN = "...  # written in the "


def marker(chunk_name):
    """The body of a function whose code belongs to a chunk that is not shown."""
    return [f"{WRITTEN_IN}{chunk_name} chunk"]


def todo(name, says):
    """The body of a blank: what goes there, and a raise that names the blank."""
    return [f"# TODO: {says}", f"raise NotImplementedError({name!r})"]


def rewrite(source, bodies, dropped=()):
    """`source` with the body of each function named in `bodies` ({name: lines}) replaced by
    those lines at the body's own indent, and each function or class named in `dropped` taken
    out with its decorators and the blank lines before it. An edit inside another is moot."""
    defs = functions(syntax.parse(source), classes=True)
    missing = [name for name in [*bodies, *dropped] if name not in defs]
    if missing:
        raise DrillError(f"the reference has no function {', '.join(missing)}")
    lines = source.splitlines(keepends=True)
    edits = []
    for name, new in bodies.items():
        node = defs[name]
        (start, end), indent = body_lines(node), " " * node.body[0].col_offset
        head = []
        if node.body[0].lineno == node.lineno:  # `def f(): body` on one line
            head = [lines[start][:node.body[0].col_offset].rstrip() + "\n"]
            indent = " " * (node.col_offset + 4)
        edits.append(((start, end), head + [indent + line + "\n" for line in new]))
    for name in dropped:
        node = defs[name]
        start = first_line(node)
        while start > 0 and not lines[start - 1].strip():
            start -= 1
        edits.append(((start, node.end_lineno), []))
    return spliced(lines, edits)


def owners(chunks):
    """{qualified name: chunk} of every reference function some chunk leaves blank; one that
    two chunks leave blank (Value.log, one of extend's draws and digits' too) is the first's
    in `chunks`, in learning order."""
    found = {}
    for chunk in chunks:
        for name in chunk.blanks:
            found.setdefault(name, chunk)
    return found


def whose(name, owned):
    """The chunk whose code the function `name` is: its own blank's, or the one of the
    function it is nested in (`Value.backward.build_topo` is topo's); None for neither."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        owner = owned.get(".".join(parts[:end]))
        if owner is not None:
            return owner
    return None


def selected(source, chunk, gives, chunks):
    """The reference `source` as `chunk`'s stub hands it out when it gives the chunks named in
    `gives`: their functions written out, `chunk`'s blanks to write, and nothing else but the
    module's imports and what the classes kept need (`__repr__`)."""
    owned = {name: c.name for name, c in owners(chunks).items()}
    defs = functions(syntax.parse(source), classes=True)
    bodies = {name: todo(name, says) for name, says in chunk.blanks.items()}
    dropped, kept_classes = [], set()
    for name in defs:
        owner, parent = whose(name, owned), name.rpartition(".")[0]
        if name in chunk.blanks or owner in gives:
            kept_classes.add(name.partition(".")[0])
        elif owner is None:
            continue  # no chunk's code (a class, __repr__): it stays if its class does
        elif isinstance(defs.get(parent), ast.ClassDef) or not parent:
            dropped.append(name)  # a method or a function of a chunk not given: not needed
        else:  # nested in a function that stays: the name must exist for the file to load
            bodies[name] = marker(owner)
    dropped += [name for name, node in defs.items() if isinstance(node, ast.ClassDef)
                and "." not in name and name not in kept_classes]
    return rewrite(source, bodies, dropped)


def header(chunk, body):
    """The lines a stub opens with: the chunk, what it gives written out, and what is yours."""
    *others, last = chunk.gives or [""]
    given = f"{', '.join(others)} and {last}" if others else last
    lines = [f"# drill stub for '{chunk.name}': {chunk.title}.",
             f"# Given, written out: the code of {given}, which the {chunk.name} suite builds on."
             if given else "# Nothing of the library is given."]
    if WRITTEN_IN in body:
        lines.append("# A body of `...` is code of the chunk its comment names, not yours here.")
    lines += ["# Yours: every part marked TODO.",
              f"# `drill card {chunk.name}` says what to write; `drill check` grades it."]
    return "\n".join(lines) + "\n"


def as_comment(text):
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def drawn(chunk, seed=None):
    """`chunk` as the attempt of `seed` drew it (a new draw when None), or as it is: a chunk that
    draws nothing, or one drawn already."""
    if not chunk.draws or chunk.draw() is not None:
        return chunk
    if seed is None:
        import random
        seed = random.randrange(len(chunk.draws))
    return chunk.drawing(seed)


def joined(source, addition, replacing=True):
    """`source` with the code of `addition` (a module's text) joined in: a method under a class
    of `addition` takes the place of the method of that name in `source`'s class, or goes at the
    end of that class; any other function or class takes the place of `source`'s of that name,
    or goes at the end of the module; each with its decorators. Without `replacing`, what
    `source` has stays as it is."""
    defs = functions(syntax.parse(source), classes=True)
    lines, added = source.splitlines(keepends=True), addition.splitlines(keepends=True)
    edits = []
    for node in syntax.parse(addition).body:
        into = isinstance(node, ast.ClassDef) and node.name in defs
        for member in node.body if into else [node]:
            if not isinstance(member, (ast.FunctionDef, ast.ClassDef)):
                continue
            name, text = (node.name + "." if into else "") + member.name, \
                added[first_line(member):member.end_lineno]
            if name in defs:
                if replacing:
                    edits.append(((first_line(defs[name]), defs[name].end_lineno), text))
            else:
                end = defs[node.name].end_lineno if into else len(lines)
                edits.append(((end, end), ["\n"] * (1 if into else 2) + text))
    return spliced(lines, edits)


def _additions(chunk):
    """The code `chunk` adds to the lecture's reference, as a module's text, or None: its
    draw's method under `class Value`, or the file of its folder that `adds` names."""
    draw = chunk.draw()
    if draw is not None:
        method = textwrap.indent(textwrap.dedent(draw["reference"]).strip("\n"), "    ")
        return f"class Value:\n{method}\n"
    if chunk.adds:
        with open(chunk.adds, encoding="utf-8") as f:
            return f.read()
    return None


def reference_source(chunk, source=None):
    """The reference (`source`, by default drill's: the lecture's library) as `chunk` writes it
    whole: with the code the chunk adds joined in, which takes the place of what it changes
    (digits' Neuron with its `nonlin` flag). What `peek`, `diff` and a bug hunt show."""
    return _joined_for(chunk, source, replacing=True)


def stub_source(chunk, source=None):
    """The reference as `chunk`'s stub is cut from it: what the chunk adds joins in, but a
    function of the library it changes stays the lecture's (digits' stub gives Neuron as nn
    wrote it: the flag is the learner's to add), as does a method the library has already."""
    return _joined_for(chunk, source, replacing=False)


def _joined_for(chunk, source, replacing):
    source = source if source is not None else reference_file().read_text(encoding="utf-8")
    addition = _additions(chunk)
    return source if addition is None else joined(source, addition, replacing)


def reference_for(name):
    """The whole reference library of the chunk called `name`, as source text: for digits, the
    lecture's micrograd with softmax, cross_entropy, classifier and fit_digits joined in (what
    a command that trains `--reference` runs)."""
    from drill.catalog import get_chunk
    return reference_source(get_chunk(name))


def make_stub(chunk, reference=None, seed=None, chunks=None):
    """The file a learner starts `chunk` from: for a worksheet, the sheet of `seed`; for a
    chunk that draws, the method of the draw numbered `seed` (a new draw when None). `chunks`
    is the catalog the chunk belongs to (by default, the folder beside its own)."""
    if chunk.kind == "worksheet":
        from drill.worksheet import stub
        return stub(chunk, seed)
    chunk = drawn(chunk, seed)
    if not chunk.blanks:  # the card a speedrun has may not be `drill card`'s: it comes along
        return f"# drill stub for '{chunk.name}': {chunk.title}.\n" + \
            "# The card below says what to write; `drill check` grades it.\n#\n" + \
            as_comment(chunk.card)
    if chunks is None:
        from drill.catalog import load_catalog
        chunks = load_catalog(os.path.dirname(chunk.folder))
    body = selected(stub_source(chunk, reference), chunk, chunk.gives, chunks)
    return header(chunk, body) + "\n" + body


def _added_functions(chunk):
    """The functions of the code `chunk` adds to the reference, by qualified name, in order."""
    addition = _additions(chunk)
    return list(functions(syntax.parse(addition))) if addition is not None else []


def part_names(chunk, chunks):
    """The functions that are `chunk`'s to write: those it adds to the reference (the lecture's
    ones it changes included: digits' Neuron.__init__) and its blanks, or for a chunk without
    blanks (full) every blank of the chunks whose suites grade it, less those nested in
    another."""
    names = list(dict.fromkeys([*_added_functions(chunk), *chunk.blanks])) or [
        name for c in chunks if c.name in chunk.suites for name in c.blanks]
    return [n for n in names if not any(n.startswith(other + ".") for other in names)]


def chunk_parts(chunk, source, chunks):
    """{name: source} of each function that is the chunk's to write, as written in `source`
    (None where `source` has no such function), dedented. A function nested in it that a later
    chunk asks for keeps its `def` line, its body a marker naming that chunk: no part ever shows
    the answer to a chunk not reached yet. The whole file under '' when it does not parse."""
    try:
        defs = functions(syntax.parse(source))
    except SyntaxError:
        return {"": source}
    names = part_names(chunk, chunks)
    if not names:
        return {"": source}
    later = {inner: marker(c.name) for inner, c in owners(chunks).items()
             if c.order > chunk.order and inner in defs
             and any(inner.startswith(name + ".") for name in names)}
    text = rewrite(source, later)
    defs, lines = functions(syntax.parse(text)), text.splitlines(keepends=True)
    return {name: textwrap.dedent("".join(lines[defs[name].lineno - 1:defs[name].end_lineno]))
            if name in defs else None for name in names}


def reference_parts(chunk, chunks):
    """The reference's code for the chunk (what `drill peek` shows and `drill diff` compares)."""
    if chunk.kind == "worksheet":
        raise DrillError(f"{chunk.name} is a worksheet of numbers, not code: there is no "
                         "reference to show; `drill check` explains each wrong answer")
    return chunk_parts(chunk, reference_source(chunk), chunks)
