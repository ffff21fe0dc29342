"""The computation graph as data and its picture (grads or the order of _backward calls, every
wrong node marked, colours that say nothing the words do not), and `drill graph`."""
import importlib.util
import io
import json
import re
import time

import pytest
from rich.console import Console

from drill.graph import MAX_NODES, MAX_RUNS, Graph, walk
from drill.grader.parent import Limits, run_task
from drill.learner_file import read as read_file
from drill.hunt import planted
from drill.render import graph_picture

from conftest import CHUNKS, REFERENCE, drill, verdict


def reference():
    spec = importlib.util.spec_from_file_location("reference_micrograd", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(v):
    return v._op, v.data, v.grad


def lecture_graph(wrong_b=False):
    Value = reference().Value
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    if wrong_b:
        b.grad = 4.0
    names = dict(a=a, b=b, c=c, f=f, e=e, d=d, L=L)
    want = dict(a=6.0, b=-4.0, c=-2.0, f=4.0, e=-2.0, d=-2.0, L=1.0)
    return walk(L, lambda v: list(v._prev), read, {id(v): n for n, v in names.items()},
                {id(names[n]): g for n, g in want.items()}, lambda x, y: abs(x - y) < 1e-9)


def test_walk_lists_every_node_once_each_before_its_operands():
    graph = lecture_graph()
    assert [n.label for n in graph.nodes][0] == "L" and len(graph.nodes) == 7
    position = {n.id: i for i, n in enumerate(graph.nodes)}
    assert all(position[k] > position[n.id] for n in graph.nodes for k in n.children)
    assert graph.wrong is None


def test_the_first_wrong_node_is_found_and_marked_in_the_picture():
    graph = lecture_graph(wrong_b=True)
    assert graph.node(graph.wrong).label == "b"
    lines = graph_picture(graph).plain.splitlines()
    marked = [line for line in lines if line.startswith("✗ ") and "data" in line]
    assert len(marked) == 1 and "b" in marked[0] and "want" in marked[0] and "-4" in marked[0]
    assert all(len(line) <= 80 for line in lines)


def test_a_graph_survives_its_dict_form_and_a_long_chain_is_cut():
    graph = lecture_graph(wrong_b=True)
    assert Graph.from_dict(graph.to_dict()) == graph
    Value = reference().Value
    x = Value(1.0)
    for _ in range(300):
        x = x * 1.0
    chain = walk(x, lambda v: list(v._prev), read)
    assert len(chain.nodes) == MAX_NODES and chain.left_out == 601 - MAX_NODES
    assert "more node" in graph_picture(chain).plain


def test_a_node_used_twice_is_drawn_once_under_its_last_user():
    """Drawn after every node that uses it, so reading down never meets a node before its users."""
    Value = reference().Value
    x = Value(1.5)
    y = x * x + x
    lines = graph_picture(walk(y, lambda v: list(v._prev), read)).plain.splitlines()
    drawn = [i for i, line in enumerate(lines) if "data       1.5" in line]
    named = [i for i, line in enumerate(lines) if "(below)" in line]
    assert len(drawn) == 1 and len(named) == 1 and named[0] < drawn[0] == len(lines) - 1


def test_drill_graph_draws_the_lecture_example_with_its_grads():
    result = drill("graph", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2", "--file", str(REFERENCE),
                   "--json")
    assert result.exit_code == 0, result.output
    drawn = json.loads(result.output)
    nodes = {n["id"]: n for n in drawn["nodes"]}
    root = nodes[drawn["root"]]
    assert root["data"] == -8.0 and root["grad"] == 1.0
    leaves = {n["label"]: n["grad"] for n in drawn["nodes"] if not n["children"]}
    assert leaves == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    assert all(set(n) == {"id", "label", "op", "data", "grad", "children"} for n in drawn["nodes"])
    picture = drill("graph", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2", "--file", str(REFERENCE))
    assert "out (*)" in picture.output and max(map(len, picture.output.splitlines())) <= 80


def test_drill_graph_refuses_what_is_not_arithmetic_and_says_why_a_file_fails(tmp_path):
    refused = drill("graph", "__import__('os').system('true')", "--file", str(REFERENCE))
    assert refused.exit_code == 2 and "not allowed" in refused.output
    bad = drill("graph", "a*b", "a=2", "b=x", "--file", str(REFERENCE))
    assert bad.exit_code == 2 and "NAME=NUMBER" in bad.output
    broken = tmp_path / "broken.py"
    broken.write_text("class Value:\n    pass\n")
    failed = drill("graph", "a*b", "a=2", "b=1", "--file", str(broken))
    assert failed.exit_code == 1 and "`Value(2.0)` raised TypeError" in failed.output


def test_a_task_that_hangs_is_stopped_within_its_limits(tmp_path):
    hangs = tmp_path / "hangs.py"
    hangs.write_text(REFERENCE.read_text().replace("    def backward(self):\n",
                                                   "    def backward(self):\n        while True: pass\n"))
    started = time.monotonic()
    done = run_task("graph", read_file(hangs), {"expr": "a*b", "names": {"a": 1.0, "b": 2.0}},
                    Limits(run_s=6, test_s=1, import_s=2))
    assert "did not finish within 1 s" in done.problem and not done.events
    assert time.monotonic() - started < 6


def test_a_tasks_child_starts_without_pytest_or_hypothesis_and_a_gradings_has_both(tmp_path):
    """drill graph's child runs a task and draws nothing: pytest and hypothesis, 0.3-0.4 s of
    a cold child, are not imported in it. A grading's child has both before the file loads."""
    from drill.catalog import get_chunk
    from drill.grader.parent import grade
    seen = tmp_path / "seen.py"
    seen.write_text('import sys\nprint("loaded:", [m for m in ("pytest", "hypothesis") '
                    'if m in sys.modules])\n' + REFERENCE.read_text())
    done = run_task("graph", read_file(seen), {"expr": "a*b", "names": {"a": 1.0, "b": 2.0}})
    assert not done.problem and "loaded: []" in done.output, done.output
    graded = grade(get_chunk("ops"), read_file(seen), "quick")
    assert graded.passed and "loaded: ['pytest', 'hypothesis']" in graded.output, graded.output


def test_a_file_that_patches_the_task_drawing_it_is_stopped_and_named(tmp_path):
    """The task's module is imported before the learner's file, so the file finds it loaded:
    a patch to it is put back and fails the run, as a patch to the suites' helpers does."""
    patches = tmp_path / "patches.py"
    patches.write_text(REFERENCE.read_text() + "\nimport sys\n"
                       "task = sys.modules.get('drill.tasks.graph')\n"
                       "if task is not None:\n    task.walk = lambda *args: None\n")
    done = run_task("graph", read_file(patches), {"expr": "a*b", "names": {"a": 1.0, "b": 2.0}})
    assert "drill.tasks.graph.walk" in done.problem and not done.events, done.problem


def test_a_failing_gradient_check_shows_the_learners_own_graph_hidden_nodes_included(tmp_path):
    """`c = a - b` built as a + (b * -1), with * passing nothing to its first operand: the
    backward suite's failure carries the graph of the file's own nodes, the hidden `b * -1`
    among them, the leaf b marked wrong, and it reads at 80 columns without colour."""
    path = tmp_path / "backward.py"
    path.write_text(REFERENCE.read_text()
                    .replace("return self + (-other)", "return self + other * -1")
                    .replace("            self.grad += other.data * out.grad\n", ""))
    from conftest import verdict
    result = verdict("backward", path)
    first = result.first_failure()
    assert first.name == "backward::test_derivative[a * b-local]" and first.graph
    graph = Graph.from_dict(first.graph)
    assert graph.node(graph.wrong).label == "a"
    sub = next(t for t in result.tests if t.name == "backward::test_derivative[a - b-local]")
    drawn = Graph.from_dict(sub.graph)
    hidden = [n for n in drawn.nodes if n.op == "*" and n.label == "h1"]  # named as in the program
    assert len(drawn.nodes) == 5 and len(hidden) == 1  # c, a, the hidden b * -1, b, the -1
    assert "h1 = next(v for v in c._prev if " in sub.test_code
    assert hidden[0].grad == 1.0 and drawn.node(drawn.wrong).label == "b"
    lines = graph_picture(drawn).plain.splitlines()
    assert all(len(line) <= 80 for line in lines) and any(line.startswith("✗ ") for line in lines)
    shown = drill("check", "backward", "--file", str(path), "--quick")
    assert "✗" in shown.output and "want" in shown.output


def test_a_forged_graph_is_read_as_far_as_it_is_well_formed():
    """The child runs the learner's code, which could forge a report: the parent drops what is
    not of its type, and the picture is drawn without an error."""
    forged = {"nodes": [{"id": 0, "label": 3, "op": "+", "data": "x", "grad": 1.0,
                         "children": 5, "wrong": "yes", "ran": [1, "2", 3, 4, 5], "runs": "5"},
                        {"id": "1", "children": [0, "a"] + [0] * 1000, "ran": 7}, "junk"],
              "root": "0", "wrong": [], "left_out": "9"}
    graph = Graph.from_dict(forged)
    assert [(n.id, n.label, n.data, n.children[:2], n.wrong, n.ran, n.runs)
            for n in graph.nodes] == [(0, "", None, [], False, [1, 3, 4], None),
                                      (-1, "", None, [0, 0], False, [], None)]
    assert len(graph.nodes[1].children) == MAX_NODES
    assert (graph.root, graph.wrong, graph.left_out) == (0, None, 0)
    assert "+" in graph_picture(graph).plain


class Node:
    """A node with its operands in a list, so the tests know the order the picture draws."""

    def __init__(self, label, *prev, grad=0.0):
        self.label, self._prev, self.grad, self.data = label, list(prev), grad, 1.0


def drawn(root, expected, close=lambda x, y: x == y, **order):
    """The graph under `root` (Nodes) with `expected` ({label: grad}), and its picture's lines."""
    nodes, todo = {}, [root]
    while todo:
        node = todo.pop()
        nodes[node.label] = node
        todo.extend(node._prev)
    graph = walk(root, lambda v: v._prev, lambda v: ("op" if v._prev else "", v.data, v.grad),
                 {id(v): n for n, v in nodes.items()},
                 {id(nodes[n]): g for n, g in expected.items()}, close, **order)
    return graph, graph_picture(graph).plain.splitlines()


def rows(lines):
    """(mark, name, named only) of each node's line of a picture: mark "✗", "x" or ""."""
    found = []
    for line in lines:
        words = [w for w in line[2:].split() if w not in ("│", "├─", "└─")]
        if words and not line.startswith(("✗ the", "ran N", "want:")):
            found.append((line[:2].strip(), words[0], "(below)" in line))
    return found


def test_every_wrong_grad_is_marked_and_the_first_reading_down_distinctly():
    """L = (a*b + c) * f with b and f wrong: b is drawn above f, so the ✗ is on b (once it
    landed on f, below the wrong b, though the legend says "from the output down")."""
    a, b, c, f = Node("a", grad=6.0), Node("b", grad=0.0), Node("c", grad=-2.0), Node("f", grad=0.0)
    e = Node("e", a, b, grad=-2.0)
    d = Node("d", e, c, grad=-2.0)
    L = Node("L", d, f, grad=1.0)
    graph, lines = drawn(L, dict(a=6.0, b=-4.0, c=-2.0, f=4.0, e=-2.0, d=-2.0, L=1.0))
    assert graph.node(graph.wrong).label == "b"
    assert {n.label for n in graph.nodes if n.wrong} == {"b", "f"}
    assert [(mark, name) for mark, name, _ in rows(lines) if mark] == [("✗", "b"), ("x", "f")]
    assert "x another" in lines[-2] and "from the output down" in lines[-2]


def test_a_shared_node_is_drawn_under_its_last_user_so_the_first_wrong_has_none_above_it():
    """s is used by p and q; q is wrong, and so s below it: the ✗ is on q, never on s, which the
    picture draws under q (once it drew s under p, above q, and marked it first)."""
    a = Node("a", grad=1.0)
    s = Node("s", a, grad=1.0)
    p, q = Node("p", s, grad=1.0), Node("q", s, grad=0.0)
    r = Node("r", p, q, grad=1.0)
    graph, lines = drawn(r, dict(r=1.0, p=1.0, q=1.0, s=2.0, a=2.0))
    assert graph.node(graph.wrong).label == "q"
    assert rows(lines) == [("", "r", False), ("", "p", False), ("", "s", True),
                           ("✗", "q", False), ("x", "s", False), ("x", "a", False)]


def ordered(steps, first):
    """TREE of the topo suite, r = op(p(a), q(b)), with each node's _backward run at `steps`."""
    a, b = Node("a"), Node("b")
    p, q = Node("p", a), Node("q", b)
    r = Node("r", p, q)
    nodes = dict(a=a, b=b, p=p, q=q, r=r)
    return drawn(r, {}, ran={id(nodes[n]): s for n, s in steps.items()}, first=nodes[first])


def test_the_order_picture_numbers_each_node_beside_the_nodes_that_use_it():
    graph, lines = ordered(dict(a=[1], p=[2], b=[3], q=[4], r=[5]), "a")
    assert {n.label: (n.ran, n.runs, n.wrong) for n in graph.nodes} == {
        "r": ([5], 1, False), "p": ([2], 1, True), "a": ([1], 1, True), "q": ([4], 1, True),
        "b": ([3], 1, True)}
    assert graph.node(graph.wrong).label == "a"
    first = next(l for l in lines if l.startswith("✗ ") and "ran" in l)
    assert "a" in first and "ran 1" in first and "before p (2)" in first
    assert sum(l.startswith("x ") for l in lines) == 3
    assert "ran 5" in lines[0] and "before" not in lines[0]
    assert any("ran N" in l for l in lines) and all(len(l) <= 80 for l in lines)
    right, _ = ordered(dict(r=[1], p=[2], a=[3], q=[4], b=[5]), "r")
    assert not any(n.wrong for n in right.nodes)
    assert "after r (1)" in graph_picture(right).plain


def test_a_node_run_twice_or_never_is_shown_and_a_leaf_may_skip_its_own():
    graph, lines = ordered(dict(r=[1], q=[2], p=[3, 6], a=[4, 7], b=[5, 8, 9, 10, 11]), "p")
    by = {n.label: n for n in graph.nodes}
    assert by["p"].ran == [3, 6] and by["p"].runs == 2 and by["p"].wrong
    assert by["b"].ran == [5, 8, 9][:MAX_RUNS] and by["b"].runs == 5
    assert any("ran 3, 6" in l and l.startswith("✗ ") for l in lines)
    assert any("ran 5, 8, 9 … 5 times" in l for l in lines)
    never, lines = ordered(dict(r=[1]), "q")
    assert {n.label for n in never.nodes if n.wrong} == {"p", "q"}  # not the leaves a and b
    assert sum("never ran" in line for line in lines) == 4
    assert [(mark, name) for mark, name, _ in rows(lines) if mark] == [("x", "p"), ("✗", "q")]


def test_a_topo_mutant_out_of_order_fails_with_the_order_pictured(tmp_path):
    """The sort's list walked from the leaves up: the first failure is the test of the order
    (not the one of every node running, which they all do), its graph numbers every node by
    when its _backward ran, the ✗ on the node the message names, and `drill check` draws it at
    80 columns without colour."""
    path = tmp_path / "topo.py"
    path.write_text(planted(CHUNKS["topo"], "order_not_reversed"))
    first = verdict("topo", path).first_failure()
    assert first.title.startswith("each node's _backward runs after the node that uses it")
    graph = Graph.from_dict(first.graph)
    by = {n.label: n for n in graph.nodes}
    assert graph.ordered and by["e"].ran == [5] and not by["e"].wrong
    culprit = graph.node(graph.wrong)
    assert culprit.ran == [1] and f"`{culprit.label}._backward()` ran before" in first.message
    assert {n.label for n in graph.nodes if n.wrong} == {"a", "b", "c", "d"}
    shown = drill("check", "topo", "--file", str(path), "--quick")
    lines = shown.output.splitlines()
    assert any(l.startswith("│ ✗ ") and culprit.label in l and "ran 1  before" in l for l in lines)
    assert any("ran N:" in l for l in lines) and max(map(len, lines)) <= 80


@pytest.mark.parametrize("mutant, shown", [("no_visited_check", r"ran \d+, \d+ "),
                                           ("only_root_backward", r"never ran")])
def test_a_topo_mutant_that_runs_a_node_twice_or_never_shows_it(tmp_path, mutant, shown):
    path = tmp_path / "topo.py"
    path.write_text(planted(CHUNKS["topo"], mutant))
    first = verdict("topo", path).first_failure()
    graph = Graph.from_dict(first.graph)
    culprit = graph.node(graph.wrong)
    assert culprit.wrong and f"`{culprit.label}._backward()`" in first.message
    assert culprit.runs == (2 if mutant == "no_visited_check" else 0) and culprit.children
    marked = next(line for line in graph_picture(graph).plain.splitlines() if line.startswith("✗"))
    assert culprit.label in marked and re.search(shown, marked)


def test_a_root_seeded_after_the_loop_is_marked_by_the_grad_it_held_when_it_ran(tmp_path):
    """Its grad is 1 once backward() returns, so only the grad it held when its _backward ran
    shows the mistake: the ✗ is on the root, grad 0, want 1."""
    path = tmp_path / "topo.py"
    path.write_text(planted(CHUNKS["topo"], "root_seeded_after_loop"))
    graph = Graph.from_dict(verdict("topo", path).first_failure().graph)
    root = graph.node(graph.root)
    assert graph.wrong == graph.root and (root.grad, root.expected) == (0.0, 1.0)


def test_a_trace_mutant_marks_the_node_it_names_and_no_grad(tmp_path):
    """trace reads no grads: its failure's graph shows each node's data alone, and its ✗ is
    the node the message names, not "the first wrong grad" (every grad there is 0)."""
    path = tmp_path / "trace.py"
    path.write_text(planted(CHUNKS["trace"], "edges_point_down"))
    first = verdict("trace", path).first_failure()
    graph = Graph.from_dict(first.graph)
    culprit = graph.node(graph.wrong)
    assert "points the wrong way" in first.message
    assert f"`{culprit.label}` is an operand of" in first.message
    assert all(n.grad is None for n in graph.nodes)
    lines = graph_picture(graph).plain.splitlines()
    assert lines[-1] == "✗ the node named above" and not any("grad" in line for line in lines)


def test_colours_say_nothing_the_words_do_not():
    """data, grad, want and the marks each have a colour, a wrong grad red; without colour the
    picture reads the same, to the character."""
    graph = lecture_graph(wrong_b=True)

    def shown(**options):
        console = Console(file=io.StringIO(), width=80, force_terminal=True, **options)
        console.print(graph_picture(graph))
        return console.file.getvalue()
    coloured, plain = shown(color_system="standard"), shown(no_color=True)
    codes = set(re.findall(r"\x1b\[([0-9;]*)m", coloured))
    assert {"36", "32", "33"} <= {c.split(";")[-1] for c in codes}  # data, grad, want
    assert any("31" in c.split(";") for c in codes)  # the wrong grad and its ✗
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", plain)
    strip = lambda text: re.sub(r"\x1b\[[0-9;]*m", "", text)  # noqa: E731
    assert strip(coloured) == strip(plain) == graph_picture(graph).plain + "\n"


def without_backward(text):
    """The reference with every operation's _backward taken out: a file done with ops."""
    return re.sub(r"\n        def _backward\(\):\n(?:            .*\n)+        out._backward = "
                  r"_backward\n", "\n", text)


LECTURE = ("(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2")


@pytest.mark.parametrize("cut, lacks", [("", "_backward"), ("backward", "backward"),
                                        ("seed", "seed")])
def test_drill_graph_says_when_a_file_has_nothing_to_backpropagate(tmp_path, cut, lacks):
    """A file done with ops (no _backward, a backward() or none, or one left blank) draws its
    forward pass and says so, rather than grads of 0 drawn as if they were right."""
    text = without_backward(REFERENCE.read_text())
    assert "_backward = _backward" not in text
    backward = re.search(r"    def backward\(self\):\n(?:(?:        .*)?\n)+", text).group()
    if cut == "backward":
        text = text.replace(backward, "")
    elif cut == "seed":
        text = text.replace(backward, "    def backward(self):\n        ...\n\n")
    path = tmp_path / "ops.py"
    path.write_text(text)
    sent = json.loads(drill("graph", *LECTURE, "--file", str(path), "--json").output)
    assert sent["lacks"] == lacks and all(n["grad"] is None for n in sent["nodes"])
    shown = drill("graph", *LECTURE, "--file", str(path))
    said, picture = shown.output.split("alone.")
    assert shown.exit_code == 0 and "nothing to backpropagate" in " ".join(said.split())
    assert "data" in picture and "grad" not in picture


def test_grads_rightly_zero_are_drawn_as_they_are():
    """relu of a negative and a product of zeros leave grads of 0 that are right: the file has
    _backward functions, found at other leaves, so the graph is drawn with its zeros."""
    for expr, leaves in (("(a*b).relu()", ("a=2", "b=-3")), ("a*b", ("a=0", "b=0"))):
        sent = json.loads(drill("graph", expr, *leaves, "--file", str(REFERENCE), "--json").output)
        assert sent["lacks"] == "" and sorted(n["grad"] for n in sent["nodes"])[:2] == [0.0, 0.0]
