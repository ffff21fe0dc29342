"""extend: an operation the lecture did not write, its derivative worked out by the learner.

Every test is parametrised by the operation, first (`test_slope[sigmoid]`): drill runs only the
tests of the one an attempt drew, or, for a bare file, of those its Value defines. What the suite
knows of each operation is data, in operations.toml beside it: f in Python, where to take points,
and the mistakes it recognises from the numbers. The slope a gradient must match is a central
difference of that f, (f(x + h) - f(x - h)) / 2h, never the learner's code; the gradient is what
the file's own backward() leaves in x, on the operation alone and inside a graph that uses x and
the result twice, at fixed points (on both sides of 0 where the domain has them) and fresh ones.
"""
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from drill.catalog import load_chunk
from drill.grader.suitekit import (builds_on, call_backward, close, confirmed, fail, graph_of,
                                   need, number, peek, read, run)

OPERATIONS = {d["name"]: d for d in load_chunk(str(Path(__file__).parent)).draws}
NAMES = list(OPERATIONS)
H = 1e-5  # the central difference's step
REL, ABS = 1e-5, 1e-7  # how near a gradient must come to the slope the difference measures


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def f(op, x):
    """f(x) of the operation `op`, in floats."""
    return eval(OPERATIONS[op]["value"], {"__builtins__": {}}, {"x": x, "math": math})


def slope(op, x):
    """The slope of f at x, measured by a central difference."""
    return (f(op, x + H) - f(op, x - H)) / (2 * H)


def mistaken(op, mistake, x):
    """The slope a recognised mistake gives at x."""
    names = {"x": x, "y": f(op, x), "math": math, "sigmoid": sigmoid}
    return eval(mistake["slope"], {"__builtins__": {}}, names)


def n(v):
    """A number as the messages write it: 4 significant figures, as the chain worksheet."""
    return f"{v:.4g}"


def fresh(op):
    """Fresh points of the operation's domain, to 2 decimal places, never nearer 0 than it
    allows."""
    low, high = OPERATIONS[op]["sample"]
    gap = OPERATIONS[op].get("avoid", 0.0)
    return st.integers(round(low * 100), round(high * 100)).map(lambda k: k / 100) \
        .filter(lambda x: abs(x) >= gap)


FRESH = {op: fresh(op) for op in NAMES}


def made_by(op, x):
    """(program, x, y): `x = Value(x); y = x.<op>()` on the learner's Value."""
    Value = need("Value")
    start = f"x = Value({x!r})"
    leaf = run(start, Value, x)
    method = read(leaf, op, "x", start)
    program = f"{start}; y = x.{op}()"
    out = run(program, method)
    if not isinstance(out, Value):
        fail(f"`{program}` made `y` a {type(out).__name__}, not a Value: {op}() returns a new "
             "Value, as exp() does")
    return program, leaf, out


def described(node, Value):
    if not isinstance(node, Value):
        return f"{repr(node)[:40]} (a {type(node).__name__})"
    op = peek(node, "_op")
    return f"a Value holding {peek(node, 'data')!r}" + (f" made by {op!r}" if op else "")


def forward(op, x):
    """`y = x.<op>()` holds f(x), has x alone as its child and a string op, and leaves x be."""
    Value, spec = need("Value"), OPERATIONS[op]
    program, leaf, out = made_by(op, x)
    got = number(read(out, "data", "y", program), f"`y.data` after `{program}`")
    if not close(got, f(op, x), 1e-9, 1e-12):
        fail(f"`{program}` gave `y.data == {got!r}`, expected {f(op, x)!r}: {spec['f']}")
    kids = run(f"{program}; list(y._prev)", list, read(out, "_prev", "y", program))
    if len(kids) != 1 or kids[0] is not leaf:
        held = ", ".join(described(kid, Value) for kid in kids[:3]) or "nothing"
        fail(f"after `{program}`, `y._prev` holds {held}; expected `x` alone: {op} is one node "
             f"of its own, Value(its data, (self,), '{op}'), not built from other operations")
    if not isinstance(read(out, "_op", "y", program), str):
        fail(f"after `{program}`, `y._op` is not a string: give the result a short op string, "
             f"such as '{op}'")
    if number(read(leaf, "data", "x", program), "`x.data`") != x or \
            number(read(leaf, "grad", "x", program), "`x.grad`") != 0:
        fail(f"`{program}` changed x (its data or grad): {op}() leaves its operand as it was")


def engine_holds(op):
    """What the gradient checks build on: the engine (ops, backward, topo) on + and *, then
    this operation's forward pass, each confirmed once a run."""
    builds_on("extend", "a * b", "a + b", gradients=True)
    confirmed(("forward", op), lambda: [forward(op, x) for x in OPERATIONS[op]["points"]],
              "extend", owner="extend")


def gradient_alone(op, x):
    """(program, x, y): `y = x.<op>(); y.backward()` on the learner's Value."""
    program, leaf, out = made_by(op, x)
    call_backward(out, "y", program)
    return program + "; y.backward()", leaf, out


def quietly(op, x):
    """x.grad after `y = x.<op>(); y.backward()`, or None if that does not run: a second look,
    to tell what kind of mistake a first one was."""
    try:
        _, leaf, _ = gradient_alone(op, x)
        return number(read(leaf, "grad", "x"), "`x.grad`")
    except AssertionError:
        return None


def side(x):
    return "x > 0" if x > 0 else "x < 0"


def ratio_words(r):
    named = {0.5: "half", 1 / 3: "a third of", 0.25: "a quarter of", 2.0: "twice",
             3.0: "three times", 4.0: "four times"}
    return next((words for value, words in named.items() if close(r, value, 1e-6)),
                f"{n(r)} times")


def diagnosis(op, x, got, want, out):
    """What the numbers say of a wrong slope at x: a mistake the data names, a sign lost, f(x)
    itself, a slope right on one side of 0 only, a constant factor; else the rule to apply."""
    spec = OPERATIONS[op]
    leaf = read(run("Value(1.0)", need("Value"), 1.0), "_backward", "Value(1.0)")
    if got == 0 and getattr(peek(out, "_backward"), "__code__", None) is \
            getattr(leaf, "__code__", 0):
        return (f"y._backward is still the do-nothing function a new Value starts with: "
                f"{op}() must store its own, `out._backward = _backward`")
    for mistake in spec.get("mistake", ()):
        wrong = mistaken(op, mistake, x)
        if close(got, wrong, 1e-6, 1e-9) and not close(wrong, want, REL, ABS):
            at = re.sub(r"\bx\b", repr(x) if x >= 0 else f"({x!r})", mistake["shown"])
            return f"{mistake['shown']} = {at} = {n(got)}: {mistake['says']}"
    if got == 0:
        return (f"nothing reached x.grad: {op}'s _backward adds its slope times out.grad into "
                "self.grad")
    if close(got, -want, REL, ABS):
        return f"{n(got)} is minus the slope: a sign is lost"
    if close(got, f(op, x), REL, ABS):
        return f"{n(got)} is {op}(x) itself, not its slope"
    others = [(p, quietly(op, p), slope(op, p)) for p in spec["points"] if p != x]
    right = [(p, g) for p, g, s in others if g is not None and close(g, s, REL, ABS)]
    if right and all((p > 0) != (x > 0) for p, _ in right) and \
            not any((p > 0) != (x > 0) for p, g, s in others if (p, g) not in right):
        p, g = right[0]
        return (f"right where {side(p)} (at x = {p!r} yours gives {n(g)}, as it should), wrong "
                f"where {side(x)}: the slope is wrong on one side of 0")
    ratios = [g / s for p, g, s in others if g is not None and s != 0]
    if want and ratios and all(close(r, got / want, 1e-4) for r in ratios):
        r = got / want
        return (f"yours is {ratio_words(r)} the slope at every point tried (x = "
                f"{', '.join(repr(p) for p in spec['points'])}): it is off by a constant "
                "factor, one the rule brings in or one it does not")
    return f"{spec['rule']}: `drill hint` narrows it down"


def quotient(op, x):
    """The central difference, as the learner could type it."""
    return (f"({op}({x + H:.7g}) - {op}({x - H:.7g})) / {2 * H:.5f}")


def alone(op, x):
    """x.grad after `y = x.<op>(); y.backward()` is the slope of f at x."""
    program, leaf, out = gradient_alone(op, x)
    got = number(read(leaf, "grad", "x", program), f"`x.grad` after `{program}`")
    want = slope(op, x)
    if not close(got, want, REL, ABS):
        graph = graph_of(out, {id(leaf): "x", id(out): "y"}, {id(leaf): want, id(out): 1.0})
        fail(f"x.grad = y.grad * d {op}/dx = 1.0 * {n(want)} = {n(want)} at x = {x!r}: the "
             f"slope of {op} there, {quotient(op, x)}. Yours gave {n(got)}, after "
             f"`{program}`: {diagnosis(op, x, got, want, out)}", graph, program=program)


def twice(op, x):
    """In `y = x.<op>(); c = y * y + x; c.backward()`, x.grad is 2y * f'(x) + 1: y passes on
    both contributions of y * y, and x collects its own from + x as well."""
    Value = need("Value")
    program, leaf, out = made_by(op, x)
    square = run(f"{program}; y * y", lambda: out * out)
    program += "; c = y * y + x"
    root = run(program, lambda: square + leaf)
    if not isinstance(root, Value):
        fail(f"`{program}` made `c` a {type(root).__name__}, not a Value", program=program)
    call_backward(root, "c", program)
    program += "; c.backward()"
    got = number(read(leaf, "grad", "x", program), f"`x.grad` after `{program}`")
    y, local = f(op, x), slope(op, x)
    want = 2 * y * local + 1
    if close(got, want, REL, ABS):
        return
    graph = graph_of(root, {id(leaf): "x", id(out): "y", id(root): "c"},
                     {id(root): 1.0, id(square): 1.0, id(out): 2 * y, id(leaf): want})
    if close(got, want - 1, REL, ABS):
        why = (f"the 1.0 that + x gave x is lost: {op}'s _backward sets x.grad with =, where it "
               "must add into it with +=")
    elif close(got, local + 1, REL, ABS):
        why = (f"{op}'s _backward passed on its slope alone: the chain rule multiplies it by "
               f"out.grad, which is {n(2 * y)} here")
    elif close(got, local, REL, ABS):
        why = (f"{op}'s _backward passed on its slope alone, with =: it must multiply it by "
               f"out.grad ({n(2 * y)} here) and add into x.grad with +=")
    else:
        why = f"{op}'s _backward adds its slope times out.grad into self.grad, with +="
    fail(f"x.grad = dc/dy * dy/dx + dc/dx = {n(2 * y)} * {n(local)} + 1.0 = {n(want)} at x = "
         f"{x!r}: y = {op}(x) is used twice by y * y, so dc/dy = 2 * y = {n(2 * y)}, and x is "
         f"used by {op} and by + x. Yours left x.grad == {n(got)}, after `{program}`: {why}",
         graph, program=program)


@pytest.mark.parametrize("op", NAMES)
def test_forward(op):
    """makes a new Value: f(x) in .data, x alone in _prev, a string _op"""
    for x in OPERATIONS[op]["points"]:
        forward(op, x)


@pytest.mark.parametrize("op", NAMES)
def test_slope(op):
    """backward() leaves the slope of f at x in x.grad"""
    engine_holds(op)
    for x in OPERATIONS[op]["points"]:
        alone(op, x)


@pytest.mark.parametrize("op", NAMES)
def test_used_twice(op):
    """in c = y * y + x, y passes on out.grad and x collects both uses"""
    engine_holds(op)
    for x in OPERATIONS[op]["points"]:
        twice(op, x)


@pytest.mark.parametrize("op", NAMES)
@given(data=st.data())
def test_fresh_points(op, data):
    """at fresh points of the domain too, alone and in that graph"""
    engine_holds(op)
    x = data.draw(FRESH[op], label="x")
    alone(op, x)
    twice(op, x)
