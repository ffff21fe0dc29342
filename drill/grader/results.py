"""The verdict that leaves the grader: one result per test, and the whole grading.

These are what the rest of drill (attempts, the store, rendering, `--json`) reads of a grading;
nothing here knows how the child was run.
"""
from dataclasses import asdict, dataclass, field

PASS, FAIL, ERROR, TIMEOUT = "pass", "fail", "error", "timeout"


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
        output) beside drill's own."""
        return {**asdict(self), "task_id": self.chunk}


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
        return next((t for t in self.tests if t.status != PASS), None)

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
