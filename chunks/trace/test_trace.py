"""trace: `trace(root)` returns every node reachable through `_prev` and every (child, parent) edge.

What trace should find is worked out here by the suite's own walk over `_prev`, so any order,
recursion or a stack, sets or lists pass. Nodes are compared by identity. A failure names the
node or the edge that is missing, repeated or out of place, and draws the graph with it marked.
"""
from hypothesis import strategies as st

from drill.graph import walk
from drill.grader.suitekit import (constructor_holds, fail, given, made, need, node_maker, read,
                                   run)


def build(graph):
    """Build `graph`, a list of (name, data, children's names) in creation order, with plain
    `Value(data, children, 'op')` nodes; the Values by name, and the program as the learner
    would write it (shortened when long)."""
    constructor_holds("trace", reads=(), graphs=True)
    Value = need("Value")
    make, written = node_maker(Value)
    nodes, lines = {}, []
    for name, data, children in graph:
        made = written(data, children, 'op') if children else f"Value({data!r})"
        line = f"{name} = {made}"
        kids = tuple(nodes[c] for c in children)
        nodes[name] = run(line, lambda: make(Value, data, kids, 'op') if kids else Value(data))
        lines.append(line)
    if len(lines) > 8:
        lines = lines[:3] + [f"... ({len(lines) - 4} more)"] + lines[-1:]
    return nodes, "; ".join(lines)


def operands(value, program):
    """The Values in `value._prev`, read through the contract: a Value without one is ops' to
    mend, since trace only follows what the nodes hold."""
    prev = read(value, "_prev", "node", program, owner="ops")
    try:
        return list(prev)
    except Exception as exc:
        fail(f"after `{program}`, reading a node's `_prev` raised {type(exc).__name__}: {exc}: "
             "keep the operands in a set, tuple or list", owner="ops", program=program)


def reachable(root, program):
    """What trace must find: {id: node} and {(id child, id parent): (child, parent)}; and
    {id: the ids in its `_prev`}, to tell afterwards whether trace changed the graph."""
    nodes, edges, prevs, todo = {}, {}, {}, [root]
    while todo:
        value = todo.pop()
        if id(value) in nodes:
            continue
        nodes[id(value)] = value
        children = operands(value, program)
        prevs[id(value)] = sorted(map(id, children))
        for child in children:
            edges[(id(child), id(value))] = (child, value)
            todo.append(child)
    return nodes, edges, prevs


def picture(root, program, names, marked=None):
    """The graph under `root` as data, with the node `marked` (if any) as the one in question.
    Its nodes' data, and no grads: trace reads none, and a column of zeros beside a marked node
    would read as a wrong gradient."""
    def describe(v):
        data = getattr(v, "data", None)
        return getattr(v, "_op", ""), data if type(data) in (int, float) else None, None
    return walk(root, lambda v: operands(v, program), describe, names, first=marked)


def items(collection, what, call):
    """The elements of what trace returned as a list; a clear failure if it is not a collection."""
    if isinstance(collection, (str, bytes, dict)) or not hasattr(collection, "__iter__"):
        fail(f"`{call}` returned {what} as a {type(collection).__name__}: expected a set (or a "
             "list) of them")
    try:
        return list(collection)
    except Exception as exc:
        fail(f"iterating over the {what} `{call}` returned raised {type(exc).__name__}: {exc}",
             program=call)


# Every node an earlier trace call of this run was handed, kept alive so that ids stay unique:
# a node from one of them in a later answer, or a node missed on a second call, is state that
# trace kept between calls.
TRACED = {}


def untouched_prev(want_nodes, before, call, program, name):
    """Each node's `_prev` holds the same operands after the call as before it."""
    for key, v in want_nodes.items():
        if sorted(map(id, operands(v, program))) != before[key]:
            fail(f"`{call}` changed `_prev` of {name(v)}: trace only reads `_prev`, so walk a "
                 "copy of your own (a stack or the recursion), never the graph's own tuples or "
                 "sets.")


def expect_trace(root, program, names, root_name="r"):
    """trace(root) finds each reachable node once and each edge once, child first."""
    trace = need("trace")
    call = f"{program}; trace({root_name})"
    want_nodes, want_edges, before = reachable(root, program)
    again = id(root) in TRACED
    got = run(call, trace, root)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"`{call}` returned {type(got).__name__} {repr(got)[:60]}: expected a pair "
             "(nodes, edges)")
    if edges_first(got, want_nodes):
        fail(f"`{call}` returned the edges first and the nodes second: the contract's order is "
             "(nodes, edges), `return nodes, edges`.", picture(root, program, names))

    def name(v):
        return f"`{names[id(v)]}`" if id(v) in names else f"a `{getattr(v, '_op', '')}` node"

    untouched_prev(want_nodes, before, call, program, name)
    afresh = (" trace must start afresh on every call: keep no sets at module level or as "
              "default arguments, and leave no marks on the nodes.")

    def users(v):
        return " and ".join(sorted(name(p) for c, p in want_edges.values() if c is v))

    seen = {}
    for v in items(got[0], "nodes", call):
        if id(v) not in want_nodes and id(v) in TRACED:
            fail(f"`{call}` lists {repr(v)[:60]} among the nodes, a node of a graph that an "
                 f"earlier trace call walked, not of this one.{afresh}",
                 picture(root, program, names))
        if id(v) not in want_nodes:
            fail(f"`{call}` lists {repr(v)[:60]} among the nodes, which is not reachable from "
                 f"`{root_name}` through `_prev`: nodes holds the Values themselves, each found "
                 "by following `_prev` from the root.", picture(root, program, names))
        if id(v) in seen:
            paths = f": it is used by {users(v)}, so it is reached along two paths" if users(v) else ""
            fail(f"`{call}` lists {name(v)} twice among the nodes{paths}. Remember the nodes "
                 "already visited and visit each once.", picture(root, program, names, v))
        seen[id(v)] = v
    for key, v in want_nodes.items():
        if key not in seen:
            why = ("the root is a node too: add it before its children" if v is root else
                   f"{name(v)} is used by {users(v)}; follow `_prev` from every node you visit, "
                   "all the way down to the leaves")
            if again:
                fail(f"`{call}` left out {name(v)} from the nodes, though an earlier trace of "
                     f"the same graph found it.{afresh}", picture(root, program, names, v))
            fail(f"`{call}` left out {name(v)} from the nodes: {why}.",
                 picture(root, program, names, v))
    found = {}
    for pair in items(got[1], "edges", call):
        if not isinstance(pair, tuple) or len(pair) != 2:
            fail(f"`{call}` lists {repr(pair)[:60]} among the edges: each edge is a pair "
                 "(child, parent).", picture(root, program, names))
        key = (id(pair[0]), id(pair[1]))
        if key not in want_edges and key[::-1] in want_edges:
            child, parent = want_edges[key[::-1]]
            fail(f"`{call}` lists the edge ({name(parent)}, {name(child)}), which points the "
                 f"wrong way: {name(child)} is an operand of {name(parent)}, so the edge is "
                 f"({name(child)}, {name(parent)}), child first.",
                 picture(root, program, names, child))
        if key not in want_edges:
            fail(f"`{call}` lists an edge ({repr(pair[0])[:40]}, {repr(pair[1])[:40]}) that is "
                 "not in the graph: each edge is (child, parent) for a child in the parent's "
                 "`_prev`.", picture(root, program, names))
        if key in found:
            child, parent = pair
            if sum(c is child for c in operands(parent, program)) > 1:
                fail(f"`{call}` lists the edge ({name(child)}, {name(parent)}) twice: "
                     f"{name(parent)} uses {name(child)} twice (as `a * a` does), so its `_prev` "
                     f"holds {name(child)} twice, yet that is one edge. Keep the edges in a set, "
                     "or add an edge only when it is not there yet.",
                     picture(root, program, names, child))
            fail(f"`{call}` lists the edge ({name(child)}, {name(parent)}) twice: add a node's "
                 "edges once, when you first visit it, and go no further when you reach a "
                 "node already visited.", picture(root, program, names, child))
        found[key] = pair
    for key, (child, parent) in want_edges.items():
        if key not in found and again:
            fail(f"`{call}` has no edge ({name(child)}, {name(parent)}), though an earlier "
                 f"trace of the same graph found it.{afresh}",
                 picture(root, program, names, child))
        if key not in found:
            fail(f"`{call}` has no edge ({name(child)}, {name(parent)}), though {name(parent)} "
                 f"uses {name(child)}: {name(child)} is used by {users(child)}, and each of them "
                 "has an edge to it. Add the edge for every child of a node you visit, even a "
                 "child already visited.", picture(root, program, names, child))
    TRACED.update(want_nodes)


def edges_first(got, want_nodes):
    """True when trace's pair came as (edges, nodes): pairs first, the graph's nodes second."""
    first, second = (list(part) if isinstance(part, (set, frozenset, list, tuple)) else None
                     for part in got)
    return first is not None and bool(second) and \
        all(isinstance(e, tuple) and len(e) == 2 for e in first) and \
        all(id(v) in want_nodes for v in second)


def expect_graph(graph):
    """trace of the last node of `graph` (plain Values) finds exactly its nodes and edges."""
    nodes, program = build(graph)
    root_name = graph[-1][0]
    expect_trace(nodes[root_name], program, {id(v): n for n, v in nodes.items()}, root_name)


def test_a_lone_leaf():
    """a lone leaf is one node and no edges"""
    expect_graph([("r", 2.0, [])])


def test_one_operation():
    """one operation: its node, both operands, and an edge from each operand to it"""
    expect_graph([("a", 2.0, []), ("b", -3.0, []), ("r", -6.0, ["a", "b"])])


def test_follows_prev_all_the_way_down():
    """a chain four deep: trace follows _prev down to the leaf"""
    expect_graph([("a", 1.0, []), ("b", 2.0, ["a"]), ("c", 3.0, ["b"]), ("r", 4.0, ["c"])])


def test_a_node_used_twice_is_one_node():
    """a node used by two others is one node, with an edge to each"""
    expect_graph([("a", 1.0, []), ("s", 2.0, ["a"]), ("p", 3.0, ["s"]), ("q", 4.0, ["s", "a"]),
                  ("r", 5.0, ["p", "q"])])


def test_a_node_used_twice_by_one_node_is_one_edge():
    """a * a: one node a and one edge (a, a * a), even where _prev holds a twice"""
    expect_graph([("a", 3.0, []), ("r", 9.0, ["a", "a"])])


def test_the_lecture_s_graphs_built_with_your_operators():
    """the lecture's L = (a*b + c) * f and its neuron, built with your operators"""
    Value = need("Value")
    leaves = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
    v = {n: run(f"{n} = Value({x!r})", Value, x) for n, x in leaves.items()}
    program = "; ".join(f"{n} = Value({x!r})" for n, x in leaves.items())
    for name, line, make in [("e", "e = a * b", lambda: v["a"] * v["b"]),
                             ("d", "d = e + c", lambda: v["e"] + v["c"]),
                             ("L", "L = d * f", lambda: v["d"] * v["f"])]:
        program += "; " + line
        v[name] = run(program, make)
    expect_trace(v["L"], program, {id(x): n for n, x in v.items()}, "L")
    neuron = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    v = {n: run(f"{n} = Value({x!r})", Value, x) for n, x in neuron.items()}
    program = "x1, x2, w1, w2, b = ...; n = x1*w1 + x2*w2 + b; o = n.tanh()"
    v["n"] = run(program, lambda: v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"])
    v["o"] = run(program, v["n"].tanh)
    expect_trace(v["o"], program, {id(x): n for n, x in v.items()}, "o")


def test_trace_reads_the_graph_and_changes_nothing():
    """trace leaves every node's data and grad as they were"""
    nodes, program = build([("a", 1.5, []), ("b", -2.0, ["a"]), ("r", 0.5, ["a", "b"])])
    for value in nodes.values():
        run("setting .grad", setattr, value, "grad", 0.25)
    run(f"{program}; trace(r)", need("trace"), nodes["r"])
    for name, value in nodes.items():
        data, grad = getattr(value, "data", None), getattr(value, "grad", None)
        if (data, grad) != (dict(a=1.5, b=-2.0, r=0.5)[name], 0.25):
            fail(f"After `{program}; {name}.grad = 0.25; trace(r)`, `{name}` holds data {data!r} "
                 f"and grad {grad!r}: trace only reads `_prev`, it changes no node.")


def test_a_second_trace_of_the_same_graph_finds_it_all_again():
    """trace(r) twice on the same graph: the second call finds every node and edge again"""
    graph = [("a", 1.0, []), ("b", 2.0, ["a"]), ("c", 3.0, ["a", "b"]), ("r", 4.0, ["b", "c"])]
    nodes, program = build(graph)
    names = {id(v): n for n, v in nodes.items()}
    expect_trace(nodes["r"], program, names)
    expect_trace(nodes["r"], f"{program}; trace(r)", names)


def counting(kind, reads):
    """A subclass of `kind` (set, tuple, ...) whose iterations are counted in `reads`, by node."""
    class Counted(kind):
        def __iter__(self):
            reads[id(self)] = reads.get(id(self), 0) + 1
            return kind.__iter__(self)
    return Counted


def test_a_node_reached_along_many_paths_is_visited_once():
    """a ladder twelve rungs high, 2048 paths to its foot: trace walks each node's _prev once"""
    graph = [("a0", 0.0, []), ("b0", 0.0, [])]
    for i in range(1, 12):
        graph += [(f"a{i}", float(i), [f"a{i - 1}", f"b{i - 1}"]),
                  (f"b{i}", float(i), [f"a{i - 1}", f"b{i - 1}"])]
    graph.append(("r", 12.0, ["a11", "b11"]))
    nodes, program = build(graph)
    reads, counted = {}, {}
    for name, v in nodes.items():
        prev = run(f"{program}: reading _prev", lambda: v._prev)
        if type(prev) in (set, frozenset, tuple, list):
            wrapped = counting(type(prev), reads)(prev)
            try:
                v._prev = wrapped
            except AttributeError:  # a read-only _prev: its walk is not counted
                continue
            counted[id(wrapped)] = name
    run(f"{program}; trace(r)", need("trace"), nodes["r"])
    key, walked = max(reads.items(), key=lambda item: item[1], default=(None, 0))
    if walked > 3:  # no picture of the graph: drawn, the ladder runs to thousands of lines
        name = counted[key]
        fail(f"`{program}; trace(r)` walked the `_prev` of `{name}` {walked} times, where once "
             "is enough: the lower nodes of a ladder are reached along many paths (2048 to its "
             "foot), and a trace that goes on below a node it has already visited walks each "
             "of them, twice as many for each rung more. Remember the nodes visited, and go no "
             "further when you meet one again.")
    expect_trace(nodes["r"], program, {id(v): n for n, v in nodes.items()})


def test_chain_of_300_nodes():
    """a chain of 300 nodes works"""
    expect_graph([("n0", 0.0, [])] + [(f"n{i}", float(i), [f"n{i - 1}"]) for i in range(1, 300)])


@st.composite
def graphs(draw):
    """A random DAG of 2 to 14 nodes, each node using up to 3 distinct earlier ones, so that
    nodes are often shared; the last node is the root and uses the one before it."""
    size = draw(made(st.integers, 2, 14))
    graph = [("n0", 0.0, [])]
    for i in range(1, size):
        picks = draw(made(st.sets, made(st.integers, 0, i - 1), max_size=3))
        if i == size - 1:
            picks |= {i - 1}
        graph.append((f"n{i}", float(i), [f"n{c}" for c in sorted(picks)]))
    return graph


@given(graphs())
def test_random_graphs_with_shared_nodes(graph):
    """on random graphs with shared nodes, each node and each edge exactly once"""
    expect_graph(graph)
