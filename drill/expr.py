"""A strict evaluator for the little arithmetic people type: numbers, names, + - * / **, ( ).

`drill graph "(a*b + c)*f"` builds an expression with the learner's Value, and a worksheet's
answers (`-2.0 * b`) are arithmetic of numbers and node names. Neither may run anything else:
the text is parsed, every node is checked against what is allowed, and the tree is walked here
with the operators of whatever the names are bound to. Python's own `eval` is never called.
"""
import ast
import operator

from drill import syntax
from drill.errors import DrillError

BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_LENGTH = 500


class ExprError(DrillError):
    """The text is not arithmetic of the allowed kind; the message says what is not allowed."""


def parse(text, names, methods=()):
    """The checked tree of `text`: numbers, the given `names`, + - * / ** and parentheses, and
    calls of the given `methods` with no arguments (`a.tanh()`)."""
    text = str(text).strip()
    if not text:
        raise ExprError("an empty expression")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"an expression longer than {MAX_LENGTH} characters")
    try:
        tree = syntax.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"`{text}` is not arithmetic ({exc.msg})") from None
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        _check(node, text, set(names), set(methods), called)
    return tree


def _check(node, text, names, methods, called):
    allowed = ["numbers"] + (["names"] if names else []) + ["+ - * / **", "parentheses"]
    allowed += [f".{m}()" for m in sorted(methods)]
    allowed = ", ".join(allowed[:-1]) + " and " + allowed[-1]
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in BINARY or type(node) in UNARY:
        return
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return
        raise ExprError(f"`{text}`: {node.value!r} is not a number; only {allowed} are allowed")
    if isinstance(node, ast.Name):
        if node.id in names:
            return
        known = f" (known: {', '.join(sorted(names))})" if names else ""
        raise ExprError(f"`{text}`: `{node.id}` is not a name given{known}")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr in methods and not node.args and not node.keywords:
        return
    if isinstance(node, ast.Attribute) and node.attr in methods and id(node) in called:
        return
    piece = ast.get_source_segment(text, node) or type(node).__name__
    raise ExprError(f"`{text}`: `{piece}` is not allowed; only {allowed}")


def evaluate(tree, env, visit=None):
    """Walk a tree from `parse` with the names bound in `env`. `visit(node, value)` hears of
    every sub-expression's value as it is made (to name a graph's inner nodes, for instance)."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):  # a float, so that 9 ** 9 ** 9 overflows at once
            return float(node.value)
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            value = BINARY[type(node.op)](walk(node.left), walk(node.right))
        elif isinstance(node, ast.UnaryOp):
            value = UNARY[type(node.op)](walk(node.operand))
        else:  # a checked call: operand.method()
            value = getattr(walk(node.func.value), node.func.attr)()
        if visit is not None:
            visit(node, value)
        return value
    return walk(tree)
