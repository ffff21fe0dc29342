"""topo: `Value.backward()` runs every node's `_backward` once, each after the nodes that use it.

The graphs here are built straight from the constructor, `Value(data, children, 'op')`, and each
node's `_backward` is swapped for one that only records that it ran and what the node's grad was
then. So the suite watches the order backward() chooses without depending on any operator.
"""
from hypothesis import strategies as st

from drill.grader.suitekit import (AFRESH, blame, call_backward, constructor_holds, fail, fmt,
                                   given, graph_of, made, need, node_maker, number, read, run)

# A graph is a list of (name, children's names) in creation order; the last node is the root
# unless a test says otherwise.
TREE = [("a", []), ("b", []), ("p", ["a"]), ("q", ["b"]), ("r", ["p", "q"])]
CHAIN = [("a", []), ("b", ["a"]), ("c", ["b"]), ("d", ["c"]), ("e", ["d"])]
DIAMOND = [("a", []), ("s", ["a"]), ("p", ["s"]), ("q", ["s"]), ("r", ["p", "q"])]
# Every node below r is used twice, once by a node on a longer path: whichever child a sort
# visits first, it reaches `a` before `n` or `b` before `m` unless it finishes children first.
CROSSED = [("x", []), ("y", []), ("a", ["x"]), ("b", ["y"]), ("m", ["b"]), ("n", ["a"]),
           ("p", ["a", "m"]), ("q", ["b", "n"]), ("r", ["p", "q"])]
# `u` and `v` use nodes of r's graph, but r does not depend on them.
WITH_STRANGERS = [("a", []), ("b", ["a"]), ("u", ["b"]), ("r", ["b"]), ("v", ["r", "a"])]
# `s` is shared, and `a` below it has one user but lies on two paths from r: a sort that counts
# a node's users once per path (Kahn's algorithm over a walk that does not stop at a node seen)
# waits for a second user of `a` that never comes.
BELOW_SHARED = [("x", []), ("a", ["x"]), ("s", ["a"]), ("p", ["s"]), ("q", ["s"]),
                ("r", ["p", "q"])]
# `c` is used by `p` and by p's user `r`: a sort that marks a node as seen when it is first
# pushed, rather than when it is finished, emits p before c when r's children come as (c, p).
TRIANGLE = [("x", []), ("c", ["x"]), ("p", ["c"]), ("r", ["c", "p"])]


# What the suite's own _backward functions do, said under every failure that draws the graph.
RECORDED = ("Each _backward here was replaced by one that records its call and adds 1 to each "
            "child's grad")


def value_code(name, children, data=1.0):
    """How the learner would build one node: `b = Value(1.0, (a,), 'op')` (or by keywords, when
    that is how their constructor takes children)."""
    if not children:
        return f"{name} = Value({data!r})"
    return f"{name} = " + node_maker(need("Value"))[1](data, children, "op")


class OrderedSet(set):
    """A set that iterates in the order it was given its items, which a set may: the suite
    decides the order a sort meets each node's children in, so that a sort right for only some
    orders fails on every run, not only on runs whose addresses fall one way."""

    def __init__(self, items):
        super().__init__(items)
        self.order = items

    def __iter__(self):
        return iter(self.order)


class OrderedFrozenSet(frozenset):
    """OrderedSet's frozen twin, for a `_prev` kept as a frozenset."""

    def __new__(cls, items):
        made = super().__new__(cls, items)
        made.order = items
        return made

    def __iter__(self):
        return iter(self.order)


ORDERED = {set: OrderedSet, frozenset: OrderedFrozenSet}


def in_order(node, children):
    """Let a node's `_prev`, when a set of two children or more, iterate over them in the
    graph's order (a set that took two of them for one, by an `__eq__` of the learner's, keeps
    its own)."""
    prev = getattr(node, "_prev", None)
    kind = ORDERED.get(type(prev))
    if kind is None or len(prev) < 2:
        return
    distinct = list({id(child): child for child in children}.values())
    if len(distinct) == len(prev):
        try:
            node._prev = kind(distinct)
        except AttributeError:  # a read-only _prev keeps its own order
            pass


def code(graph, root):
    """The whole graph and the call, as the learner would write them; shortened when long."""
    lines = [value_code(name, children) for name, children in graph]
    if len(lines) > 10:
        lines = lines[:3] + [f"... ({len(lines) - 4} more)"] + lines[-1:]
    return "; ".join(lines + [f"{root}.backward()"])


def reachable(graph, root):
    """The names of the nodes `root` depends on, itself included."""
    children = dict(graph)
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(children[name])
    return seen


def uses(graph, needed):
    """{name: how many times the nodes in `needed` use it}: each use passes it 1."""
    times = dict.fromkeys((name for name, _ in graph), 0)
    for user, children in graph:
        if user in needed:
            for child in children:
                times[child] += 1
    return times


class Run:
    """What `root.backward()` did on `graph` built with the learner's Value: `nodes` by name,
    and `calls`, the (name, that node's grad at the time) of each _backward call in order."""

    def __init__(self, graph, root, nodes, calls):
        self.graph, self.root, self.nodes, self.calls = graph, root, nodes, calls

    def fail(self, message, misordered=None, after=False):
        """Fail with `message` and the graph. For a failure of the order, `misordered` names the
        node the message is about, and the graph numbers each node by when its _backward ran,
        beside the nodes that use it. Otherwise it shows the grad each node held when its
        _backward ran (`after`: once backward() returned) beside the one the recorded _backward
        functions give it (its root 1, every other its number of uses)."""
        labels = {id(v): n for n, v in self.nodes.items()}
        root, program = self.nodes[self.root], code(self.graph, self.root)
        if misordered is not None:
            steps = {}
            for step, (name, _) in enumerate(self.calls, 1):
                steps.setdefault(id(self.nodes[name]), []).append(step)
            fail(f"{message}\n  ({RECORDED}: the graph below numbers each node by when its "
                 "_backward ran, beside the nodes that use it.)",
                 graph_of(root, labels, ran=steps, first=self.nodes[misordered]), program=program)
        needed = reachable(self.graph, self.root)
        times = uses(self.graph, needed)
        shares = {id(self.nodes[n]): float(times[n]) for n in needed}
        shares[id(root)] = 1.0
        held = {}
        for name, grad in [] if after else self.calls:
            held.setdefault(id(self.nodes[name]), grad)
        when = ("after the run" if after else
                "when its _backward ran (after the run, if it never ran)")
        fail(f"{message}\n  ({RECORDED}; the graph below shows each node's grad {when} and the "
             "one it should have; ✗ marks the first that differs, from the output down.)",
             graph_of(root, labels, shares, held), program=program)


def recordable(Value):
    """The class the suite builds its graphs from: the learner's Value, unless its nodes cannot
    take a `_backward` of their own (a class with `__slots__` whose `_backward` is a method, or a
    read-only property: the contract asks only for a callable), and then a subclass of it that
    can, its `_backward` a plain attribute: the nodes, their constructor and their backward()
    stay the learner's."""
    probe = run("Value(1.0)", Value, 1.0)
    try:
        probe._backward = lambda: None
    except AttributeError:
        return type(Value)(Value.__name__, (Value,), {"__module__": Value.__module__,
                                                      "__qualname__": Value.__qualname__,
                                                      "_backward": None})
    return Value


def backward_on(graph, root=None, apart=False):
    """Build `graph` with the learner's Value, call `root.backward()`, and return the Run.
    Each recorded _backward adds 1 to the grad of each of its children (twice for a child used
    twice), so a node's grad when it runs tells whether every user had passed it its share.
    Every node holds 1.0 (two Values holding equal numbers are two nodes), or with `apart` a
    number of its own.
    """
    constructor_holds("topo", reads=("grad",), graphs=True)
    Value = recordable(need("Value"))
    make = node_maker(need("Value"))[0]
    root = root or graph[-1][0]
    nodes, calls = {}, []

    def recorder(name, children):
        def _backward():  # records its node's grad, then passes 1 to each child, as a real op would
            calls.append((name, read(nodes[name], "grad", name)))
            for child in children:
                nodes[child].grad = read(nodes[child], "grad", child) + 1.0
        return _backward

    for i, (name, children) in enumerate(graph):
        kids, data = tuple(nodes[c] for c in children), float(i + 1) if apart else 1.0
        made = (make, Value, data, kids, "op") if kids else (Value, data)
        nodes[name] = run(value_code(name, children, data), *made)
        in_order(nodes[name], kids)
        run(f"{name}._backward = ...", setattr, nodes[name], "_backward",
            recorder(name, children))
    call_backward(nodes[root], root, code(graph, root).rsplit("; ", 1)[0])
    return Run(graph, root, nodes, calls)


def expect_seeded(run_):
    """The root's grad is 1 when its own _backward runs, and still 1 afterwards."""
    graph, root = run_.graph, run_.root
    seen = [number(grad, f"`{root}.grad`") for name, grad in run_.calls if name == root]
    after = number(read(run_.nodes[root], "grad", root), f"`{root}.grad`")
    if seen and seen[0] != 1:
        late = " (it is 1 afterwards: set it before the loop, not after)" if after == 1 else ""
        run_.fail(f"In `{code(graph, root)}`, `{root}.grad` was {fmt(seen[0])} when "
                  f"`{root}._backward()` ran, expected 1{late}: every gradient flows from the "
                  "root's own, so backward() starts with `self.grad = 1`, before any _backward "
                  "runs.")
    if after != 1:
        run_.fail(f"`{code(graph, root)}` left `{root}.grad == {fmt(after)}`, expected 1.0: "
                  "backward() sets the root's grad to 1 (d root / d root) before anything else.",
                  after=True)


def users(graph, name, among):
    """Who uses `name`, in words, counting a node that uses it twice: "p and q", "p twice"."""
    edges = [user for user, children in graph if user in among for c in children if c == name]
    if len(set(edges)) == 1 and len(edges) > 1:
        return f"{edges[0]} twice"
    return " and ".join(sorted(edges))


def expect_each_once(run_):
    """The root ran once, every node with children that it depends on once, a leaf at most once,
    and no other node at all."""
    graph, root, calls = run_.graph, run_.root, run_.calls
    where = f"In `{code(graph, root)}`"
    needed = reachable(graph, root)
    counts = {name: 0 for name, _ in graph}
    for name, _ in calls:
        counts[name] += 1
    children = dict(graph)
    if children[root] and not counts[root]:
        run_.fail(f"{where}, `{root}._backward()` never ran: the root's own _backward passes its "
             "gradient to its children, so it is the first to run.", misordered=root)
    if counts[root] > 1 and counts[root] == len(calls):
        run_.fail(f"{where}, `{root}._backward()` ran {counts[root]} times and no other node's "
                  "ran: the loop calls the root's own _backward once for each node in the "
                  "order (`self._backward()`); call each node's own, `node._backward()`.",
                  misordered=root)
    for name in reversed(list(counts)):  # nearest the root first: the shared node, not its leaf
        if name not in needed and counts[name]:
            run_.fail(f"{where}, `{name}._backward()` ran, but `{root}` does not depend on `{name}`: "
                 f"only the nodes reachable from `{root}` through `_prev` get a gradient.",
                 misordered=name)
        if counts[name] > 1:
            run_.fail(f"{where}, `{name}._backward()` ran {counts[name]} times, expected once: "
                 f"`{name}` is used by {users(graph, name, needed)}; remember the nodes you "
                 "have visited so each one enters the order only once.", misordered=name)
        if name in needed and children[name] and not counts[name]:
            only = " (only the root's ran)" if counts[root] == len(calls) else ""
            run_.fail(f"{where}, `{name}._backward()` never ran{only}, though `{root}` depends on "
                      f"`{name}`: " + never_ran(run_, name, counts), misordered=name)


def never_ran(run_, name, counts):
    """Why a node `root` depends on never ran: nodes told apart by their numbers (every node
    here holds 1.0), users counted once per path, or a walk that stops short."""
    graph, root = run_.graph, run_.root
    needed = reachable(graph, root)
    apart = backward_on(graph, root, apart=True)
    if {n for n, _ in apart.calls} >= {n for n, kids in graph if kids and n in needed}:
        program = code(graph, root)
        if any("__eq__" in vars(k) for k in type(run_.nodes[root]).__mro__[:-1]):
            blame(f"In `{program}`, `{name}._backward()` never ran, but it did once each node "
                  "held a number of its own: your Value's __eq__ (and __hash__) compare .data, "
                  "so a set takes two nodes holding equal numbers for one, as `visited` did "
                  "here, where every node holds 1.0. Two Values are two nodes whatever they "
                  "hold: leave equality to identity (no __eq__ of your own).", "topo", "ops",
                  program=program)
        return ("every node here holds 1.0, and built again with a number of its own in each "
                "node, every node ran: your backward() tells nodes apart by their .data. Two "
                "Values holding equal numbers are still two nodes: keep the nodes themselves "
                "in `visited` (or their id()), never their .data.")
    users_of = [user for user, kids in graph if user in needed and name in kids]
    if all(counts[user] for user in users_of) and paths(graph, root, name) > len(users_of):
        count = f"{len(users_of)} user" + ("s" if len(users_of) > 1 else "")
        return (f"every node that uses `{name}` ({' and '.join(sorted(set(users_of)))}) had run, "
                f"so `{name}` was ready. If you count each node's users before running it "
                f"(Kahn's algorithm), count each edge once: `{name}` has {count} but lies on "
                f"{paths(graph, root, name)} paths from `{root}`, and a walk that goes on below a "
                "node it has counted already counts it again.")
    return ("collect every node reachable from the root through `_prev`, recursively, and "
            "call the _backward of each.")


def paths(graph, root, name):
    """How many paths lead from `root` down to `name`."""
    children = dict(graph)
    if root == name:
        return 1
    return sum(paths(graph, child, name) for child in children[root])


def expect_users_first(run_):
    """Each node's _backward ran after that of every node that uses it."""
    graph, root, calls = run_.graph, run_.root, run_.calls
    where = f"In `{code(graph, root)}`"
    needed = reachable(graph, root)
    users_of = {name: [] for name, _ in graph}
    for user, children in graph:
        if user in needed:
            for child in set(children):
                users_of[child].append(user)
    done = set()
    for name, _ in calls:
        waiting = sorted(user for user in users_of[name] if user not in done)
        if waiting:
            run_.fail(f"{where}, `{name}._backward()` ran before `{waiting[0]}._backward()`, but "
                 f"`{waiting[0]}` uses `{name}`: a node may pass its gradient on only once every "
                 "node that uses it has added into its grad. Order the nodes so each comes "
                 "after its children (append a node after visiting them all), then run "
                 "_backward over that list reversed.", misordered=name)
        done.add(name)


def expect_whole_gradient(run_):
    """When a node's _backward runs, its grad is exactly what its users passed it: backward()
    sets the root's grad and no other."""
    graph, root, calls = run_.graph, run_.root, run_.calls
    needed = reachable(graph, root)
    times = uses(graph, needed)
    for name, grad in calls:
        if name == root:
            continue
        shares = times[name]
        got = number(grad, f"`{name}.grad`")
        if got != shares:
            run_.fail(f"In `{code(graph, root)}`, where each _backward adds 1 to each child's grad, "
                 f"`{name}.grad` was {fmt(got)} when `{name}._backward()` ran, expected "
                 f"{fmt(float(shares))} (from {users(graph, name, needed)}): backward() sets "
                 "the root's grad to 1 and touches no other; every other grad is what the "
                 "nodes using it added.")


def expect_correct(graph, root=None):
    """backward() on `graph` seeds the root, runs each needed node once, users first, and leaves
    every other grad to the _backward functions."""
    run_ = backward_on(graph, root)
    expect_seeded(run_)
    expect_each_once(run_)
    expect_users_first(run_)
    expect_whole_gradient(run_)


def test_root_grad_is_seeded_with_one():
    """backward() sets the root's grad to 1 before its _backward runs"""
    run_ = backward_on([("a", []), ("r", ["a"])])
    expect_each_once(run_)
    expect_seeded(run_)


def test_every_node_runs():
    """every node below the root runs its _backward, not only the root's"""
    expect_each_once(backward_on(TREE))  # in what order is the next test's to say


def test_chain_runs_from_the_root_down():
    """each node's _backward runs after the node that uses it, down a chain and down a tree"""
    expect_correct(CHAIN)
    expect_correct(TREE)


def test_node_used_twice_runs_once():
    """a node used by two others runs its _backward once, after both have added into its grad"""
    expect_correct(DIAMOND)


def test_shared_nodes_wait_for_all_their_users():
    """a node used by several runs after all of them: visit the children, then add the node"""
    expect_correct(CROSSED)
    expect_correct([(name, children[::-1]) for name, children in CROSSED])


def test_a_node_below_a_shared_node_runs():
    """a node below a shared node runs once its one user has, however many paths lead to it"""
    expect_correct(BELOW_SHARED)


def test_a_node_used_by_a_node_and_its_user_waits_for_both():
    """a node used by p and by p's user runs after both, whichever child a sort meets first"""
    expect_correct(TRIANGLE)
    expect_correct([(name, children[::-1]) for name, children in TRIANGLE])


def test_nodes_outside_the_graph_are_left_alone():
    """nodes the root does not depend on never run their _backward"""
    expect_correct(WITH_STRANGERS, root="r")


def test_a_second_backward_runs_only_its_own_graph():
    """backward() on a second graph runs that graph's nodes, none of the first's"""
    first = backward_on(TREE)
    ran = len(first.calls)
    second = backward_on(CHAIN)
    if len(first.calls) > ran:
        name = first.calls[ran][0]
        fail(f"After `{code(TREE, 'r')}`, a second graph built apart, "
             f"`{code(CHAIN, 'e')}`, ran `{name}._backward()` of the first graph again: "
             + AFRESH, program=code(CHAIN, "e"))
    expect_each_once(second)


def test_a_node_reached_again_by_a_later_backward_runs_again():
    """a later backward() whose graph holds nodes an earlier one ran runs them again"""
    first = backward_on(WITH_STRANGERS, root="r")
    ran = len(first.calls)
    program = code(WITH_STRANGERS, "r") + "; v.backward()"
    call_backward(first.nodes["v"], "v", code(WITH_STRANGERS, "r"))
    again = [name for name, _ in first.calls[ran:]]
    for name in ("v", "r", "b"):  # the nodes with children that v depends on
        if name not in again:
            fail(f"In `{program}`, the second call, `v.backward()`, never ran "
                 f"`{name}._backward()`, though `v` depends on `{name}`: " + AFRESH,
                 program=program)


def test_the_root_grad_is_set_to_one_not_added_to():
    """backward() sets the root's grad to 1 even when it held a gradient already"""
    constructor_holds("topo", reads=("grad",), graphs=True)
    Value = need("Value")
    make = node_maker(Value)[0]
    a = run("a = Value(2.0)", Value, 2.0)
    made = value_code("r", ["a"])
    r = run(made, make, Value, 1.0, (a,), "op")
    program = f"a = Value(2.0); {made}; r.grad = 3.0"
    run("r.grad = 3.0", setattr, r, "grad", 3.0)
    call_backward(r, "r", program)
    after = number(read(r, "grad", "r"), "`r.grad`")
    if after != 1:
        fail(f"`{program}; r.backward()` left `r.grad == {fmt(after)}`, expected 1.0: backward() "
             "sets the root's grad, `self.grad = 1`, whatever it held, rather than adding 1 to it.",
             program=program + "; r.backward()")


def test_chain_of_300_nodes():
    """a chain of 300 nodes works"""
    expect_correct([("n0", [])] + [(f"n{i}", [f"n{i - 1}"]) for i in range(1, 300)])


@st.composite
def graphs(draw):
    """A random DAG of up to 12 nodes, each using up to 3 earlier ones (repeats allowed), and
    the name of its root: any node, so later nodes are strangers to it."""
    size = draw(made(st.integers, 2, 12))
    graph = [("n0", [])]
    for i in range(1, size):
        picks = draw(made(st.lists, made(st.integers, 0, i - 1), max_size=3))
        graph.append((f"n{i}", [f"n{c}" for c in picks]))
    return graph, f"n{draw(made(st.integers, 1, size - 1))}"


@given(graphs())
def test_random_graphs(graph_and_root):
    """on random graphs with shared nodes, each node runs once, after the nodes that use it"""
    graph, root = graph_and_root
    expect_correct(graph, root)
