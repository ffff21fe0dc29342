"""The computation graph as the lecture draws it (drill.graph holds it as data): in a
failure's panel, after a pass that draws one, and for `drill graph`."""
from rich.text import Text

from drill.render.common import err, out, plural


def number(x):
    """A graph's number, short enough for a column: 6 significant figures at most."""
    return "?" if not isinstance(x, (int, float)) or isinstance(x, bool) else f"{x:.6g}"


def graph_picture(graph):
    """The graph as the lecture draws it, from the output down to the leaves, one node a line:
    its name and operation, data and grad (and the grad it should have, where known). A node
    used twice is drawn once and named again where it recurs. The first wrong node carries a
    mark that reads without colour."""
    nodes = {n.id: n for n in graph.nodes}
    rows, drawn = [], set()

    def name(node):
        return node.label or f"#{node.id}"

    stack = [(graph.root, "", "")]
    while stack:
        node_id, lead, branch = stack.pop()
        node = nodes.get(node_id)
        if node is None:
            rows.append((lead + branch + "…", None))
            continue
        again = node_id in drawn
        drawn.add(node_id)
        rows.append((lead + branch + name(node) + (f" ({node.op})" if node.op else ""),
                     None if again else node))
        if again:
            rows[-1] = (rows[-1][0] + " (above)", None)
            continue
        child_lead = lead + ("│  " if branch == "├─ " else "   " if branch else "")
        kids = node.children
        for i, kid in reversed(list(enumerate(kids))):
            stack.append((kid, child_lead, "└─ " if i == len(kids) - 1 else "├─ "))
    width = min(max(len(tree) for tree, _ in rows), 34)
    expected = any(n.expected is not None for n in graph.nodes)
    picture = Text()
    for tree, node in rows:
        tree = tree if len(tree) <= width else tree[:width - 1] + "…"
        wrong = node is not None and node.id == graph.wrong
        picture.append(("✗ " if wrong else "  ") + tree.ljust(width), style="bold red" if wrong else "")
        if node is not None:
            picture.append(f"  data {number(node.data):>9}  grad {number(node.grad):>9}")
            if node.expected is not None:
                picture.append(f"  want {number(node.expected):>9}",
                               style="red" if wrong else "dim")
        picture.append("\n")
    if graph.left_out:
        picture.append(f"  … and {plural(graph.left_out, 'more node')}\n", style="dim")
    if graph.wrong is not None and expected:
        picture.append("✗ the first node whose grad is wrong (want: the grad it should have)",
                       style="dim")
    picture.rstrip()
    return picture


def drawn_on_pass(chunk, graph, problem=""):
    """The picture a chunk draws from the learner's passing code (trace: the lecture's graph
    as their own trace found it), or why there is none."""
    if graph is None:
        err.print(Text(f"(no picture of your {chunk.name}: {problem})", style="dim"))
        return
    out.print(Text(f"The lecture's graph, as your {chunk.name} found it:", style="bold"))
    out.print(graph_picture(graph))
