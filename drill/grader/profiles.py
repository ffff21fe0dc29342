"""How hypothesis draws in a grading: the two profiles, the example database of the run in
progress, and the numbers it draws from.

A grading child imports this module, and hypothesis with it, before the learner's file is read;
the warm grader imports it once for every child it forks. A task's child (drill graph, trace's
picture, moons, digits) draws nothing and never imports it: it starts without hypothesis or pytest.
"""
import sys

from hypothesis import HealthCheck, Phase, core, settings
from hypothesis.database import ExampleDatabase
from hypothesis.internal.conjecture import engine, providers

from drill.grader.reports import MAX_KEYS, MAX_VALUE, MAX_VALUES

# max_examples of the two profiles: `quick` grades every save, `thorough` a verdict that is kept.
PROFILES = {"quick": 10, "thorough": 100}

# Seconds hypothesis may spend shrinking a failing test's example. On a save, a nearly minimal
# example now beats a minimal one a second later; the thorough profile (drill check, and `m` in
# watch mode) shrinks as long as hypothesis' own bound allows.
SHRINK_S = {"quick": 0.1, "thorough": engine.MAX_SHRINKING_SECONDS}


# Every phase but `explain`, which re-runs a failing test many times over to annotate which
# parts of the minimal example matter: seconds on a failing file, for a comment learners skip.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]


class RunExamples(ExampleDatabase):
    """The example database of the run in progress, in its memory: lent by drill at the start
    (the run's config), and what each test leaves for its keys sent back with its report
    (`left`), for drill to check and keep (grader.examples). No child writes drill's examples.
    Hypothesis binds a test's settings, database included, when its suite is imported (by the
    warm grader, once, before any run), so the examples are set for each run instead."""

    def __init__(self):
        super().__init__()
        self.kept, self.touched = {}, set()

    def use(self, lent):
        """Start from `lent`, {key: [value, ...]} in hex."""
        self.kept = {bytes.fromhex(k): {bytes.fromhex(v) for v in vs} for k, vs in lent.items()}
        self.touched = set()

    def save(self, key, value):
        self.kept.setdefault(key, set()).add(value)
        self.touched.add(key)

    def fetch(self, key):
        yield from sorted(self.kept.get(key, ()), key=lambda v: (len(v), v))

    def delete(self, key, value):
        self.kept.get(key, set()).discard(value)
        self.touched.add(key)

    def left(self, keys=MAX_KEYS, values=MAX_VALUES, size=MAX_VALUE):
        """{key: [value, ...]} in hex, the shortest first, of the keys saved to or deleted
        from since the last call, within the bounds drill keeps (grader.reports)."""
        found = {key.hex(): [v.hex() for v in self.fetch(key) if len(v) <= size][:values]
                 for key in sorted(self.touched)[:keys]}
        self.touched = set()
        return found


_examples = RunExamples()


def examples_left():
    """What the test that just ended left in the example database (RunExamples.left)."""
    return _examples.left()


def load_profile(name, examples=None):
    """Make `name` hypothesis' default: no deadline and no health check, so that a slow or busy
    machine never turns a correct file red; failing examples are kept (`examples`, lent by
    drill: RunExamples) and replayed first.
    """
    _examples.use(examples or {})
    settings.register_profile(name, max_examples=PROFILES[name], deadline=None,
                              suppress_health_check=list(HealthCheck), database=_examples,
                              phases=PHASES, report_multiple_bugs=False, print_blob=False)
    settings.load_profile(name)
    engine.MAX_SHRINKING_SECONDS = SHRINK_S[name]  # a bound hypothesis documents as ours to set


def constants_from_the_learner_alone():
    """Hypothesis now and then draws a number written in the source of a "local" module (one
    neither in the standard library nor installed in site-packages), and reads every such module
    it has not yet seen at its first draw: drill's own, installed editable, are 287 constants
    and 0.12 s of a cold child, paid again by every child the warm grader forks. Marked as seen
    once they are all imported, before the learner's file, they are skipped: the numbers drawn
    from come from the learner's file alone, however drill is installed. Where hypothesis keeps
    these names no longer, it reads every module as before."""
    if hasattr(providers, "_seen_modules") and hasattr(providers, "_sys_modules_len"):
        providers._seen_modules.update(map(id, sys.modules.values()))
        providers._sys_modules_len = len(sys.modules)


def draw_afresh():
    """Seed hypothesis' source of seeds afresh. Hypothesis makes it on its first use in a process
    and seeds each property's run from it; the warm grader's children are forked from a server
    that has used it, so without this every save would be tried on the same examples. (The
    `seed` decorator would do it per test, but it turns the example database off.)"""
    source = getattr(getattr(core, "threadlocal", None), "_hypothesis_global_random", None)
    if source is not None:
        source.seed()
