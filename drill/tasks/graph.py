"""`drill graph`: build an expression with the learner's Value, backpropagate, send the graph.

A file may not backpropagate yet (after ops, before backward and topo): then the graph comes
with its grads left out and `lacks` says what is missing, rather than zeros that look like an
answer."""
import ast

from drill.expr import evaluate, parse
from drill.graph import walk
from drill.grader.suitekit import need, run as call

METHODS = ("exp", "tanh", "relu")
LABEL_LENGTH = 12  # an inner node is named by its sub-expression when that is short
# Other leaves to try a node's _backward at, where the learner's give every local derivative 0
# (relu of a negative, a product with 0): positive, distinct and away from 0.
PROBE = (0.7, 1.3, 1.9, 2.3, 0.4, 1.1)


def run(module, args, emit):
    """Build `args["expr"]` from leaves `args["names"]` ({name: number}), call the file's own
    backward() on it, and emit the graph its nodes make, each with its data and grad, and what
    the file lacks to backpropagate: "backward" (no backward()), "seed" (a backward() that left
    every grad at 0), "_backward" (no node's _backward passes a gradient on), or ""."""
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
    backward = call(program + "; out.backward", getattr, out, "backward", None)
    if callable(backward):
        call(program + "; out.backward()", backward)
    graph = walk(out, lambda v: call("node._prev", lambda: list(v._prev)), read, labels)
    lacks = "backward" if not callable(backward) else lacking(graph, out, Value, tree, names)
    if lacks:
        for node in graph.nodes:
            node.grad = None
    emit(graph=graph.to_dict(), lacks=lacks)


def lacking(graph, out, Value, tree, names):
    """What keeps the file from backpropagating, judged by what its code does: "seed" when
    backward() left every grad at 0, the output's too; "_backward" when it set the output's
    but every other stayed 0 and no node's _backward passes anything on, at these leaves or at
    others (so a relu of a negative, whose grads are rightly 0, is not taken for one); or ""."""
    grads = [node.grad for node in graph.nodes]
    if len(grads) < 2 or any(g != 0 for g in grads[1:]):
        return ""
    if grads[0] == 0:
        return "seed"
    if passes(out):
        return ""
    try:
        again = evaluate(tree, {n: Value(PROBE[i % len(PROBE)]) for i, n in enumerate(names)})
    except Exception:
        return ""  # no second look: say nothing rather than something untrue
    return "" if passes(again) else "_backward"


def passes(root):
    """True when some node under `root`, given grad 1, passes a non-zero grad to an operand
    through its own _backward. Every grad it touches is set first, so earlier runs do not count."""
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        kids = list(node._prev)
        todo.extend(kids)
        if not kids:
            continue
        try:
            for kid in kids:
                kid.grad = 0.0
            node.grad = 1.0
            node._backward()
            if any(kid.grad != 0 for kid in kids):
                return True
        except Exception:
            return True  # code that runs and fails is code: not a file without any
    return False


def read(value):
    """A node's op, data and grad, each None where it is missing or not a plain number."""
    def plain(name):
        x = getattr(value, name, None)
        return float(x) if type(x) in (int, float) else None
    op = getattr(value, "_op", "")
    return (op if type(op) is str else ""), plain("data"), plain("grad")
