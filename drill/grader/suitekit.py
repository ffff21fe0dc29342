"""What every chunk suite uses: the learner's module, strict numbers, and failures that teach.

The grader's child process imports this module before the learner's file runs, so every name
here is bound to the real standard library: a file that patches `math.isclose` or a builtin
cannot change how it is judged (the runner also restores and reports such patches).

A suite reaches the learner's code only through `need(name)` and calls it through `run(...)`,
so a missing name or an exception in the learner's code becomes a sentence about their file
rather than a traceback of the suite.
"""
import math
import os
import types

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.internal.conjecture import engine

from drill.grader.submission import learner_frame, load_submission

_isfinite = math.isfinite
_float = float
_isinstance = isinstance
_issubclass = issubclass
_type = type
_repr = repr
_getattr = getattr

# The learner's module, held in a namespace that stays the same object once the runner fills it,
# so the runner's guard (which compares this module's names by identity) sees no change.
_current = types.SimpleNamespace(module=None)

# max_examples of the two profiles: `quick` grades every save, `thorough` a verdict that is kept.
PROFILES = {"quick": 20, "thorough": 100}

# Seconds hypothesis may spend shrinking a failing test's example. On a save, a nearly minimal
# example now beats a minimal one a second later; the thorough profile (drill check, and `m` in
# watch mode) shrinks as long as hypothesis' own bound allows.
SHRINK_S = {"quick": 0.1, "thorough": engine.MAX_SHRINKING_SECONDS}


# Every phase but `explain`, which re-runs a failing test many times over to annotate which
# parts of the minimal example matter: seconds on a failing file, for a comment learners skip.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]


def load_profile(name, database_dir=None):
    """Make `name` hypothesis' default: no deadline and no health check, so that a slow or busy
    machine never turns a correct file red; failures are kept in `database_dir` and replayed first.
    """
    database = DirectoryBasedExampleDatabase(database_dir) if database_dir else None
    settings.register_profile(name, max_examples=PROFILES[name], deadline=None,
                              suppress_health_check=list(HealthCheck), database=database,
                              phases=PHASES, report_multiple_bugs=False, print_blob=False)
    settings.load_profile(name)
    engine.MAX_SHRINKING_SECONDS = SHRINK_S[name]  # a bound hypothesis documents as ours to set


class Lesson(AssertionError):
    """A failure in the learner's terms: what was done, what was expected, what came, and why;
    with the example's computation graph (a `drill.graph.Graph`) where a picture helps."""

    def __init__(self, message, graph=None):
        super().__init__(message)
        self.graph = graph


def fail(message, graph=None):
    """Stop the test with a message for the learner, and the graph to draw under it."""
    raise Lesson(message, graph)


if os.environ.get("DRILL_SUBMISSION"):
    # A suite run by hand (plain pytest): the profile must be in force before the suites'
    # @given decorators read it. Under the grader the runner loads it the same way.
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


def _where(exc):
    module = submission()
    return learner_frame(exc, module.__file__, module.__source_lines__)


def run(what, fn, *args, **kwargs):
    """Call learner code; an exception becomes a Lesson naming `what` and the line it came from.

    `what` is the call as the learner would write it, e.g. "Value(2.0) + 3".
    """
    try:
        return fn(*args, **kwargs)
    except Lesson:
        raise
    except NotImplementedError as exc:
        fail(f"`{what}` reached `{exc}`, which is still a blank of the stub: write it")
    except RecursionError as exc:
        where = _where(exc)
        fail(f"`{what}` recursed too deep" + (f" at {where}" if where else "")
             + ": does something call itself without end?")
    except Exception as exc:
        where = _where(exc)
        fail(f"`{what}` raised {_type(exc).__name__}: {exc}"
             + (f"\n  at {where}" if where else ""))


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
    return settings(max_examples=max(5, int(settings.default.max_examples * fraction)))
