"""Two versions of a function compared by what they do, not how they are written.

Each version is read as a syntax tree, so spacing, parentheses, quotes and comments never
count; docstrings are left out, a number is its value (`0` is `0.0`), and the names a function
binds itself (its arguments, its variables, its helpers) are renamed afresh at each binding,
in the order Python runs them, so `n` and `neuron` are one name when only that differs, and
two loops over `p`, or over `p` then `q`, are the same code. A placeholder for a later
chunk (`def _backward(): ...`, with the assignment that hands it out) counts as absent: the
learner was not asked to write it yet, and with it gone `out = Value(...)`, `return out` is
`return Value(...)`. An assert's message is words, not meaning. What differs then is told line
by line, so that a screen can mark the lines, not whole functions.
"""
import ast
import difflib
from dataclasses import dataclass, field

from drill import syntax


@dataclass
class Comparison:
    """One function that differs in meaning: both texts, and the lines (from 1) of each that
    differ."""
    name: str
    yours: str  # None: the learner's file has no such function
    reference: str
    your_lines: set = field(default_factory=set)
    reference_lines: set = field(default_factory=set)


def against_reference(chunk, source):
    """(the Comparisons of `chunk`'s functions in `source` with the reference's, how many
    functions the chunk has): what `drill diff` and the pass screen show."""
    from drill.catalog import load_catalog
    from drill.stub import chunk_parts, reference_parts
    chunks = load_catalog()
    reference = reference_parts(chunk, chunks)
    return compare(chunk_parts(chunk, source, chunks), reference), len(reference)


def compare(yours, reference):
    """A Comparison for each part of `reference` ({name: source}) that `yours` says otherwise,
    in the reference's order."""
    found = []
    for name, theirs in reference.items():
        mine = yours.get(name)
        if mine is not None and _meaning(mine) == _meaning(theirs):
            continue
        mine_lines, their_lines = _differing_lines(mine, theirs)
        found.append(Comparison(name, mine, theirs, mine_lines, their_lines))
    return found


def _meaning(source):
    """The normalised tree of `source` as text; the text itself when it does not parse."""
    tree = _tree(source)
    return source if tree is None else ast.dump(tree)


def _tree(source):
    """`source` parsed and normalised, or None when it does not parse."""
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError):
        return None
    _drop_placeholders(tree)
    _drop_docstrings(tree)
    _drop_assert_messages(tree)
    _return_through_a_name(tree)
    _rename_locals(tree)
    return _NumbersAsValues().visit(tree)


def _drop_placeholders(tree):
    """Take out each nested function whose body is `...` (a later chunk's, not written yet)
    and each statement that only hands it on (`out._backward = _backward`)."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        gone = {s.name for s in body if isinstance(s, ast.FunctionDef) and _is_ellipsis(s.body)}
        node.body = [s for s in body if not (
            isinstance(s, ast.FunctionDef) and s.name in gone
            or isinstance(s, ast.Assign) and isinstance(s.value, ast.Name)
            and s.value.id in gone)] or [ast.Pass()]


def _is_ellipsis(body):
    return (len(body) == 1 and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant) and body[0].value.value is Ellipsis)


def _drop_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                node.body = node.body[1:] or [ast.Pass()]


def _drop_assert_messages(tree):
    """An assert's message is words for a person, not what the code does."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            node.msg = None


def _return_through_a_name(tree):
    """Spell each `return E` (E not a bare name) as `x = E` then `return x`, with a name of its
    own: with a later chunk's placeholder gone, the reference's `out = Value(...)`, `return out`
    is what a learner not yet asked for `_backward` writes as `return Value(...)`. Both
    statements keep the return's lines, so a difference in E marks that line alone, on each
    side."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(node, name, None)
            if isinstance(statements, list):
                setattr(node, name, [spelled for statement in statements
                                     for spelled in _through_a_name(statement)])


def _through_a_name(statement):
    if not isinstance(statement, ast.Return) or statement.value is None \
            or isinstance(statement.value, ast.Name):
        return [statement]
    named = ast.Assign([ast.Name(RETURNED, ast.Store())], statement.value)
    given = ast.Return(ast.Name(RETURNED, ast.Load()))
    return [ast.fix_missing_locations(ast.copy_location(node, statement))
            for node in (named, given)]


RETURNED = "returned value"  # never a name in Python code, so it meets none of the learner's


def _rename_locals(tree):
    """Rename every name a function of `tree` binds to `_1`, `_2`, ... afresh at each binding,
    in the order Python runs them, and each use to the binding it reads: a loop variable named
    `p` in two loops, or `p` then `q`, is the same code. Names read from outside (`Value`,
    `math`), those declared global or nonlocal, and the top-level function's own name stay."""
    keep = {name for node in ast.walk(tree) if isinstance(node, (ast.Global, ast.Nonlocal))
            for name in node.names}
    keep |= {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    current, numbers = {}, iter(range(1, 1 << 30))

    def bind(name):
        if name in keep:
            return name
        current[name] = f"_{next(numbers)}"
        return current[name]

    for node in _as_run(tree):
        if isinstance(node, ast.Name):
            node.id = current.get(node.id, node.id) if isinstance(node.ctx, ast.Load) \
                else bind(node.id)
        elif isinstance(node, ast.arg):
            node.arg = bind(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.name = bind(node.name)
        elif isinstance(node, ast.alias):
            node.asname = bind((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            node.name = bind(node.name)


# The fields of a node in the order Python evaluates them, where that is not their order in
# the tree: a value before the names it is bound to, a loop's iterable before its variable.
RUN_ORDER = {ast.Assign: ("value", "targets"), ast.AugAssign: ("value", "target"),
             ast.AnnAssign: ("annotation", "value", "target"), ast.NamedExpr: ("value", "target"),
             ast.For: ("iter", "target", "body", "orelse"),
             ast.AsyncFor: ("iter", "target", "body", "orelse"),
             ast.comprehension: ("iter", "target", "ifs"),
             ast.ListComp: ("generators", "elt"), ast.SetComp: ("generators", "elt"),
             ast.GeneratorExp: ("generators", "elt"),
             ast.DictComp: ("generators", "key", "value"),
             ast.withitem: ("context_expr", "optional_vars")}


def _as_run(node):
    """Every node under `node` in the order Python meets it when it runs (RUN_ORDER); a
    function's decorators and defaults, then its name, then its arguments and body."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for child in [*node.decorator_list, *node.args.defaults,
                      *filter(None, node.args.kw_defaults)]:
            yield from _as_run(child)
        yield node
        arguments = node.args
        for arg in [*arguments.posonlyargs, *arguments.args, arguments.vararg,
                    *arguments.kwonlyargs, arguments.kwarg]:
            if arg is not None:
                yield arg
        for child in node.body:
            yield from _as_run(child)
        return
    yield node
    fields = RUN_ORDER.get(type(node), node._fields)
    for name in fields:
        value = getattr(node, name, None)
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST):
                yield from _as_run(child)


def _in_order(node):
    """Every node under `node`, depth first, each function's arguments before its body: the
    order in which a reader meets the names."""
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _in_order(child)


class _NumbersAsValues(ast.NodeTransformer):
    """An int and a float of the same value are one number (`0` and `0.0`); a bool stays."""

    def visit_Constant(self, node):
        if type(node.value) is int:
            return ast.copy_location(ast.Constant(float(node.value)), node)
        return node


def _differing_lines(mine, theirs):
    """The lines of each text (from 1) whose statements have no counterpart of the same
    meaning in the other, matched in order; every line of a text that does not parse."""
    mine_statements, their_statements = _statements(mine), _statements(theirs)
    if mine_statements is None or their_statements is None:
        return _all_lines(mine), _all_lines(theirs)
    matcher = difflib.SequenceMatcher(None, [m for m, _ in mine_statements],
                                      [m for m, _ in their_statements], autojunk=False)
    mine_lines, their_lines = set(), set()
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            mine_lines.update(line for _, lines in mine_statements[i1:i2] for line in lines)
            their_lines.update(line for _, lines in their_statements[j1:j2] for line in lines)
    return mine_lines, their_lines


def _all_lines(text):
    return set(range(1, len((text or "").splitlines()) + 1))


def _statements(source):
    """[(meaning, its lines)] of each simple statement of `source`, and of the line that opens
    each compound one (`if x:`, `def f(a):`), in order; None when it does not parse."""
    if source is None:
        return []
    tree = _tree(source)
    if tree is None:
        return None
    found = []
    for node in _in_order(tree):
        if not isinstance(node, ast.stmt) or isinstance(node, ast.Pass):
            continue
        body = getattr(node, "body", None)
        if isinstance(body, list):  # a compound statement: its header, its body on its own
            header = _header(node)
            found.append((ast.dump(header), set(range(node.lineno,
                                                      (node.body[0].lineno if node.body and
                                                       hasattr(node.body[0], "lineno")
                                                       else node.lineno + 1)))))
        else:
            found.append((ast.dump(node), set(range(node.lineno, node.end_lineno + 1))))
    return found


def _header(node):
    """A compound statement with its bodies emptied: what its opening line says."""
    import copy
    shell = copy.copy(node)
    for name in ("body", "orelse", "finalbody", "handlers"):
        if isinstance(getattr(shell, name, None), list):
            setattr(shell, name, [])
    return shell
