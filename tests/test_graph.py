"""The computation graph as data, and its picture: the lecture's first example, by hand."""
import importlib.util
import json
import time

from drill.graph import MAX_NODES, Graph, walk
from drill.grader.parent import Limits, run_task
from drill.render import graph_picture

from conftest import REFERENCE, drill


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


def test_a_node_used_twice_is_drawn_once():
    Value = reference().Value
    x = Value(1.5)
    y = x * x + x
    picture = graph_picture(walk(y, lambda v: list(v._prev), read)).plain
    assert picture.count("data       1.5") == 1 and "(above)" in picture


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
    done = run_task("graph", hangs, {"expr": "a*b", "names": {"a": 1.0, "b": 2.0}},
                    Limits(run_s=6, test_s=1, import_s=2))
    assert "did not finish within 1 s" in done.problem and not done.events
    assert time.monotonic() - started < 6


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
    hidden = [n for n in drawn.nodes if n.op == "*" and not n.label]
    assert len(drawn.nodes) == 5 and len(hidden) == 1  # c, a, the hidden b * -1, b, the -1
    assert hidden[0].grad == 1.0 and drawn.node(drawn.wrong).label == "b"
    lines = graph_picture(drawn).plain.splitlines()
    assert all(len(line) <= 80 for line in lines) and any(line.startswith("✗ ") for line in lines)
    shown = drill("check", "backward", "--file", str(path), "--quick")
    assert "✗" in shown.output and "want" in shown.output


def test_a_forged_graph_is_read_as_far_as_it_is_well_formed():
    """The child runs the learner's code, which could forge a report: the parent drops what is
    not of its type, and the picture is drawn without an error."""
    forged = {"nodes": [{"id": 0, "label": 3, "op": "+", "data": "x", "grad": 1.0,
                         "children": 5}, {"id": "1", "children": [0, "a"]}, "junk"],
              "root": "0", "wrong": [], "left_out": "9"}
    graph = Graph.from_dict(forged)
    assert [(n.id, n.label, n.data, n.children) for n in graph.nodes] == \
        [(0, "", None, []), (-1, "", None, [0])]
    assert (graph.root, graph.wrong, graph.left_out) == (0, None, 0)
    assert "+" in graph_picture(graph).plain
