"""backward: each operation's `_backward`, the local derivatives.

Every check runs a little program on the learner's Value and then does what backward() would,
by hand: it sets the last node's grad, and calls each node's `_backward` itself, from the output
down, in an order it knows (its own walk over `_prev`), so this chunk needs no `backward()`. It
reads the leaves' `.grad`; the failure shows that program, each call in it, so the learner can
paste it after their file and see the same numbers. The expected gradients come from the
derivative rules, or, for random graphs, from central finite differences of the suite's own
float evaluation of the same graph: never from the learner's code.
"""
import math
import operator

import pytest
from hypothesis import strategies as st

from drill.grader.suitekit import (GRAPH_NOTE, blame, close, constructor_holds, fail, fmt,
                                   forward_holds, given, graph_of, made, need, number, peek, read,
                                   run)

A, B = 1.5, -2.5  # data of the leaves `a` and `b`: unequal, so a swapped derivative shows
T = math.tanh  # the float tanh the expected gradients use

# Each operation on a (and b) with the gradients it gives them, and the rule behind them: the
# primitives (+, *, **, exp, tanh, relu) first, then what is built from them (-, /, a number on
# either side), so that the first failure names the broken primitive, not a composite of it.
RULES = [
    ("a + b", {"a": 1.0, "b": 1.0}, "d(a + b)/da = d(a + b)/db = 1: + hands out.grad to both"),
    ("a * b", {"a": B, "b": A},
     "d(a * b)/da = b.data and d(a * b)/db = a.data: each operand gets the OTHER one's data"),
    ("a ** 3", {"a": 3 * A ** 2}, "d(a ** k)/da = k * a ** (k - 1)"),
    ("b ** 3", {"b": 3 * B ** 2}, "d(a ** k)/da = k * a ** (k - 1)"),
    ("a ** -2", {"a": -2 * A ** -3}, "d(a ** k)/da = k * a ** (k - 1), for a negative k too"),
    ("b ** -1", {"b": -1 * B ** -2}, "d(a ** k)/da = k * a ** (k - 1), for a negative k too"),
    ("a ** 0.5", {"a": 0.5 * A ** -0.5}, "d(a ** k)/da = k * a ** (k - 1), for a float k too"),
    ("a ** 2.5", {"a": 2.5 * A ** 1.5}, "d(a ** k)/da = k * a ** (k - 1), for a float k too"),
    ("a.exp()", {"a": math.exp(A)}, "d(exp(a))/da = exp(a): the result's own data"),
    ("b.exp()", {"b": math.exp(B)}, "d(exp(a))/da = exp(a): the result's own data"),
    ("a.tanh()", {"a": 1 - T(A) ** 2}, "d(tanh(a))/da = 1 - tanh(a)**2"),
    ("b.tanh()", {"b": 1 - T(B) ** 2}, "d(tanh(a))/da = 1 - tanh(a)**2"),
    ("a.relu()", {"a": 1.0}, "relu passes out.grad through where its input is positive"),
    ("b.relu()", {"b": 0.0}, "relu passes nothing back where its input is negative"),
    ("a + 2", {"a": 1.0}, "d(a + 2)/da = 1"),
    ("a * 2", {"a": 2.0}, "d(a * 2)/da = 2"),
    ("-a", {"a": -1.0}, "d(-a)/da = -1"),
    ("a - b", {"a": 1.0, "b": -1.0}, "d(a - b)/da = 1 and d(a - b)/db = -1"),
    ("a / b", {"a": 1 / B, "b": -A / B ** 2}, "d(a / b)/da = 1/b and d(a / b)/db = -a/b**2"),
    ("a - 2", {"a": 1.0}, "d(a - 2)/da = 1"),
    ("a / 2", {"a": 0.5}, "d(a / 2)/da = 1/2"),
    ("2 + a", {"a": 1.0}, "d(2 + a)/da = 1"),
    ("2 * a", {"a": 2.0}, "d(2 * a)/da = 2"),
    ("2 - a", {"a": -1.0}, "d(2 - a)/da = -1"),
    ("2 / a", {"a": -2 / A ** 2}, "d(2 / a)/da = -2/a**2"),
]
EXPRESSIONS = [expr for expr, _, _ in RULES]

CHAIN = ("the chain rule: each _backward multiplies its local derivative by out.grad, which "
         "is 3.5 here, not 1")
ACCUMULATE = ("a Value used in several places collects a contribution from each: every "
              "_backward adds into .grad with +=, never sets it with =")


def rule(expr):
    """The gradients and the reason of `expr` in RULES."""
    return next((grads, why) for e, grads, why in RULES if e == expr)


def local(expr):
    """`c = expr`: the local derivative alone."""
    grads, why = rule(expr)
    return expr, grads, why


def chained(expr):
    """`c = expr; c.grad = 3.5`: the local derivative times out.grad. Checked after the local
    derivative holds, so its failure names the chain rule alone."""
    grads, _ = rule(expr)
    return expr, {n: g * 3.5 for n, g in grads.items()}, CHAIN, None, 3.5


def accumulated(expr):
    """`c = (expr) + a + b`: the operands collect from each use. Checked after the local
    derivative holds, so its failure names the accumulation alone."""
    grads, _ = rule(expr)
    return " + ".join([f"({expr})", *grads]), {n: g + 1 for n, g in grads.items()}, ACCUMULATE


def expect_stored(Value, out, text):
    """c's _backward is a function of its own: not None, not the do-nothing one of a leaf."""
    step = read(out, "_backward", "c", text)
    leaf = read(run("Value(1.0)", Value, 1.0), "_backward", "Value(1.0)")
    if not callable(step) and not callable(leaf):
        fail(f"after `{text}`, `c._backward` is {step!r}, and so is a new Value's: start every "
             "Value with a _backward that does nothing, and let each operation store its own "
             "function, `out._backward = _backward`")
    if not callable(step):
        fail(f"after `{text}`, `c._backward` is {step!r}, not a function: each operation "
             "stores the function itself, `out._backward = _backward`; with `_backward()` it "
             "would run at once (while out.grad is still 0) and store what it returns")
    # The leaf's own function again, made afresh (`self._backward = lambda: None`): the same
    # code and nothing captured. One factory for every node's closures, or a method that reads
    # `_op`, shares its code too, and is no sign of anything.
    code = getattr(step, "__code__", None)
    if code is not None and code is getattr(leaf, "__code__", 0) \
            and not getattr(step, "__closure__", None) and not hasattr(step, "__self__"):
        return "`c._backward` is still the do-nothing function every Value starts with: the " \
               "operation never stored its own (`out._backward = _backward`)"
    return ""


def operands(node, who, program):
    """The Values in `node._prev`, in its order; anything else there is a bug of ops'."""
    Value = need("Value")
    prev = read(node, "_prev", who, program)
    kids = run(f"{program}; list({who}._prev)", list, prev)
    for kid in kids:
        if not isinstance(kid, Value):
            blame(f"after `{program}`, `{who}._prev` holds {repr(kid)[:40]} (a "
                  f"{type(kid).__name__}), not a Value: each operation passes its operands as "
                  "the children, Value(data, (self, other), op)", "backward", "ops",
                  program=program)
    return kids


def picked(kid, siblings, names):
    """The test that picks `kid` out of its parent's `_prev` in a pasted program, whatever
    order the set has there: its `_op`, or else its data (or both), where that tells it from
    every sibling the program has no name for; a named one that passes too is skipped by name.
    Siblings alike in both (twins such as the two `a * a` of `(a * a) + (a * a)`) pass each
    other's test, and either one serves."""
    def plain(v, attr):
        x = peek(v, attr)
        return repr(x) if type(x) in ((str,) if attr == "_op" else (int, float)) else None
    tests = [" and ".join(f"v.{attr} == {plain(kid, attr)}" for attr in attrs)
             for attrs in (("_op",), ("data",), ("_op", "data"))
             if all(plain(kid, attr) is not None for attr in attrs)] or ["v._prev"]

    def passes(v, test):
        return all(plain(v, attr) == plain(kid, attr) for attr in ("_op", "data")
                   if f"v.{attr} ==" in test)
    unnamed = [v for v in siblings if v is not kid and id(v) not in names]
    test = next((t for t in tests if not any(passes(v, t) for v in unnamed)), tests[-1])
    return test + "".join(f" and v is not {names[id(v)]}" for v in siblings
                          if v is not kid and id(v) in names and passes(v, test))


def by_hand(root, names, program, grad=1.0):
    """What backward() would do, done by the suite: `root.grad = grad`, then the `_backward` of
    `root` and of every node with operands under it, each after every node that uses it (the
    reverse of a depth-first post-order over `_prev`, by identity; a leaf's does nothing). A
    node the program has no name for (one an operation made inside itself, such as the `b * -1`
    of `a - b`) is named h1, h2, ... in `names` ({id: name}) by a line that picks it out of the
    `_prev` of a node named before it, so the program stays one to paste. The program as run."""
    rootname, kids, post = names[id(root)], {}, []
    stack, seen = [(root, False)], set()
    while stack:
        node, finished = stack.pop()
        if finished:
            post.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            kids[id(node)] = operands(node, names.get(id(node), "a Value inside " + rootname),
                                      program)
            stack.append((node, True))
            stack.extend((kid, False) for kid in reversed(kids[id(node)]) if id(kid) not in seen)
    program += f"; {rootname}.grad = {fmt(grad)}"
    run(program, setattr, root, "grad", grad)
    inner = 0
    for node in reversed(post):
        if node is not root and not kids[id(node)]:
            continue
        name = names[id(node)]
        step = read(node, "_backward", name, program)
        program += f"; {name}._backward()"
        run(program, step)
        siblings = list({id(kid): kid for kid in kids[id(node)]}.values())
        for kid in [kid for kid in siblings if kids[id(kid)] and id(kid) not in names]:
            test = picked(kid, siblings, names)
            inner += 1
            names[id(kid)] = f"h{inner}"
            program += f"; {names[id(kid)]} = next(v for v in {name}._prev if {test})"
    return program


def expect_grads(Value, expr, expected, why, leaves=None, grad=1.0, rel=1e-7):
    """Run `c = expr` on the learner's Values made from `leaves` (name: data; by default those
    of a and b that `expected` names), backpropagate from `c.grad = grad` by hand, and check
    each leaf's grad.

    First the forward pass must hold (it is ops'), and c's _backward must be a function.
    """
    leaves = leaves or {n: {"a": A, "b": B}[n] for n in expected}
    constructor_holds("backward")
    forward_holds("backward", expr, leaves)
    text = "; ".join([f"{n} = Value({x!r})" for n, x in leaves.items()] + [f"c = {expr}"])
    values = {n: run(f"Value({x!r})", Value, x) for n, x in leaves.items()}
    out = run(text, eval, expr, {"Value": Value}, dict(values))
    never_stored = expect_stored(Value, out, text)
    names = {id(v): n for n, v in {**values, "c": out}.items()}
    text = by_hand(out, names, text, grad)
    for name, want in expected.items():
        got = number(read(values[name], "grad", name, text), f"`{name}.grad` after `{text}`")
        if not close(got, want, rel=rel):
            graph = graph_of(out, names,
                             {**{id(values[n]): g for n, g in expected.items()}, id(out): grad})
            fail(f"`{text}` left `{name}.grad == {fmt(got)}`, expected {fmt(want)}: "
                 f"{never_stored or why}; {GRAPH_NOTE}", graph, program=text)


# Each operation's three checks together, in RULES' order; but the local derivatives of + and *
# come first of all, since the other two checks are built with them (`(op) * 3.5`, `+ a + b`).
CHECKS = [("a + b", local), ("a * b", local)]
CHECKS += [(e, f) for e in EXPRESSIONS for f in (local, chained, accumulated) if (e, f) not in CHECKS]


@pytest.mark.parametrize("expr, form", CHECKS, ids=lambda x: getattr(x, "__name__", x))
def test_derivative(expr, form):
    """each operation's _backward adds its local derivative times out.grad into its operands"""
    Value = need("Value")
    if form is not local:  # a wrong derivative is named by its own rule, wherever it shows
        expect_grads(Value, *local(expr))
    expect_grads(Value, *form(expr))


@pytest.mark.parametrize("k", [2, 3])
def test_power_at_zero(k):
    """a ** k at a = 0, for a whole k: its gradient is k * 0 ** (k - 1), with no division by a"""
    expect_grads(need("Value"), f"a ** {k}", {"a": float(k * 0 ** (k - 1))},
                 f"d(a ** k)/da = k * a ** (k - 1), here {k * 0 ** (k - 1)}; written as "
                 "k * out.data / a.data it divides by a, which may be 0", leaves={"a": 0.0})


@pytest.mark.parametrize("expr, expected", [
    ("a + a", 2.0),
    ("(a + a) + a", 3.0),
    ("a * a", 2 * A),
    ("a * a * a", 3 * A ** 2),
    ("(a * 2) + a.exp()", 2 + math.exp(A)),
    ("(a * a).tanh() * (a * a)", (1 - T(A * A) ** 2) * 2 * A * A * A + T(A * A) * 2 * A),
    ("(a + 1) * (a - 1)", 2 * A),
])
def test_value_used_twice(expr, expected):
    """a Value used more than once collects every contribution"""
    expect_grads(need("Value"), expr, {"a": expected}, ACCUMULATE)


@pytest.mark.parametrize("expr", [
    "(x1 * w1 + x2 * w2 + b).tanh()",
    "((2 * (x1 * w1 + x2 * w2 + b)).exp() - 1) / ((2 * (x1 * w1 + x2 * w2 + b)).exp() + 1)",
])
def test_lecture_neuron(expr):
    """the lecture's neuron gets the lecture's gradients"""
    expect_grads(need("Value"), expr, {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0},
                 "as in the lecture: the output is 0.7071, so d(tanh)/dn = 1 - 0.5 = 0.5, and "
                 "each weight's gradient is 0.5 times its input, each input's 0.5 times its "
                 "weight", leaves={"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0,
                                   "b": 6.881373587019543}, rel=1e-6)


# Random graphs. Each operation says which values each operand accepts, so that every graph stays
# where central differences are accurate and in the contract's ranges: no node beyond 100 in
# size, no divisor or non-integer power base near 0, no relu input near its kink, exp and tanh
# of |x| <= 20 (exp of at most 4.5). Operands are picked among the values that fit, so no
# example is ever rejected.
def within(limit):
    return lambda x: abs(x) <= limit


def away(gap):
    return lambda x: abs(x) >= gap


def between(low, high):
    return lambda x: low <= x <= high


def anything(_):
    return True


GRAPH_OPS = {  # template: (on the learner's Values, on floats, what each operand accepts)
    "{} + {}": (operator.add, operator.add, (within(50), within(50))),
    "{} - {}": (operator.sub, operator.sub, (within(50), within(50))),
    "{} * {}": (operator.mul, operator.mul, (within(10), within(10))),
    "{} / {}": (operator.truediv, operator.truediv, (within(25), away(0.25))),
    "-{}": (operator.neg, operator.neg, (anything,)),
    "{} ** 2": (lambda v: v ** 2, lambda x: x ** 2, (within(10),)),
    "{} ** 3": (lambda v: v ** 3, lambda x: x ** 3, (within(4.5),)),
    "{} ** -1": (lambda v: v ** -1, lambda x: x ** -1, (away(0.25),)),
    "{} ** 0.5": (lambda v: v ** 0.5, lambda x: x ** 0.5, (between(0.25, 100),)),
    "{} ** 1.5": (lambda v: v ** 1.5, lambda x: x ** 1.5, (between(0.25, 20),)),
    "{}.exp()": (lambda v: v.exp(), math.exp, (between(-20, 4.5),)),
    "{}.tanh()": (lambda v: v.tanh(), math.tanh, (within(20),)),
    "{}.relu()": (lambda v: v.relu(), lambda x: max(x, 0.0), (away(0.05),)),
}
CONSTANTS = (2.0, -1.5, 0.5, 3.0)  # plain numbers a binary operation may take for one operand


@st.composite
def graphs(draw):
    """(leaf data, steps); a step is (template, operands), each operand the index of an earlier
    node (an int: the leaves first, then the steps' results) or a plain number (a float)."""
    leaves = draw(made(st.lists, made(st.floats, -2.0, 2.0), min_size=1, max_size=3))
    values, steps = list(leaves), []
    for _ in range(draw(made(st.integers, 1, 6))):
        usable = [t for t, (_, _, accepts) in GRAPH_OPS.items()
                  if all(any(map(ok, values)) for ok in accepts)]
        template = draw(made(st.sampled_from, usable))
        accepts, operands = GRAPH_OPS[template][2], []
        for ok in accepts:
            choices = [i for i, x in enumerate(values) if ok(x)]
            if len(accepts) == 2 and not any(isinstance(o, float) for o in operands):
                choices += [c for c in CONSTANTS if ok(c)]  # a number on one side at most
            operands.append(draw(made(st.sampled_from, choices)))
        steps.append((template, operands))
        values.append(apply(template, operands, values, on_floats=True))
    return leaves, steps


def apply(template, operands, values, on_floats):
    """One step of a graph on the nodes `values` (floats, or the learner's Values)."""
    fn = GRAPH_OPS[template][1 if on_floats else 0]
    return fn(*[values[o] if isinstance(o, int) else o for o in operands])


def run_graph(nodes, steps, on_floats, nudge=(None, 0.0)):
    """Every node of the graph, the leaves `nodes` first; `nudge` = (index, h) adds h to that
    node as soon as it is made, so the suite can take a slope at any node."""
    at, h = nudge
    nodes = [x + h if i == at else x for i, x in enumerate(nodes)]
    for template, operands in steps:
        nodes.append(apply(template, operands, nodes, on_floats))
        if len(nodes) - 1 == at:
            nodes[-1] += h
    return nodes


def alone(template, operands):
    """One step of a graph on leaves of its own, a and b, each in the range its operand
    accepts (the numbers stay): the expression and its leaves."""
    accepts, names, leaves = GRAPH_OPS[template][2], iter("ab"), {}
    for o, ok in zip(operands, accepts):
        if isinstance(o, int):
            leaves[next(names)] = next(x for x in (A, B, 2.0, 0.5) if ok(x))
    names = iter(leaves)
    return template.format(*[next(names) if isinstance(o, int) else repr(o)
                             for o in operands]), leaves


def name_of(i, leaves):
    """The name node `i` has in the program shown: leaves x0, x1, ..., then n3, n4, ..."""
    return f"x{i}" if i < len(leaves) else f"n{i}"


def as_text(leaves, steps):
    """The graph as a program the learner can paste: leaves x0, x1, ..., then n3, n4, ..."""
    def name(i):
        return name_of(i, leaves)
    lines = [f"{name(i)} = Value({x!r})" for i, x in enumerate(leaves)]
    for i, (template, operands) in enumerate(steps, start=len(leaves)):
        args = [name(o) if isinstance(o, int) else repr(o) for o in operands]
        lines.append(f"{name(i)} = {template.format(*args)}")
    return "; ".join(lines)


def slope(leaves, steps, i, h=1e-6):
    """d(last node)/d(node i) by a central difference on the suite's own float evaluation."""
    up, down = run_graph(leaves, steps, True, (i, h)), run_graph(leaves, steps, True, (i, -h))
    return (up[-1] - down[-1]) / (2 * h)


@given(graphs())
def test_random_graphs_match_finite_differences(graph):
    """gradients of random graphs with shared nodes match finite differences"""
    Value = need("Value")
    constructor_holds("backward")
    leaves, steps = graph
    for template, operands in steps:  # each operation first on its own: a bug is named there
        forward_holds("backward", *alone(template, operands))
    text = as_text(leaves, steps)

    nodes = run(text, lambda: run_graph([Value(x) for x in leaves], steps, on_floats=False))
    for i, (node, want) in enumerate(zip(nodes, run_graph(leaves, steps, True))):
        got = number(read(node, "data", name_of(i, leaves), text), f"`{name_of(i, leaves)}.data`")
        if not close(got, want, rel=1e-9, abs=1e-12):
            blame(f"`{text}` gave `{name_of(i, leaves)}.data == {fmt(got)}`, expected "
                  f"{fmt(want)}", "backward", "ops", program=text)
    names = {id(v): name_of(k, leaves) for k, v in enumerate(nodes)}
    text = by_hand(nodes[-1], names, text)
    for i, leaf in enumerate(nodes[:len(leaves)]):
        got = number(read(leaf, "grad", f"x{i}", text), f"`x{i}.grad` after `{text}`")
        want = slope(leaves, steps, i)
        if not close(got, want, rel=1e-4, abs=1e-6):
            graph = graph_of(nodes[-1], names,
                             {id(v): slope(leaves, steps, k) for k, v in enumerate(nodes)})
            fail(f"`{text}` left `x{i}.grad == {fmt(got)}`, but nudging x{i} moves the last node "
                 f"{fmt(want)} times as much: check the _backward of each operation x{i} flows "
                 f"through; {GRAPH_NOTE}", graph, program=text)
