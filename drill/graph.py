"""A computation graph as data: the learner's own nodes, as the lecture's `draw_dot` shows them.

A suite builds one from the learner's Values when a check fails (`walk`), a worksheet from its
own numbers; it travels to the parent as a plain dict inside a test's report, and `render`
draws it. Nothing here imports the learner's code or prints.

A graph shows one of two things about its nodes: their grads beside the grads they should have
(a gradient check), or, when `ran` is recorded (topo), when each node's `_backward` ran beside
the order backpropagation needs: a node after every node that uses it. Either way the nodes
found wrong are marked, and `wrong` names the one to look at first.
"""
from dataclasses import asdict, dataclass, field

MAX_NODES = 40  # a picture larger than this is not read; the graph says how many it left out
MAX_RUNS = 3  # the steps kept of a node whose _backward ran more often; `runs` counts them all


@dataclass
class Node:
    id: int
    label: str = ""  # the name the program gave it ("a", "L"), or "" for an unnamed node
    op: str = ""  # the operation that made it; "" for a leaf
    data: float = None
    grad: float = None
    expected: float = None  # the grad it should have, where the check knows it
    children: list = field(default_factory=list)  # ids of its operands, in `_prev` order
    wrong: bool = False  # its grad is not the expected one, or its _backward ran out of order
    ran: list = field(default_factory=list)  # the steps (1 = first) at which its _backward ran
    runs: int = None  # how many times its _backward ran; None when the order was not recorded


@dataclass
class Graph:
    nodes: list  # root first, each node before its operands (reverse topological order)
    root: int
    wrong: int = None  # the wrong node to look at first (see `first_wrong`, `walk`)
    left_out: int = 0  # nodes beyond MAX_NODES, not listed

    def node(self, node_id):
        return next(n for n in self.nodes if n.id == node_id)

    @property
    def ordered(self):
        """True when the graph records the order the nodes' _backward ran in."""
        return any(n.runs is not None for n in self.nodes)

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
                      _number(n.get("expected")), _wholes(n.get("children"), MAX_NODES),
                      _of(bool, n.get("wrong"), False), _wholes(n.get("ran"), MAX_RUNS),
                      _whole(n.get("runs")))
                 for n in _of(list, data.get("nodes"), []) if isinstance(n, dict)]
        return cls(nodes[:MAX_NODES], _whole(data.get("root"), 0), _whole(data.get("wrong")),
                   _whole(data.get("left_out"), 0))


def _of(kind, value, default):
    return value if type(value) is kind else default


def _whole(value, default=None):
    return value if type(value) is int else default


def _wholes(value, most):
    """The ints of a list, at most `most` of them: a forged list cannot grow the picture."""
    return [k for k in _of(list, value, []) if _whole(k) is not None][:most]


def _number(value):
    return float(value) if type(value) in (int, float) else None


def walk(root, operands, describe, labels=None, expected=None, close=None, ran=None, first=None):
    """The graph under `root`, read only through the caller's functions.

    `operands(v)` lists v's children and `describe(v)` gives `(op, data, grad)`: a suite passes
    guarded readers, so a broken node ends the walk with what was read. `labels` and `expected`
    map `id(v)` to a name and to the grad v should have; `close(got, want)` decides which grads
    are wrong. `ran` maps `id(v)` to the steps at which v's _backward ran: the graph then shows
    the order. `first` is the node the caller's message is about (a misordered one, or trace's
    node or edge in question), marked first.
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
        want = expected.get(id(value))
        node = Node(ids[id(value)], labels.get(id(value), ""), op, data, grad, want,
                    [ids[id(k)] for k in children[id(value)]])
        node.wrong = want is not None and close is not None and (
            grad is None or not close(grad, want))
        if ran is not None:
            steps = ran.get(id(value), [])
            node.ran, node.runs = steps[:MAX_RUNS], len(steps)
        nodes.append(node)
    graph = Graph(nodes, 0, left_out=max(len(order) - MAX_NODES, 0))
    if ran is not None:
        for node in nodes:
            node.wrong = node.id in out_of_order(graph)
    named = ids.get(id(first)) if first is not None else None
    graph.wrong = named if named is not None and named < len(nodes) else first_wrong(graph)
    return graph


def users_of(graph):
    """{id: the ids of the nodes that use it}, each user once, in the graph's order."""
    users = {n.id: [] for n in graph.nodes}
    for node in graph.nodes:
        for kid in dict.fromkeys(node.children):
            users.setdefault(kid, []).append(node.id)
    return users


def ran_before(graph):
    """{id: the users whose _backward ran after this node's had first run}: backpropagation
    needs a node's _backward to run after those of all the nodes that use it, since each adds
    into its grad what the node then passes on."""
    first = {n.id: n.ran[0] for n in graph.nodes if n.ran}
    return {node_id: [u for u in users if node_id in first and first.get(u, 0) > first[node_id]]
            for node_id, users in users_of(graph).items()}


def out_of_order(graph):
    """The ids of the nodes whose _backward ran out of the order backpropagation needs: before
    that of a node that uses it, more than once, or never though it has children to pass to
    (a leaf has nothing to pass, so whether its _backward runs does not matter)."""
    early = ran_before(graph)
    return {n.id for n in graph.nodes if n.runs is not None and (
        early.get(n.id) or n.runs > 1 or (n.runs == 0 and n.children))}


@dataclass(frozen=True)
class Row:
    """One line of a graph's outline: the node `id`, `lasts` (for each level below the root
    down to this line, whether the line there is the last child of its parent), and `mention`:
    "" where the node itself is drawn, "below" or "above" where a node drawn on another line is
    only named, "missing" for an id the graph does not hold (left out)."""
    id: int
    lasts: tuple = ()
    mention: str = ""


def outline(graph):
    """The graph as a tree from the output down, one Row a line. A node used several times is
    drawn under its last user and named where the others use it, so every node is drawn after
    all the nodes that use it: reading down, the first wrong node is one with no wrong node
    above it in the graph. Iterative; a forged cycle ends, its nodes named, never drawn."""
    nodes = {n.id: n for n in graph.nodes}
    left = {}  # how many uses of it, by nodes under the root, are not yet drawn
    reached, todo = {graph.root}, [graph.root]
    while todo:
        node = nodes.get(todo.pop())
        for kid in node.children if node else ():
            left[kid] = left.get(kid, 0) + 1
            if kid not in reached:
                reached.add(kid)
                todo.append(kid)
    rows, drawn, stack = [], set(), [(graph.root, ())]
    while stack:
        node_id, lasts = stack.pop()
        if node_id not in nodes:
            rows.append(Row(node_id, lasts, "missing"))
            continue
        if lasts:
            left[node_id] -= 1
        if node_id in drawn or (lasts and left[node_id] > 0):
            rows.append(Row(node_id, lasts, "above" if node_id in drawn else "below"))
            continue
        drawn.add(node_id)
        rows.append(Row(node_id, lasts))
        kids = nodes[node_id].children
        stack.extend((kid, lasts + (i == len(kids) - 1,))
                     for i, kid in reversed(list(enumerate(kids))))
    return rows


def first_wrong(graph):
    """The id of the first wrong node, reading the outline from the output down."""
    nodes = {n.id: n for n in graph.nodes}
    return next((row.id for row in outline(graph) if not row.mention and nodes[row.id].wrong), None)
