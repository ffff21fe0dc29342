"""What every chunk suite uses: the learner's module, strict numbers, and failures that teach.

The grader's child process imports this module before the learner's file runs, so every name
here is bound to the real standard library: a file that patches `math.isclose` or a builtin
cannot change how it is judged (the runner also restores and reports such patches).

A suite reaches the learner's code only through `need(name)` and calls it through `run(...)`,
so a missing name or an exception in the learner's code becomes a sentence about their file
rather than a traceback of the suite.
"""
import functools
import math
import os
import sys
import types

from drill.grader import learner_errors
from drill.grader.results import EVERY
from drill.grader.submission import learner_frames, line_at, load_submission

_isfinite = math.isfinite
_float = float
_isinstance = isinstance
_issubclass = issubclass
_type = type
_repr = repr
_getattr = getattr

# The learner's module, held in a namespace that stays the same object once the runner fills it,
# so the runner's guard (which compares this module's names by identity) sees no change; the
# program `run` last ran, and whether a failure's cause is being looked for (`_diagnose`).
_current = types.SimpleNamespace(module=None, program="", diagnosing=False)

class Lesson(AssertionError):
    """A failure in the learner's terms: what was done, what was expected, what came, and why;
    with the example's computation graph (a `drill.graph.Graph`) where a picture helps, the
    program that ran (the last one `run` called), `owner`, the chunk the cause belongs to
    when it is not the suite's own (a forward-pass bug met by the backward suite is ops'), and
    `raised_in`, the learner's function whose line raised, when an error of theirs is the cause."""

    def __init__(self, message, graph=None, owner=None, program=None, raised_in=""):
        super().__init__(message)
        self.graph, self.owner, self.raised_in = graph, owner, raised_in
        self.program = _current.program if program is None else program


def fail(message, graph=None, owner=None, program=None, cause=None, frames=()):
    """Stop the test with a message for the learner, the graph to draw under it, the chunk the
    cause belongs to, and the program the message shows (by default the last one run); `cause`
    is the learner's exception, when one is, and `frames` its entries in the learner's file
    (`_frames`). When what the test builds on is what broke, it fails as that chunk's bug
    instead (`relies`)."""
    lesson = Lesson(message, graph, owner, program,
                    frames[-1][0].f_code.co_name if frames else "")
    _diagnose(lesson, cause, frames)
    raise lesson


if os.environ.get("DRILL_SUBMISSION"):
    # A suite run by hand (plain pytest): the profile must be in force before the suites'
    # @given decorators read it. Under the grader the runner loads it the same way.
    from drill.grader.profiles import load_profile
    load_profile(os.environ.get("DRILL_PROFILE", "thorough"))


def use_submission(module):
    """Called by the runner once the learner's file is imported: the module the suites judge."""
    _current.module = module


def submission():
    """The learner's module; outside the grader, the file named by $DRILL_SUBMISSION."""
    if _current.module is None:
        path = os.environ.get("DRILL_SUBMISSION")
        if not path:
            raise RuntimeError("no submission: run suites through `drill check`, "
                               "or set DRILL_SUBMISSION to a file")
        _current.module = load_submission(path)
    return _current.module


def need(name):
    """The learner's top-level `name` (a class or function the contract asks for)."""
    module = submission()
    try:
        return _getattr(module, name)
    except AttributeError:
        fail(f"your file defines no `{name}`: the contract asks for it by that name")


def _frames(exc):
    """The traceback entries of `exc` in the learner's file, outermost first."""
    return learner_frames(exc, submission().__file__)


def _line_of(frame, line):
    """`file:line: code`, the learner's line (in a notebook, `file, cell 4, line 3: code`)."""
    module = submission()
    return line_at(module.__file__, line, module.__source_lines__,
                   _getattr(module, "__source_cells__", None))


def told(exc, frames):
    """What the learner's error `exc` means, in words ("" when it is no known one); `frames`:
    its entries in the learner's file."""
    return learner_errors.meaning(exc, frames, _getattr(submission(), "Value", None),
                                  _line_of).strip()


def run(what, fn, *args, **kwargs):
    """Call learner code; an exception becomes a Lesson naming `what`, the line it came from
    and, for the errors rewrites meet most, what it means.

    `what` is the call as the learner would write it, e.g. "Value(2.0) + 3".
    """
    _current.program = what
    try:
        return fn(*args, **kwargs)
    except Lesson:
        raise
    except NotImplementedError as exc:
        fail(f"`{what}` reached `{exc}`, which is still a blank of the stub: write it")
    except Exception as exc:
        frames = _frames(exc)  # walked once, for every use below
        where, said = _line_of(*frames[-1]) if frames else "", told(exc, frames)
        deep = " (it recursed too deep)" if _isinstance(exc, RecursionError) else ""
        fail(f"`{what}` raised {_type(exc).__name__}{deep}: {exc}"
             + (f"\n  at {where}" if where else "") + (f"\n  {said}" if said else ""),
             cause=exc, frames=frames)


def number(x, what):
    """`x` as a float, failing unless it is a real number (not a Value, bool or complex). Its
    true type decides (not a spoofed `__class__`), and a subclass is read through int's or
    float's own conversion, never one the learner's code wrote."""
    kind = _type(x)
    if _issubclass(kind, _float):
        return _float.__float__(x)
    if _issubclass(kind, int) and not _issubclass(kind, bool):
        return int.__float__(x)
    fail(f"{what} should be a plain number, but it is a {kind.__name__}: {_repr(x)[:80]}")


def close(got, expected, rel=1e-7, abs=1e-9):
    """True when two floats agree to `rel` relative or `abs` absolute tolerance.

    NaN matches nothing and infinities only themselves; written here, not taken from math,
    so that a patched `math.isclose` cannot pass a wrong file.
    """
    if got != got or expected != expected:
        return False
    if not (_isfinite(got) and _isfinite(expected)):
        return got == expected
    diff = got - expected if got >= expected else expected - got
    scale = got if got >= 0 else -got
    other = expected if expected >= 0 else -expected
    if other > scale:
        scale = other
    return diff <= abs or diff <= rel * scale


def fmt(x):
    """A number as a learner would write it: short, but exact enough to see a difference."""
    if _isinstance(x, _float) and _isfinite(x) and x == int(x) and -1e15 < x < 1e15:
        return f"{x:.1f}"
    if _isinstance(x, (int, _float)):
        return f"{x:.6g}"
    return _repr(x)


def expect_close(got, expected, what, why="", rel=1e-7, abs=1e-9):
    """Fail with "`what` came G, expected E: why" unless `got` is close to `expected`."""
    got = number(got, f"`{what}`")
    if not close(got, expected, rel, abs):
        fail(f"`{what}` came {fmt(got)}, expected {fmt(expected)}" + (f": {why}" if why else ""))


def examples(fraction):
    """A settings decorator running `fraction` of the profile's examples (for costly properties)."""
    from hypothesis import settings
    return settings(max_examples=max(5, int(settings.default.max_examples * fraction)))


def given(*strategies, **named):
    """hypothesis' `given`, for a test that fails the same way each time it meets the same
    example. A learner's file may keep state from one call to the next, or walk a set in an order
    that changes between calls; met again, its failing example may pass, and hypothesis would
    then say only that the test is unreliable (FlakyFailure), hiding the lesson. So an example
    that failed fails again with the lesson (or error) it gave."""
    from hypothesis import given as hypothesis_given
    from hypothesis.errors import HypothesisException

    def decorate(test):
        @functools.wraps(test)
        def steady(*args, **kwargs):
            _relied[:] = [None, {}]  # each example relies on what it uses
            key = _example_key(test, args, kwargs)
            try:
                test(*args, **kwargs)
            except HypothesisException:
                raise
            except Exception as failure:
                if key is not None:
                    _failed_on[key] = failure
                raise
            if key in _failed_on:  # the very failure, so hypothesis knows it for the same bug
                raise _failed_on[key]
        return hypothesis_given(*strategies, **named)(steady)
    return decorate


_failed_on = {}  # {(test, its example as text): the Lesson (or error) it failed with}


def _example_key(test, args, kwargs):
    """`test` and its example as text; None for an example drawn inside the test (st.data()),
    which its text does not tell apart."""
    values = list(args) + [v for _, v in sorted(kwargs.items())]
    if any(_type(v).__name__ == "DataObject" for v in values):
        return None
    return test, _repr(values)


def made(strategy, *args, **kwargs):
    """`strategy(*args, **kwargs)`, made once for these arguments and then reused. A composite
    that makes its strategies afresh at every draw spends more on making them than on drawing
    (a third of a random graph's time); reused, they draw the very same examples. Arguments are
    told apart by type too: a list holding the index 2 is not one holding the number 2.0."""
    key = (strategy, _typed(args), _typed(tuple(sorted(kwargs.items()))))
    if key not in _made:
        _made[key] = strategy(*args, **kwargs)
    return _made[key]


def _typed(value):
    if _isinstance(value, (list, tuple)):
        return tuple(map(_typed, value))
    return (_type(value), value)


_made = {}


def new_test():
    """Called by the runner as each test starts: no program has run in it yet, and it relies
    on nothing yet."""
    _current.program = ""
    _relied[:] = [None, {}]


def last_program():
    """The program `run` last ran in this test, for a failure that is not a Lesson."""
    return _current.program


def _has(obj, name):
    """True when `name` is an attribute of `obj` or of its class, without running any code."""
    return name in _getattr(obj, "__dict__", {}) or any(
        name in vars(k) for k in _type(obj).__mro__)


# The names the contract gives a Value's parts: never offered as what a missing one is called.
CONTRACT_NAMES = {"data", "grad", "_prev", "_op", "_backward", "backward", "label"}


def missing(obj, name, who, program="", owner=None):
    """Fail with one sentence: `who.name` does not exist, and what `obj` has instead; a
    `_backward` kept as `.backward` on each node is named as what it also does, hide backward()."""
    import difflib  # only a failure needs it
    after = f"after `{program}`, " if program else ""
    kind = _type(obj).__name__
    if name == "_backward" and callable(_getattr(obj, "__dict__", {}).get("backward")):
        fail(f"{after}`{who}._backward` does not exist: your {kind} keeps its function as "
             "`.backward`, an attribute of each node, which also hides the method backward() "
             "(Python finds a node's own attribute before its class's method): name it "
             "`_backward`, with the underscore", owner=owner, program=program or None)
    names = learner_errors.own_names(obj, CONTRACT_NAMES)
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    has = (f"your {kind} has `{near[0]}`" if near else
           f"your {kind} has {learner_errors.has_list(obj, CONTRACT_NAMES)}")
    fail(f"{after}`{who}.{name}` does not exist: the contract names it `.{name}`; {has}",
         owner=owner, program=program or None)


def read(obj, name, who, program="", owner=None):
    """`who.name` read from the learner's object `obj` through the guarded path: a missing
    attribute is named with what the object has instead; a property that raises is a Lesson.
    `owner` is the chunk a missing one belongs to, when not the suite's own."""
    if not _has(obj, name) and not _has(obj, "__getattr__"):
        missing(obj, name, who, program, owner)
    try:
        return _getattr(obj, name)
    except Lesson:
        raise
    except AttributeError:
        missing(obj, name, who, program, owner)
    except Exception:
        return run(f"{program}; {who}.{name}" if program else f"{who}.{name}", _getattr, obj, name)


def peek(obj, name):
    """`obj.name` for a picture, or None: what a broken node holds must not stop the drawing."""
    try:
        return _getattr(obj, name, None)
    except Exception:
        return None


def call_backward(value, who, program):
    """`who.backward()` on the learner's Value, after making sure that is their method: a file
    that names it otherwise, or hides it behind an attribute set in __init__, is told so."""
    if "backward" in _getattr(value, "__dict__", {}):
        fail(f"after `{program}`, `{who}.backward` is an attribute of the Value itself, set in "
             "__init__ (`self.backward = ...`), which hides the method backward(): name the "
             "function each node stores `_backward`, with the underscore", owner="topo",
             program=program)
    step = read(value, "backward", who, program, owner="topo")
    run(f"{program}; {who}.backward()", step)


class Plain(float):
    """A float with a Value's methods, so the suite can compute what an expression written for
    Values must give: `eval("2 - a", {}, {"a": Plain(1.5)})` is 0.5."""

    def exp(self):
        return Plain(math.exp(self))

    def tanh(self):
        return Plain(math.tanh(self))

    def relu(self):
        return Plain(self if self > 0 else 0.0)


for _name in ("add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "pow", "neg"):
    setattr(Plain, f"__{_name}__", lambda self, *other, _op=_getattr(_float, f"__{_name}__"):
            Plain(_op(self, *other)))



# The lecture's dataset: what train's suite trains your MLP on, and full runs the whole with.
LECTURE_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
LECTURE_YS = [1.0, -1.0, -1.0, 1.0]


def on_its_own(loop, fn, model, *args, **kwargs):
    """`fn(model, *args, **kwargs)`: the learner's own `loop` ("train", "fit") on their own
    model, with nothing lent. What the loop asks of the model and the model lacks is said in
    those words, not as an AttributeError; a `train` that calls `model.zero_grad()` needs a model
    that has one."""
    try:
        return fn(model, *args, **kwargs)
    except AttributeError as exc:
        if _getattr(exc, "obj", None) is not model or not _isinstance(exc.name, str):
            raise
        kind, name = _type(model).__name__, exc.name
        fix = (f"give {kind} a zero_grad() that sets every parameter's grad to 0, or zero them "
               f"in {loop} by hand (`for p in model.parameters(): p.grad = 0.0`)"
               if name == "zero_grad" else
               f"{loop} may use only model(x), model.parameters() and model.zero_grad()")
        called = f"model.{name}" + "()" * (name == "zero_grad")
        fail(f"your {loop} calls {called}, and your {kind} has none: `{_current.program}` "
             f"raised AttributeError there. Run on its own, as you would run it, nothing lends "
             f"it one: {fix}.", owner=EVERY)


class Offered:
    """The learner's own model, with the `zero_grad()` the contract promises train and fit
    even when their MLP has none (nn allows that), so a loop that calls model.zero_grad()
    passes with any legal MLP."""

    def __init__(self, model):
        self.model = model

    def __call__(self, x):
        return self.model(x)

    def parameters(self):
        return self.model.parameters()

    def zero_grad(self):
        own = getattr(self.model, "zero_grad", None)
        if callable(own):
            return own()
        for p in self.parameters():
            p.grad = 0.0


def hint(chunk, index):
    """Hint `index` of `chunk`, read from its chunk.toml only when a failure needs it."""
    import tomllib
    from drill.paths import chunks_dir
    with open(os.path.join(chunks_dir(), chunk, "chunk.toml"), "rb") as f:
        return tomllib.load(f)["hints"][index]


# Whose a failure is, said once for all suites: the forward pass belongs to ops and the local
# derivatives to backward; a suite that builds on them names them so, with their chunk's hint,
# instead of calling it a bug of its own.
OWNERS = {"ops": "the forward pass (Value and its operations)",
          "backward": "a local derivative (a _backward)", "topo": "Value.backward()",
          "nn": "the network (Neuron, Layer, MLP)", "train": "the training loop (train)"}
_checked = {}  # what has been confirmed of the learner's code: {check: None or message}
# What the running test builds on: [the test's code, {key: (check, chunk, owner, hint index)}].
_relied = [None, {}]


def _outcome(key, check, owner):
    """`check()` run once per run: None when it holds, else (message, owner, program)."""
    if key not in _checked:
        try:
            check()
            _checked[key] = None
        except Lesson as lesson:  # the cause may lie deeper still: backward() is topo's
            _checked[key] = (str(lesson), lesson.owner or owner, lesson.program)
    return _checked[key]


def confirmed(key, check, chunk, owner="ops", hint_index=0):
    """Run `check()` once per run; when it fails, fail every test of `chunk` that relies on it
    with its message, as `owner`'s, and `owner`'s hint."""
    found = _outcome(key, check, owner)
    if found is not None:
        _blamed(found, chunk, owner, hint_index)


def _blamed(found, chunk, owner, hint_index):
    message, owner_found, program = found
    if owner_found == chunk:
        fail(message, owner=owner_found, program=program)
    blame(message, chunk, owner_found, hint_index if owner_found == "ops" else 0, program)


def relies(key, check, chunk, owner="ops", hint_index=0):
    """Note that the running test of `chunk` builds on `check()`, a part of `owner`'s chunk.
    Should the test fail, the check runs (once per run) and, when it fails too, the test fails
    with its message as `owner`'s and `owner`'s hint: so a chunk is held up only by what its
    failing test used, never by a part of another chunk that it does not need."""
    test = _running_test()
    if _relied[0] is not test:
        _relied[:] = [test, {}]
    _relied[1].setdefault(key, (check, chunk, owner, hint_index))


def _running_test():
    """The code of the suite's test function running now (the nearest `test_` frame: the
    suites' helpers have other names), or None."""
    frame = sys._getframe(1)
    while frame is not None and not frame.f_code.co_name.startswith("test_"):
        frame = frame.f_back
    return frame and frame.f_code


def _diagnose(lesson, cause, frames):
    """When the running test relies on parts of other chunks (`relies`) and fails by its own
    account, look there first: a part that fails its own check is the cause, said as its
    chunk's. An error that cannot come from the Value (a name unknown, an attribute missing
    outside it) is the test's own."""
    test, relied = _relied
    if not relied or _current.diagnosing or test is not _running_test():
        return
    chunk = next(iter(relied.values()))[1]
    if lesson.owner not in (None, chunk) or \
            (cause is not None and not _about_values(cause, frames)):
        return
    _current.diagnosing = True
    try:
        for key, (check, chunk, owner, hint_index) in list(relied.items()):
            found = _outcome(key, check, owner)
            if found is not None:
                _blamed(found, chunk, owner, hint_index)
    finally:
        _current.diagnosing = False


def _about_values(exc, frames):
    """False for an error raised outside the Value's methods that no operation can cause: a
    name unknown, or an attribute missing from an object of the learner's other than a Value.
    `frames`: its entries in the learner's file."""
    Value = _getattr(submission(), "Value", None)
    if Value is None or (frames and _isinstance(frames[-1][0].f_locals.get("self"), Value)):
        return True
    if _isinstance(exc, NameError):
        return False
    obj = _getattr(exc, "obj", None) if _isinstance(exc, AttributeError) else None
    return not (obj is not None and not _isinstance(obj, Value)
                and _getattr(_type(obj), "__module__", "") == Value.__module__)


def blame(message, chunk, owner, hint_index=0, program=None):
    """Fail with `message` as a bug of `owner` that this test of `chunk` met (the learner reads
    its title above): said so, with `owner`'s hint."""
    fail(f"{message}\n  That is {OWNERS[owner]}, which belongs to {owner}: it holds up this test "
         f"of {chunk}, so mend it first (drill check {owner} tells the same). Hint of {owner}: "
         f"{hint(owner, hint_index)}", owner=owner, program=program)


def _program(leaves, expr):
    return "; ".join([f"{n} = Value({x!r})" for n, x in leaves.items()] + [f"c = {expr}"])


def _built(expr, leaves):
    """(program, {name: Value}, c): `c = expr` on the learner's Values made from `leaves`."""
    Value = need("Value")
    text = _program(leaves, expr)
    values = {n: run(f"Value({x!r})", Value, x) for n, x in leaves.items()}
    out = run(text, eval, expr, {"Value": Value}, dict(values))
    if not _isinstance(out, Value):
        fail(f"`{text}` made `c` a {_type(out).__name__}, not a Value")
    if not _has(out, "_prev"):  # a part named otherwise is ops' to say; the file's walk finds it
        return text, values, out
    prev = read(out, "_prev", "c", text)
    for kid in (list(prev) if _isinstance(prev, (set, frozenset, tuple, list)) else [prev]):
        if not _isinstance(kid, Value):
            fail(f"after `{text}`, `c._prev` holds {_repr(kid)[:40]} (a {_type(kid).__name__}), "
                 "not a Value: each operation passes its operands as the children, "
                 "Value(data, (self, other), op), the second argument")
    return text, values, out


def _plain_eval(expr, leaves):
    return eval(expr, {"Value": Plain}, {n: Plain(x) for n, x in leaves.items()})


def forward_holds(chunk, expr, leaves):
    """Note that the running test of `chunk` builds on `c = expr`, on the learner's Values made
    from `leaves` ({name: number}): a Value with the data float arithmetic gives (`relies`)."""
    def check():
        text, _, out = _built(expr, leaves)
        want = _plain_eval(expr, leaves)
        got = number(read(out, "data", "c", text), f"`c.data` after `{text}`")
        if not close(got, want, 1e-9, 1e-12):
            fail(f"`{text}` gave `c.data == {fmt(got)}`, expected {fmt(_float(want))}")
    reversed_form = expr[:1].isdigit() or "sum(" in expr
    relies(("forward", expr, tuple(leaves.items())), check, chunk, "ops",
           1 if reversed_form else 0)


def gradients_hold(chunk, expr, leaves):
    """Note that the running test of `chunk` builds on `c = expr; c.backward()` leaving in each
    leaf the grad a central difference of the suite's float arithmetic gives (`relies`)."""
    def check():
        text, values, out = _built(expr, leaves)
        call_backward(out, "c", text)
        for name, value in values.items():
            h = 1e-6
            up = _plain_eval(expr, {**leaves, name: leaves[name] + h})
            down = _plain_eval(expr, {**leaves, name: leaves[name] - h})
            want = (up - down) / (2 * h)
            got = number(read(value, "grad", name, text), f"`{name}.grad`")
            if not close(got, want, 1e-5, 1e-7):
                fail(f"`{text}; c.backward()` left `{name}.grad == {fmt(got)}`, expected "
                     f"{fmt(want)}")
    forward_holds(chunk, expr, leaves)
    relies(("gradient", expr, tuple(leaves.items())), check, chunk, "backward")


def constructor_holds(chunk, reads=("data", "grad"), graphs=False):
    """Confirm, before `chunk`'s own checks, that a new Value holds what `chunk` reads of every
    Value (of "data", its number; of "grad", 0). With `graphs` (topo and trace, which build
    their graphs with the constructor), note that the test builds on a node made with children
    keeping them (`relies`): what a chunk does not read, it does not judge."""
    def check():
        Value = need("Value")
        a = run("a = Value(1.0)", Value, 1.0)
        if "data" in reads and number(read(a, "data", "a", "a = Value(1.0)"), "`a.data`") != 1:
            fail("`a = Value(1.0)` does not keep 1.0 as `a.data`")
        if "grad" in reads and number(read(a, "grad", "a", "a = Value(1.0)"), "`a.grad`") != 0:
            fail("`a = Value(1.0)` starts with a non-zero `a.grad`, expected 0")
    if reads:
        confirmed(("constructor", reads), check, chunk, "ops", 2)
    if graphs:
        relies(("children",), children_kept, chunk, "ops", 2)


def node_maker(Value):
    """(make, written): `make(cls, data, children, op)` builds a node of `cls` (the learner's
    `Value`, or a subclass of it) with those children, and `written(data, names, op)` is that
    call as the learner would type it.
    The contract's `Value(data, children, op)`, unless the file's constructor keeps children
    given by the contract's keywords only (a `label` taken second, say): a suite building
    graphs needs children, not their place, which is for ops to judge."""
    if Value not in _makers:
        _makers[Value] = _by_position
        if not _keeps_child(lambda a: Value(2.0, (a,), "op"), Value) and \
                _keeps_child(lambda a: Value(2.0, _children=(a,), _op="op"), Value):
            _makers[Value] = _by_keyword
    return _makers[Value]


def _keeps_child(build, Value):
    """True when `build(a)` makes a node whose `_prev` holds just `a` (or has no `_prev` to ask)."""
    try:
        a = Value(1.0)
        node = build(a)
        if not _has(node, "_prev"):
            return True
        kids = list(_getattr(node, "_prev"))
        return len(kids) == 1 and kids[0] is a
    except Exception:
        return False


def _tuple_text(names):
    return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"


_by_position = (lambda Value, data, kids, op: Value(data, kids, op),
                lambda data, names, op: f"Value({data!r}, {_tuple_text(names)}, {op!r})")
_by_keyword = (lambda Value, data, kids, op: Value(data, _children=kids, _op=op),
               lambda data, names, op: f"Value({data!r}, _children={_tuple_text(names)}, "
                                        f"_op={op!r})")
_makers = {}


def children_kept():
    """A node made with a child, as the suite makes the nodes of its graphs, holds that child
    in `_prev` (when the file has a `_prev`; its own walk, otherwise, says what it finds)."""
    Value = need("Value")
    make, written = node_maker(Value)
    a = run("a = Value(1.0)", Value, 1.0)
    text = f"a = Value(1.0); b = {written(2.0, ['a'], 'op')}"
    b = run(text, make, Value, 2.0, (a,), "op")
    if not _has(b, "_prev"):
        return
    prev = read(b, "_prev", "b", text)
    try:
        kids = list(prev)
    except TypeError:
        kids = None
    if kids is None or len(kids) != 1 or kids[0] is not a:
        fail(f"after `{text}`, `b._prev` is {_repr(prev)[:60]}, expected to hold just `a`: "
             "the second argument is the children, and every graph of this chunk is built so")


def _plain(x):
    return _float(x) if _isinstance(x, (int, _float)) and not _isinstance(x, bool) else None


def graph_of(root, labels=None, expected=None, held=None, ran=None, first=None):
    """The computation graph under the learner's Value `root`, read only through `peek`, so a
    broken node still draws: `labels` and `expected` map `id(node)` to a name and to the grad the
    suite computed for it, `held` to the grad to show instead of its grad now (the one it held
    when its _backward ran). With `ran`, `id(node)` to the steps at which its _backward ran, the
    graph shows the order instead, `first` the node the failure is about. Built only when a
    check has failed."""
    from drill.graph import walk
    held = held or {}

    def operands(v):
        try:
            return list(peek(v, "_prev") or ())
        except Exception:
            return []

    def describe(v):
        op = peek(v, "_op")
        grad = _plain(held[id(v)] if id(v) in held else peek(v, "grad"))
        return (op if _isinstance(op, str) else "", _plain(peek(v, "data")), grad)

    return walk(root, operands, describe, labels, expected,
                lambda got, want: close(got, want, 1e-4, 1e-6), ran, first)


GRAPH_NOTE = "the graph below shows each node's grad and the one it should have; ✗ marks the " \
             "first that differs, from the output down"


def written_call(head, args, options):
    """A call as the learner would write it: `head` ("train(model, xs, ys"), then `args` in
    order and `options` named."""
    return head + "".join(f", {fmt(v)}" for v in args) + \
        "".join(f", {k}={fmt(v)}" for k, v in options.items()) + ")"


# Why backward() met nodes of an earlier call: topo's suite says it, and so do the chunks that
# build on backward().
AFRESH = ("backward() builds its order afresh from its own root on every call: make `topo` and "
          "`visited` inside backward(), not at module level or on the class, where they keep "
          "the nodes of every earlier call.")


def builds_on(chunk, *exprs, gradients=False):
    """`forward_holds` (or, with `gradients`, `gradients_hold`) for each of `exprs`, written on
    `a` (1.5) and `b` (-2.5): what the running test of `chunk` and the usual code of it build on,
    looked at in that order when the test fails, after the constructor; with `gradients`, then
    `backward_runs_afresh`."""
    constructor_holds(chunk)
    for expr in exprs:
        leaves = {n: x for n, x in (("a", 1.5), ("b", -2.5)) if n in expr}
        (gradients_hold if gradients else forward_holds)(chunk, expr, leaves)
    if gradients:
        backward_runs_afresh(chunk)


def backward_runs_afresh(chunk):
    """Note that the running test builds on backward() on a second graph leaving a first one's
    grads alone (`relies`). The lecture
    notebook's `topo` and `visited` at module level run every earlier graph again, which a
    training loop shows as grads that carry over, told as the loop's own bug."""
    def check():
        leaves = {"a": 1.5, "b": -2.5}
        text, values, out = _built("a * b", leaves)
        call_backward(out, "c", text)
        before = {n: number(read(v, "grad", n, text), f"`{n}.grad`") for n, v in values.items()}
        again, _, other = _built("a * b", leaves)
        call_backward(other, "c", again)
        for name, value in values.items():
            got = number(read(value, "grad", name, text), f"`{name}.grad`")
            if got != before[name]:
                fail(f"`{text}; c.backward()`, then the same built again apart and its own "
                     f"`c.backward()`, changed the first graph's `{name}.grad` from "
                     f"{fmt(before[name])} to {fmt(got)}: " + AFRESH,
                     program=f"{text}; c.backward(); {again}; c.backward()")
    relies(("afresh",), check, chunk, "topo")
