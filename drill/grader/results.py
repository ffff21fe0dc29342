"""The verdict that leaves the grader: one result per test, and the whole grading.

These are what the rest of drill (attempts, the store, rendering, `--json`) reads of a grading;
nothing here knows how the child was run. Their text came from the child, escaped where it
entered drill; a result read back from the store is escaped again (`from_dict`), so a database
written by an older drill replays no escape sequence either.
"""
import json
from dataclasses import dataclass, field, fields, replace

from drill.grader.escape import escape

PASS, FAIL, ERROR, TIMEOUT = "pass", "fail", "error", "timeout"
# How the message of a test the child never finished begins: the run's fate, not the test's.
NOT_RUN, NOT_FINISHED = "not run: ", "not finished: "


@dataclass
class TestResult:
    name: str
    status: str
    message: str = ""
    duration_s: float = 0.0
    chunk: str = ""
    title: str = ""
    graph: dict = None  # the failing example's computation graph (drill.graph), if it has one
    owner: str = ""  # the chunk a failure's cause belongs to, when it is not this test's own
    test_code: str = ""  # the program that failed, or for a pass the test's own source
    output: str = ""  # what the learner's code printed during this test, cut to a bound

    def to_dict(self):
        """The --json form: Exercism's test-runner fields where they fit (task_id, test_code,
        output) beside drill's own. Its fields as they are, not copied deep (`asdict`): each
        result is written out once, and full's 252 took 19 ms of a verdict to copy."""
        return {**vars(self), "task_id": self.chunk}

    @classmethod
    def from_dict(cls, data):
        """A result as `to_dict` wrote it (the store's), every string escaped again and every
        field of another type left at its default."""
        kept = {}
        for f in fields(cls):
            value = data.get(f.name)
            if f.name == "graph":
                kept["graph"] = _graph(value)
            elif type(value) is str:
                kept[f.name] = escape(value)
            elif f.name == "duration_s" and type(value) in (int, float):
                kept[f.name] = float(value)
        return cls(**{"name": "", "status": ERROR, **kept})


def stopped_short(test):
    """Whether the run never finished `test`: its result is charged to the run, not to it."""
    return test.message.startswith((NOT_RUN, NOT_FINISHED))


@dataclass
class GradeResult:
    chunk: str
    file: str
    profile: str
    tests: list = field(default_factory=list)
    duration_s: float = 0.0
    problem: str = ""
    output: str = ""
    notes: str = ""  # what drill says once of how it read the file (a notebook's left-out cells)

    @property
    def passed(self):
        return not self.problem and bool(self.tests) and all(t.status == PASS for t in self.tests)

    def chunk_verdicts(self):
        """{chunk: passed} for each suite that graded the file (full's splits)."""
        verdicts = {}
        for t in self.tests:
            verdicts[t.chunk] = verdicts.get(t.chunk, True) and t.status == PASS
        return verdicts

    def waiting_on(self):
        """{chunk: the chunk it waits on} for each chunk whose every failure waits on another."""
        waits = {}
        for t in self.tests:
            if t.status != PASS:
                on = t.owner if t.message.startswith(f"waits on {t.owner}") else None
                waits[t.chunk] = on if waits.get(t.chunk, on) == on else None
        return {chunk: on for chunk, on in waits.items() if on}

    def first_failure(self):
        """The first test that failed on its own, else the first charged to a run that
        stopped short: a real failure, found before a loop stopped the run, still teaches."""
        failures = [t for t in self.tests if t.status != PASS]
        return next((t for t in failures if not stopped_short(t)),
                    failures[0] if failures else None)

    def stopped_short(self):
        """The tests the run never finished."""
        return [t for t in self.tests if stopped_short(t)]

    def hung(self):
        """The first test stopped for running too long (in the suites' order), or None."""
        return next((t for t in self.tests if t.status == TIMEOUT), None)

    @classmethod
    def from_dict(cls, data):
        """A grading as `to_dict` wrote it (the store's), read as from_dict reads each test."""
        text = lambda key: escape(data.get(key))
        tests = data.get("tests") if type(data.get("tests")) is list else []
        duration = data.get("duration_s")
        return cls(text("chunk"), text("file"), text("profile"),
                   [TestResult.from_dict(t) for t in tests if type(t) is dict],
                   float(duration) if type(duration) in (int, float) else 0.0, text("problem"),
                   text("output"), text("notes"))

    def to_dict(self):
        return {"version": 1, "chunk": self.chunk, "passed": self.passed,
                "tests": [t.to_dict() for t in self.tests], "duration_s": self.duration_s,
                "file": self.file, "profile": self.profile, "problem": self.problem,
                "chunks": self.chunk_verdicts(), "output": self.output,
                "notes": self.notes}


# The owner a failure names when it builds on every chunk graded alongside (full's "on its
# own": the whole file run as it stands): it waits on the first of them that fails, and is its
# own when none does.
EVERY = "*"


# Bytes of JSON a grading keeps (--json prints the same). The largest honest one, an empty file
# graded on full with the thorough profile, is about 195 kB; a child that fills every report to
# its bounds would store megabytes (tests/test_sandbox.py tries both).
STORED = 256 * 1024
OUTPUT = 80 * 1024  # characters of what the file printed (64 KiB, parent.Limits) once escaped,
#                    which can make it four times as long
BRIEF = 200  # characters of a message once the budget is spent: its first line


def capped(result):
    """`result` within STORED bytes of JSON: what the file printed cut to OUTPUT characters, and
    each test's detail kept, in order, while the room left beside every test's brief form
    (its status and the first line of its message) lasts."""
    if len(result.output) > OUTPUT:
        result.output = result.output[:OUTPUT] + \
            f"\n[... {len(result.output) - OUTPUT} more characters not kept]"
    if len(json.dumps(result.to_dict())) <= STORED:  # every honest grading
        return result
    sizes = [len(json.dumps(t.to_dict())) for t in result.tests]
    briefs = [_brief(t) for t in result.tests]
    room = STORED - len(json.dumps({**result.to_dict(), "tests": []})) - \
        sum(len(json.dumps(b.to_dict())) + len(", ") for b in briefs)
    for n, (test, size, brief) in enumerate(zip(result.tests, sizes, briefs)):
        more = size - len(json.dumps(brief.to_dict()))
        if more > room:
            result.tests[n] = brief
        else:
            room -= more
    return result


def _brief(test):
    """`test` with its status and the first line of its message, no more."""
    return replace(test, message=test.message.split("\n")[0][:BRIEF], test_code="", output="",
                   graph=None)


def _graph(value):
    """A stored graph read back through drill.graph, which keeps only its own fields' types;
    its strings escaped."""
    from drill.graph import Graph
    if type(value) is not dict:
        return None
    try:
        graph = Graph.from_dict(value)
    except (TypeError, ValueError, AttributeError, OverflowError):
        return None
    for node in graph.nodes:
        node.label, node.op = escape(node.label), escape(node.op)
    return graph.to_dict()


def waiting(tests):
    """`tests` with each failure whose cause belongs to another chunk graded alongside, and
    failing there too, told to wait on it: in `full` a bug is reported once, under its own chunk."""
    failing = [t.chunk for t in tests if t.status != PASS and t.owner in ("", t.chunk)]
    for t in tests:
        if t.owner == EVERY:
            t.owner = next((chunk for chunk in failing if chunk != t.chunk), "")
    for t in tests:
        if t.owner and t.owner != t.chunk and t.owner in failing:
            t.message = (f"waits on {t.owner}: the {t.owner} split fails first, and this test "
                         f"builds on it (mend {t.owner}, then this one runs for real)")
            t.graph = None
    return tests
