"""A computation graph as data: the learner's own nodes, as the lecture's `draw_dot` shows them.

A suite builds one from the learner's Values when a gradient check fails (`walk`), a worksheet
from its own numbers; it travels to the parent as a plain dict inside a test's report, and
`render` draws it. Nothing here imports the learner's code or prints.
"""
from dataclasses import asdict, dataclass, field

MAX_NODES = 40  # a picture larger than this is not read; the graph says how many it left out


@dataclass
class Node:
    id: int
    label: str = ""  # the name the program gave it ("a", "L"), or "" for an unnamed node
    op: str = ""  # the operation that made it; "" for a leaf
    data: float = None
    grad: float = None
    expected: float = None  # the grad it should have, where the check knows it
    children: list = field(default_factory=list)  # ids of its operands, in `_prev` order


@dataclass
class Graph:
    nodes: list  # root first, each node before its operands (reverse topological order)
    root: int
    wrong: int = None  # the first node, in that order, whose grad is not the expected one
    left_out: int = 0  # nodes beyond MAX_NODES, not listed

    def node(self, node_id):
        return next(n for n in self.nodes if n.id == node_id)

    def to_dict(self):
        return asdict(self)

    def drawn(self):
        """The form `drill graph --json` prints: each node's id, label, op, data, grad, children."""
        keys = ("id", "label", "op", "data", "grad", "children")
        return {"nodes": [{k: getattr(n, k) for k in keys} for n in self.nodes], "root": self.root}

    @classmethod
    def from_dict(cls, data):
        """A graph from its dict form, as it came over the results pipe: checked, not trusted
        (the child runs the learner's code), so a field of the wrong type is left out."""
        nodes = [Node(_whole(n.get("id"), -1), _of(str, n.get("label"), ""),
                      _of(str, n.get("op"), ""), _number(n.get("data")), _number(n.get("grad")),
                      _number(n.get("expected")),
                      [k for k in _of(list, n.get("children"), []) if _whole(k) is not None])
                 for n in _of(list, data.get("nodes"), []) if isinstance(n, dict)]
        return cls(nodes[:MAX_NODES], _whole(data.get("root"), 0), _whole(data.get("wrong")),
                   _whole(data.get("left_out"), 0))


def _of(kind, value, default):
    return value if type(value) is kind else default


def _whole(value, default=None):
    return value if type(value) is int else default


def _number(value):
    return float(value) if type(value) in (int, float) else None


def walk(root, operands, describe, labels=None, expected=None, close=None):
    """The graph under `root`, read only through the caller's functions.

    `operands(v)` lists v's children and `describe(v)` gives `(op, data, grad)`: a suite passes
    guarded readers, so a broken node ends the walk with what was read. `labels` and `expected`
    map `id(v)` to a name and to the grad v should have; `close(got, want)` decides `wrong`.
    Iterative, so a chain of any depth is read; nodes are listed in reverse topological order.
    """
    labels, expected = labels or {}, expected or {}
    ids, order, children = {}, [], {}
    stack, seen = [(root, False)], set()
    while stack:  # post-order: a node after all of its operands
        value, expanded = stack.pop()
        if expanded:
            order.append(value)
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        kids = list(operands(value))
        children[id(value)] = kids
        stack.append((value, True))
        stack.extend((kid, False) for kid in reversed(kids) if id(kid) not in seen)
    order.reverse()
    for number, value in enumerate(order):
        ids[id(value)] = number
    nodes = []
    for value in order[:MAX_NODES]:
        op, data, grad = describe(value)
        nodes.append(Node(ids[id(value)], labels.get(id(value), ""), op, data, grad,
                          expected.get(id(value)), [ids[id(k)] for k in children[id(value)]]))
    graph = Graph(nodes, 0, left_out=max(len(order) - MAX_NODES, 0))
    graph.wrong = first_wrong(graph, close) if close else None
    return graph


def first_wrong(graph, close):
    """The id of the first node, from the root down, whose grad differs from its expected one."""
    for node in graph.nodes:
        if node.expected is not None and (node.grad is None or not close(node.grad, node.expected)):
            return node.id
    return None


def of_expression(expr, names, path):
    """The graph of `expr` built with the Value of the file at `path` from leaves `names`
    ({name: number}), after the file's own backward(): `drill graph`. The expression is checked
    here; the learner's code runs only in the grader's child."""
    from drill.expr import parse
    from drill.tasks.graph import METHODS
    parse(expr, names, METHODS)
    return of_task("graph", path, {"expr": expr, "names": names})


def of_task(task, path, args):
    """The last graph the task `drill.tasks.<task>` sends back from the file at `path`, run in
    the grader's child; a DrillError saying why when it sends none."""
    from drill.errors import DrillError
    from drill.grader.parent import run_task
    done = run_task(task, path, args)
    graphs = [e["graph"] for e in done.events if isinstance(e.get("graph"), dict)]
    if done.problem or not graphs:
        raise DrillError(done.problem or "your file sent no graph back", exit_code=1)
    return Graph.from_dict(graphs[-1])
