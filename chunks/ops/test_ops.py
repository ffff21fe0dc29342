"""ops: Value and its operators, the forward pass.

Only what the contract names is judged: `Value(data, _children=(), _op='')`, its attributes, the
operators with a Value or a plain number on either side, and `exp`, `tanh`, `relu`. Gradients
belong to the next chunk: nothing here calls `backward`.

Each check runs a little program on the learner's Value (`a = Value(5.0); c = 2 - a`) and shows
that program when it fails, so the learner can paste it and see the same thing.
"""
import math
import operator
import re

import pytest
from hypothesis import strategies as st

from drill.grader.suitekit import (Lesson, close, examples, fail, fmt, given, need, number, read,
                                   run)

A, B = 5.0, -2.0  # data of `a` and `b`: unequal, of opposite signs, so swapped operands show

# The primitives + and * first: - and / are usually built from them, so a bug of * is first
# reported at *, not at the - that uses it.
BINARY = {"+": operator.add, "*": operator.mul, "-": operator.sub, "/": operator.truediv}

UNARY = {  # each one-operand operation and the float it must give
    "-a": operator.neg,
    "a.exp()": math.exp,
    "a.tanh()": math.tanh,
    "a.relu()": lambda x: max(x, 0.0),
}

# Every form the contract names, on a and b; the structural tests run each of them.
FORMS = [f"{x} {s} {y}" for s in BINARY for x, y in (("a", "b"), ("a", "2"), ("2", "a"))] \
    + list(UNARY) + ["b.relu()", "a ** 2", "a ** -1", "a ** 0.5"]

WRAP = ("a plain number has no `.data`: when `other` is not a Value, wrap it in one first, "
        "then use its .data as for any Value")
FLOATS_AGREE = "the same operation on plain floats gives that"
REVERSED = {"+": "__radd__", "-": "__rsub__", "*": "__rmul__", "/": "__rtruediv__"}


def make(Value, x):
    """The learner's `Value(x)`."""
    return run(f"Value({x!r})", Value, x)


def attr(v, name, who, program=""):
    """`who.name` read from the learner's Value `v` after `program`, a missing one named with
    what v has."""
    return read(v, name, who, program)


def build(Value, expr, data=None, why=""):
    """Run `c = expr` on the learner's Values; return (the program as text, the Values, c).

    `data` gives each operand's number; by default `a` and `b` (those that `expr` uses). `why`
    is added to the message when the program raises.
    """
    if data is None:
        data = {n: x for n, x in (("a", A), ("b", B)) if re.search(rf"\b{n}\b", expr)}
    names = {n: make(Value, x) for n, x in data.items()}
    program = "; ".join([f"{n} = Value({x!r})" for n, x in data.items()] + [f"c = {expr}"])
    try:
        out = run(program, eval, expr, {"Value": Value}, dict(names))
    except Lesson as lesson:  # the same lesson, with why: where it raised still tells `check`
        raise Lesson(f"{lesson}\n  {why}".rstrip(), lesson.graph, lesson.owner, lesson.program,
                     lesson.raised_in) from None
    if not isinstance(out, Value):
        fail(f"`{program}` made `c` a {type(out).__name__}, not a Value: every operation returns "
             "a new Value, so that results can be used in further operations")
    return program, names, out


def expect_data(program, out, expected, why):
    """Fail unless `c.data` is `expected`."""
    got = number(attr(out, "data", "c", program), f"`c.data` after `{program}`")
    if not close(got, expected):
        fail(f"`{program}` gave `c.data == {fmt(got)}`, expected {fmt(expected)}: {why}")


# What a derived operation is usually built on (the lecture's `self * other**-1`, `self +
# (-other)`), and what that part must hold: a bug there is named there, not at the / using it.
BUILT_ON = {"a - b": "-b", "2 - a": "-a", "a / b": "b ** -1", "2 / a": "a ** -1"}
PARTS = {"-": "`-x` calls x.__neg__(), which gives a Value holding -x.data",
         "**": "`x ** k` holds x.data ** k: the base is the Value, the exponent the number"}
# Each method of a Value tried on its own, a Value operand before a number: when the line that
# raised is in another operation's method than the one tried (`-b` built as `b * -1`), the
# operation whose line raised is the one named.
OWN_FORMS = {"__add__": ("a + b", "a + 2"), "__mul__": ("a * b", "a * 2"),
             "__pow__": ("a ** 2", "b ** -1"), "__neg__": ("-a",), "__sub__": ("a - b", "a - 2"),
             "__truediv__": ("a / b", "a / 2"), "__radd__": ("2 + a",), "__rmul__": ("2 * a",),
             "__rsub__": ("2 - a",), "__rtruediv__": ("2 / a",)}


def parts_of(expr, raised_in):
    """(part, why) for what `expr` is built on, tried first when it goes wrong: the operation
    whose line raised, when that is not `expr`'s own, then the lecture's building block."""
    own = OWN_FORMS.get(raised_in, ())
    parts = [(part, f"`{expr}` runs your `{raised_in}`, whose line raised: `{part}` is that "
                    "operation on its own, and goes wrong already")
             for part in own if expr not in own]
    if expr in BUILT_ON:
        part = BUILT_ON[expr]
        parts.append((part, f"`{expr}` is usually built on `{part}`, which goes wrong first: "
                            + PARTS["**" if "**" in part else "-"]))
    return parts


def check(Value, expr, expected, why, data=None, tried=()):
    """Run `c = expr` and expect `c.data` to be `expected`; when that fails and `expr` is
    built on another operation (`parts_of`), that one is tried first."""
    try:
        program, _, out = build(Value, expr, data, why)
        expect_data(program, out, expected, why)
    except Lesson as lesson:
        for part, part_why in (parts_of(expr, lesson.raised_in) if data is None else []):
            if part not in tried:
                check(Value, part, eval(part, {}, {"a": A, "b": B}), part_why,
                      tried=(*tried, expr))
        raise


def children(program, out):
    """`c._prev` as a list (a set, tuple or list are all fine)."""
    prev = attr(out, "_prev", "c", program)
    if not isinstance(prev, (set, frozenset, tuple, list)):
        fail(f"after `{program}`, `c._prev` is a {type(prev).__name__}: it should be a set "
             "(or tuple or list) of the operand Values")
    return list(prev)


def describe(v, Value):
    """A child of a node, as the learner would recognise it."""
    if isinstance(v, Value):
        return f"a Value holding {fmt(getattr(v, 'data', None))}"
    return f"{fmt(v)} (a plain {type(v).__name__}, not a Value)"


def expect_wrapped(Value, program, extras, numbers, why):
    """Fail unless the children `extras`, those besides the operand Values, are one Value
    holding each plain-number operand in `numbers`."""
    left = list(numbers)
    for v in extras:
        match = [n for n in left if isinstance(v, Value) and close(
            number(attr(v, "data", "a child", program), "the .data of a child of c"), n)]
        if not match:
            fail(f"after `{program}`, `c._prev` holds {describe(v, Value)}, which is no "
                 f"operand: {why}")
        left.remove(match[0])
    if left:
        fail(f"after `{program}`, `c._prev` lacks the number {fmt(left[0])}: {why}")


def unique(values):
    """`values` without repeats, by identity."""
    return list({id(v): v for v in values}.values())


def defines_equality(v):
    """True when the class of `v` has an `__eq__` of the learner's own."""
    return any("__eq__" in vars(k) for k in type(v).__mro__[:-1])


def swapped(out, names):
    """A sentence when `c._op` holds the operands: the op and the children traded places."""
    op = getattr(out, "_op", None)
    if isinstance(op, (tuple, list, set, frozenset)) and \
            any(v is n for v in op for n in names.values()):
        prev = getattr(out, "_prev", None)
        return (f"`c._op` holds the operands, and `c._prev` holds {prev!r}: the op and the "
                "children traded places. The order is Value(data, children, op): the children "
                "second, the op third, as in Value(data, (self, other), '+')")
    return ""


@pytest.mark.parametrize("x", [2.5, -3, 0.0])
def test_value_keeps_its_data(x):
    """Value(x) keeps x as .data"""
    Value = need("Value")
    got = number(attr(make(Value, x), "data", f"Value({x!r})"), f"`Value({x!r}).data`")
    if got != x:
        fail(f"`Value({x!r}).data` is {fmt(got)}, expected {fmt(x)}: keep the number you are "
             "given as it is")


def test_new_value_has_zero_grad():
    """a new Value starts with .grad == 0"""
    Value = need("Value")
    got = number(attr(make(Value, 2.5), "grad", "Value(2.5)"), "`Value(2.5).grad`")
    if got != 0:
        fail(f"`Value(2.5).grad` is {fmt(got)}, expected 0: no gradient has flowed into a new "
             "Value yet, and backward adds into .grad, so it must start at 0")


def test_lone_value_has_no_children():
    """Value(x) alone has an empty _prev and a string _op"""
    Value = need("Value")
    program, _, v = build(Value, "Value(2.5)")
    kids = children(program, v)
    if kids:
        fail(f"after `{program}`, `c._prev` holds {len(kids)} children, expected none: a Value "
             "made from a number has no operands")
    op = attr(v, "_op", "c", program)
    if not isinstance(op, str):
        fail(f"after `{program}`, `c._op` is a {type(op).__name__}, expected a string "
             "(the default is '')")


def test_lone_value_backward_does_nothing():
    """a lone Value's _backward can be called and changes nothing"""
    Value = need("Value")
    v = make(Value, 2.5)
    step = attr(v, "_backward", "Value(2.5)")
    if not callable(step):
        fail(f"`Value(2.5)._backward` is {step!r}, not a function: start every Value with a "
             "_backward that does nothing (backward calls it on every node, leaves included)")
    run("Value(2.5)._backward()", step)
    for name, want in (("data", 2.5), ("grad", 0)):
        got = number(attr(v, name, "v"), f"`v.{name}`")
        if got != want:
            fail(f"`v = Value(2.5); v._backward()` changed `v.{name}` to {fmt(got)}: a lone "
                 "Value's _backward has nothing to do")


def test_constructor_keeps_children_and_op():
    """Value(data, children, op) keeps the children in _prev and the op in _op"""
    Value = need("Value")
    program, names, out = build(Value, "Value(3.0, (a, b), '+')")
    if swapped(out, names):
        fail(f"after `{program}`, {swapped(out, names)}; your constructor takes them the other "
             "way round")
    kids = {id(v) for v in children(program, out)}
    if kids != {id(v) for v in names.values()}:
        fail(f"after `{program}`, `c._prev` holds {len(kids)} Values, expected a and b: keep the "
             "children given as the second argument in _prev")
    op = attr(out, "_op", "c", program)
    if op != "+":
        fail(f"after `{program}`, `c._op` is {op!r}, expected '+': keep the op given as the "
             "third argument")
    expect_data(program, out, 3.0, "keep the data given as the first argument")


@pytest.mark.parametrize("sym", list(BINARY))
def test_operators_between_values(sym):
    """a + b, a - b, a * b and a / b on two Values"""
    check(need("Value"), f"a {sym} b", BINARY[sym](A, B),
          f"`a {sym} b` holds a.data {sym} b.data (in that order)")


@pytest.mark.parametrize("sym", list(BINARY))
def test_number_on_the_right(sym):
    """a + 2, a - 2, a * 2 and a / 2: a plain number on the right"""
    check(need("Value"), f"a {sym} 2", BINARY[sym](A, 2), WRAP)


def on_the_left(Value, sym, n):
    """What `n sym a` runs, and what that must return: a number, not code (`other + self` in
    __radd__ calls __radd__ again). Whether to define the method is not said here: a Value
    without it raises a TypeError whose own words (learner_errors) say so, and a Value with it
    has it, only wrong."""
    method = REVERSED[sym]
    runs = f"`{n} {sym} a` calls your `a.{method}({n})`, which" \
        if getattr(Value, method, None) is not None else f"`{method}`"
    return (f"{runs} gets the number on the left as `other`: the Value it returns holds "
            f"{n} {sym} a.data" + (", the number first" if sym in "-/" else ""))


@pytest.mark.parametrize("sym", list(BINARY))
def test_number_on_the_left(sym):
    """2 + a, 2 - a, 2 * a and 2 / a: a plain number on the left"""
    Value = need("Value")
    check(Value, f"2 {sym} a", BINARY[sym](2, A), on_the_left(Value, sym, 2))


def test_sum_of_values():
    """sum([a, b, Value(1.5)]) adds Values: sum starts at 0, so it needs __radd__"""
    Value = need("Value")
    check(Value, "sum([a, b, Value(1.5)])", A + B + 1.5,
          "sum starts from the int 0: " + on_the_left(Value, "+", 0))


def test_negation():
    """-a flips the sign"""
    check(need("Value"), "-a", -A, "`-a` calls a.__neg__(), which gives a Value holding -a.data")


@pytest.mark.parametrize("x, k", [(A, 2), (A, 3), (B, 3), (A, 0), (A, -1), (B, -2), (A, 0.5),
                                  (A, 1.5), (A, -0.5)])
def test_power(x, k):
    """a ** k for an int, negative or float constant k"""
    check(need("Value"), f"a ** {k!r}", x ** k,
          "`a ** k` holds a.data ** k: the base is the Value, the exponent the number",
          data={"a": x})


@pytest.mark.parametrize("x", [-20.0, -1.5, 0.0, 1.0, 4.0, 20.0])
def test_exp(x):
    """a.exp() is e ** a"""
    check(need("Value"), "a.exp()", math.exp(x), "exp gives e raised to a.data (math.exp)",
          data={"a": x})


@pytest.mark.parametrize("x", [-20.0, -2.0, -0.5, 0.0, 0.5, 0.8813735870195432, 3.0, 20.0])
def test_tanh(x):
    """a.tanh() is tanh(a), for |a| <= 20"""
    check(need("Value"), "a.tanh()", math.tanh(x),
          "tanh(x) = (e**(2x) - 1) / (e**(2x) + 1), which is math.tanh(x)", data={"a": x})


@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 0.5, 3.0])
def test_relu(x):
    """a.relu() keeps a positive a and gives 0 for a negative one"""
    check(need("Value"), "a.relu()", max(x, 0.0),
          "relu is 0 when a.data is negative and a.data itself otherwise", data={"a": x})


def test_lecture_expression():
    """the lecture's L = (a*b + c) * f comes out -8.0"""
    check(need("Value"), "(a * b + Value(10.0)) * f", -8.0,
          "a*b = -6.0, plus c = 4.0, times f = -8.0: check * and + on Values",
          data={"a": 2.0, "b": -3.0, "f": -2.0})


@pytest.mark.parametrize("expr", FORMS)
def test_result_is_a_fresh_node(expr):
    """each result is a new Value with grad 0, a string _op and a callable _backward"""
    Value = need("Value")
    program, names, out = build(Value, expr)
    if any(out is v for v in names.values()):
        fail(f"`{program}` returned an operand itself: make a new Value for the result, so "
             "the operands stay as they were and the graph keeps both")
    grad = number(attr(out, "grad", "c", program), f"`c.grad` after `{program}`")
    if grad != 0:
        fail(f"after `{program}`, `c.grad` is {fmt(grad)}, expected 0: a result starts with no "
             "gradient, like every new Value")
    if not isinstance(attr(out, "_op", "c", program), str):
        fail(f"after `{program}`, " + (swapped(out, names) or "`c._op` is not a string: give "
                                       "each result a short op string such as '+'"))
    if not callable(attr(out, "_backward", "c", program)):
        fail(f"after `{program}`, `c._backward` is not callable: a result's _backward must be "
             "a function (store the function itself, `out._backward = _backward`, not the "
             "result of calling it)")


@pytest.mark.parametrize("expr", FORMS)
def test_operands_unchanged(expr):
    """an operation leaves its operands' data and grad as they were"""
    Value = need("Value")
    program, names, _ = build(Value, expr)
    for name, v in names.items():
        for field, want in (("data", A if name == "a" else B), ("grad", 0)):
            got = number(attr(v, field, name, program), f"`{name}.{field}` after `{program}`")
            if got != want:
                fail(f"`{program}` changed `{name}.{field}` from {fmt(want)} to {fmt(got)}: an "
                     "operation must not touch its operands; build a new Value for the result")


@pytest.mark.parametrize("expr, operands", [
    ("a + b", ("a", "b")), ("a + 2", ("a", 2)), ("2 + a", ("a", 2)), ("a + a", ("a",)),
    ("a * b", ("a", "b")), ("a * 2", ("a", 2)), ("2 * a", ("a", 2)), ("a * a", ("a",)),
])
def test_children_are_the_operands(expr, operands):
    """the result of + or * has exactly its operands in _prev"""
    Value = need("Value")
    program, names, out = build(Value, expr)
    kids = unique(children(program, out))
    for name in (o for o in operands if isinstance(o, str)):
        if not any(k is names[name] for k in kids):
            fail(f"after `{program}`, `{name}` is not in `c._prev`: _prev must hold every "
                 "operand, or backward can never reach it; pass the operands as the children "
                 "of the result")
    extras = [k for k in kids if not any(k is v for v in names.values())]
    expect_wrapped(Value, program, extras, [o for o in operands if not isinstance(o, str)],
                   "_prev holds exactly the operands, a plain number as the Value it was "
                   "wrapped in")


@pytest.mark.parametrize("sym", ["+", "*"])
def test_equal_numbers_are_two_operands(sym):
    """Value(2.0) + Value(2.0) has both in _prev: two Values holding equal numbers are two nodes"""
    Value = need("Value")
    program, names, out = build(Value, f"a {sym} b", data={"a": 2.0, "b": 2.0})
    kids = unique(children(program, out))
    lost = [name for name, v in names.items() if not any(k is v for k in kids)]
    if lost:
        same = run(f"{program}; a == b", lambda: names["a"] == names["b"])
        fail(f"after `{program}`, `c._prev` lacks `{lost[0]}`: two Values holding equal numbers "
             "are still two nodes, each an operand, and a graph is walked by identity"
             + ("; your Value's __eq__ (and __hash__) compare .data, so a set takes a and b for "
                "one: leave equality to identity (no __eq__ of your own)"
                if same is True and defines_equality(names["a"]) else ""), program=program)
    expect_data(program, out, BINARY[sym](2.0, 2.0), FLOATS_AGREE)


@pytest.mark.parametrize("k", [2, -1, 0.5])
def test_power_children(k):
    """a ** k has a in _prev (and, if anything else, a Value holding k)"""
    Value = need("Value")
    program, names, out = build(Value, f"a ** {k!r}")
    kids = unique(children(program, out))
    if not any(v is names["a"] for v in kids):
        fail(f"after `{program}`, `a` is not in `c._prev`: pass the base as the child of the "
             "result, or backward can never reach it")
    extras = [v for v in kids if v is not names["a"]]
    expect_wrapped(Value, program, extras, [k] if extras else [],  # k may be left out
                   "_prev of a power holds the base, and at most a Value holding k")


def reached(program, out):
    """Identities of every node reachable from `out` through `_prev`, `out` included."""
    seen, todo = set(), [out]
    while todo:
        v = todo.pop()
        if id(v) not in seen:
            seen.add(id(v))
            todo.extend(run(f"{program}; list(node._prev)", list, getattr(v, "_prev", ())))
    return seen


# exp, tanh and relu are usually one node with the operand as its only child, but a tanh built
# from exp (as in the lecture's second version) is just as right: reaching the operand is enough.
@pytest.mark.parametrize("expr", ["a - b", "a - 2", "2 - a", "a / b", "a / 2", "2 / a", "-a",
                                  "a.exp()", "a.tanh()", "a.relu()", "b.relu()"])
def test_derived_operators_reach_operands(expr):
    """-, /, -a, exp, tanh and relu reach their operands through _prev"""
    Value = need("Value")
    program, names, out = build(Value, expr)
    seen = reached(program, out)
    for name, v in names.items():
        if id(v) not in seen:
            fail(f"after `{program}`, `{name}` cannot be reached from c through _prev: the "
                 "result must keep its operands as children (directly, or through the "
                 "operations it is built from), or backward can never reach them")


nonzero = st.one_of(st.floats(0.1, 10.0), st.floats(-10.0, -0.1))
plain = st.one_of(nonzero, st.integers(1, 9), st.integers(-9, -1))


@given(expr=st.sampled_from([f"{x} {s} {y}" for s in BINARY
                             for x, y in (("a", "b"), ("a", "y"), ("y", "a"))]),
       x=nonzero, y=plain)
def test_binary_operators_match_floats(expr, x, y):
    """+, -, * and / give what float arithmetic gives, with Values or numbers on either side"""
    left, sym, right = expr.split()
    data = {"a": x, "b": y} if right == "b" else {"a": x}
    expected = BINARY[sym](y, x) if left == "y" else BINARY[sym](x, y)
    check(need("Value"), expr.replace("y", repr(y)), expected, FLOATS_AGREE, data=data)


@given(expr=st.sampled_from(list(UNARY)), x=st.floats(-20.0, 20.0))
def test_unary_operations_match_floats(expr, x):
    """-a, a.exp(), a.tanh() and a.relu() give what math gives, for |a| <= 20"""
    check(need("Value"), expr, UNARY[expr](x), FLOATS_AGREE, data={"a": x})


@examples(0.3)
@given(k=st.one_of(st.integers(-3, 4), st.floats(-2.5, 2.5)), x=st.floats(0.1, 5.0),
       negative=st.booleans())
def test_powers_match_floats(k, x, negative):
    """a ** k gives what float ** gives (a positive base for a non-integer k)"""
    x = -x if negative and isinstance(k, int) else x
    check(need("Value"), f"a ** {k!r}", x ** k, FLOATS_AGREE, data={"a": x})
