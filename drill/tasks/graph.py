"""`drill graph`: build an expression with the learner's Value, backpropagate, send the graph."""
import ast

from drill.expr import evaluate, parse
from drill.graph import walk
from drill.grader.suitekit import need, run as call

METHODS = ("exp", "tanh", "relu")
LABEL_LENGTH = 12  # an inner node is named by its sub-expression when that is short


def run(module, args, emit):
    """Build `args["expr"]` from leaves `args["names"]` ({name: number}), call the file's own
    backward() on it, and emit the graph its nodes make, each with its data and grad."""
    Value = need("Value")
    names = args["names"]
    tree = parse(args["expr"], names, METHODS)
    leaves = {name: call(f"Value({x!r})", Value, x) for name, x in names.items()}
    labels = {id(v): name for name, v in leaves.items()}

    def name_inner(node, value):
        text = ast.unparse(node)
        if len(text) <= LABEL_LENGTH:
            labels.setdefault(id(value), text)

    program = "; ".join([f"{n} = Value({x!r})" for n, x in names.items()] + [f"out = {args['expr']}"])
    out = call(program, evaluate, tree, leaves, name_inner)
    labels[id(out)] = "out"
    call(program + "; out.backward()", lambda: out.backward())
    emit(graph=walk(out, lambda v: call("node._prev", lambda: list(v._prev)), read, labels).to_dict())


def read(value):
    """A node's op, data and grad, each None where it is missing or not a plain number."""
    def plain(name):
        x = getattr(value, name, None)
        return float(x) if type(x) in (int, float) else None
    op = getattr(value, "_op", "")
    return (op if type(op) is str else ""), plain("data"), plain("grad")
