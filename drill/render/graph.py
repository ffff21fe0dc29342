"""The computation graph as the lecture draws it (drill.graph holds it as data): in a
failure's panel, after a pass that draws one, and for `drill graph`.

Each kind of number has its colour (data, grad, the grad it should have, the order a node's
_backward ran in), but the words and marks carry every meaning, so the picture reads the same
with NO_COLOR."""
from rich.text import Text

from drill.graph import outline, ran_before, users_of
from drill.render.common import err, out, plural

STYLES = {"tree": "dim", "name": "bold", "op": "", "mention": "dim italic", "label": "dim",
          "data": "cyan", "grad": "green", "want": "yellow", "wrong": "bold red",
          "other": "red", "step": "bold magenta", "legend": "dim"}
MARKS = {"first": ("✗ ", "wrong"), "other": ("x ", "other"), "": ("  ", "")}
NUMBER = 9  # the width of a number's column
MIN_TREE = 8  # the narrowest the tree's column gets before a line is cut instead
NAMED = "✗ the node named above"  # the legend of a mark that is not a wrong grad


def number(x):
    """A graph's number, short enough for a column: 6 significant figures at most; a zero
    without the sign `-0.0` carries (0.0 * -0.6), which no one would write."""
    return "?" if not isinstance(x, (int, float)) or isinstance(x, bool) else f"{x + 0:.6g}"


class GraphPicture:
    """A graph as a rich renderable: drawn to the width it is given (a panel's inside)."""

    def __init__(self, graph):
        self.graph = graph

    def __rich_console__(self, console, options):
        yield graph_picture(self.graph, options.max_width)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement
        return Measurement.get(console, options, graph_picture(self.graph, options.max_width))


def graph_picture(graph, width=80):
    """The graph as the lecture draws it, from the output down to the leaves, one node a line:
    its name and operation, then its data and grad (and the grad it should have, where known),
    or, for a graph that records the order, when its _backward ran beside the nodes that use
    it. A node used several times is drawn once, under its last user, and named where the others
    use it. Every wrong node is marked, the first distinctly; the marks read without colour."""
    nodes = {n.id: n for n in graph.nodes}
    rows = [(_tree(row, nodes), nodes.get(row.id) if not row.mention else None)
            for row in outline(graph)]
    columns = _order_columns(graph, nodes) if graph.ordered else _grad_columns(graph)
    room = max(width - 2 - max((len(columns(n)) for _, n in rows if n), default=0), MIN_TREE)
    tree_width = min(max(len(tree) for tree, _ in rows), room)
    picture = Text(no_wrap=True, overflow="ellipsis")
    for tree, node in rows:
        mark, style = MARKS[_mark(graph, node)]
        picture.append(mark, style=STYLES[style] if style else "")
        picture.append_text(_fit(tree, tree_width))
        if node is not None:
            picture.append_text(columns(node))
        picture.append("\n")
    if graph.left_out:
        picture.append(f"  … and {plural(graph.left_out, 'more node')}\n", style=STYLES["legend"])
    picture.append_text(_legend(graph))
    picture.rstrip()
    return picture


def _mark(graph, node):
    if node is None or not node.wrong and node.id != graph.wrong:
        return ""
    return "first" if node.id == graph.wrong else "other"


def _name(node):
    return node.label or f"#{node.id}"


def _tree(row, nodes):
    """A Text of one outline row: the branches leading to it, the node's name and operation."""
    lasts = row.lasts
    lead = "".join("   " if last else "│  " for last in lasts[:-1])
    lead += ("└─ " if lasts[-1] else "├─ ") if lasts else ""
    tree = Text()
    tree.append(lead, style=STYLES["tree"])
    node = nodes.get(row.id)
    if node is None:
        return tree.append("…", style=STYLES["mention"])
    tree.append(_name(node), style=STYLES["name"])
    if node.op:
        tree.append(f" ({node.op})", style=STYLES["op"])
    if row.mention:
        tree.append(f" ({row.mention})", style=STYLES["mention"])
    return tree


def _fit(tree, width):
    """`tree` padded to `width`, or cut at its left (the deepest branches), keeping the name."""
    if len(tree) > width:
        cut = len(tree) - width + 1
        tree = Text.assemble(("…", STYLES["tree"]), tree[cut:])
    return tree + Text(" " * (width - len(tree)))


def _field(label, value, style):
    return Text.assemble((f"  {label} ", STYLES["label"]), (value, STYLES[style]))


def _grad_columns(graph):
    """How a node's numbers read: data, grad (red where wrong) and the grad it should have.
    A graph without a single grad (nothing was backpropagated) shows its data alone."""
    grads = any(n.grad is not None for n in graph.nodes)

    def columns(node):
        line = _field("data", f"{number(node.data):>{NUMBER}}", "data")
        if grads:
            line += _field("grad", f"{number(node.grad):>{NUMBER}}",
                           "wrong" if node.wrong else "grad")
        if node.expected is not None:
            line += _field("want", f"{number(node.expected):>{NUMBER}}", "want")
        return line
    return columns


def _order_columns(graph, nodes):
    """How a node's order reads: `ran 2` (the 2nd _backward to run; `ran 2, 5` for twice;
    `never ran`), then, for one that ran, the nodes that use it with when theirs ran:
    `before p (3)` where it ran too early, otherwise `after p (1)`; a user whose _backward
    never ran is named apart."""
    early, users = ran_before(graph), users_of(graph)
    width = max((len(_ran(n)) for n in graph.nodes), default=0)

    def columns(node):
        line = Text("  ") + _ran(node)
        line.append(" " * (width - len(_ran(node))))
        if not node.ran:
            return line
        mine = [nodes[u] for u in users[node.id]]
        before = [nodes[u] for u in early.get(node.id, [])]
        after = [u for u in mine if u.ran and u.id not in early.get(node.id, [])]
        for word, group in (("before", before), ("after", [] if before else after)):
            if group:
                line.append(f"  {word} ", style=STYLES["other" if before else "label"])
                line.append_text(Text(", ").join(
                    Text.assemble(_name(u), (f" ({_steps(u)})", STYLES["step"])) for u in group))
        never = [u for u in mine if not u.ran]
        if never:
            line.append(f"{';' if before or after else ' '} " + ", ".join(map(_name, never))
                        + " never ran", style=STYLES["label"])
        return line
    return columns


def _ran(node):
    """`ran 3`, `ran 2, 5`, `ran 2, 5, 7 … 9 times` or `never ran`: when a node's _backward ran."""
    if not node.ran:
        return Text("never ran")
    return Text.assemble(("ran ", STYLES["label"]), (_steps(node), STYLES["step"]))


def _steps(node):
    """The steps at which a node's _backward ran ("2, 5"), or "never"."""
    if not node.ran:
        return "never"
    steps = ", ".join(map(str, node.ran))
    return steps + (f" … {node.runs} times" if (node.runs or 0) > len(node.ran) else "")


def _legend(graph):
    """What the marks say, under the picture; nothing when no node is marked."""
    if graph.wrong is None and not any(n.wrong for n in graph.nodes):
        return Text()
    others = any(n.wrong and n.id != graph.wrong for n in graph.nodes)
    if graph.ordered:
        lines = [NAMED + ("; x another run too early, twice or never" if others else ""),
                 "ran N: its _backward ran Nth; it must run after the nodes that use it"]
    elif any(n.expected is not None for n in graph.nodes):
        lines = ["✗ the first wrong grad, from the output down" + ("; x another" if others else ""),
                 "want: the grad it should have"]
    else:  # no grad to compare (trace's graphs): the mark is the node the message is about
        lines = [NAMED]
    return Text("\n".join(lines), style=STYLES["legend"])


# Why `drill graph` drew no grads, by what the file lacks (drill.pictures.LACKS).
UNRUN = {
    "backward": "Your Value has no backward() yet (the topo chunk writes it)",
    "seed": "Your backward() left every grad at 0, out's too (it sets out.grad = 1 first, then "
            "runs each node's _backward)",
    "_backward": "Your Values have no _backward yet (the backward chunk writes them)",
}


def expression_graph(graph, lacks):
    """`drill graph`: the expression's graph, or, for a file that cannot backpropagate yet,
    why, and its forward pass alone (data, no grads)."""
    if lacks:
        out.print(Text(f"{UNRUN[lacks]}: nothing to backpropagate, so here is the forward pass "
                       "alone.", style="yellow"))
    out.print(GraphPicture(graph))


def drawn_on_pass(chunk, graph, problem=""):
    """The picture a chunk draws from the learner's passing code (trace: the lecture's graph
    as their own trace found it), or why there is none."""
    if graph is None:
        err.print(Text(f"(no picture of your {chunk.name}: {problem})", style="dim"))
        return
    out.print(Text(f"The lecture's graph, as your {chunk.name} found it:", style="bold"))
    out.print(GraphPicture(graph))
