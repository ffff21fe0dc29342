"""The pytest plugin a grading child runs the suites with: it collects them, lists their tests
to drill, and runs and reports each test itself as drill hands it out (parent.TestQueue).

Only a child that grades imports this module, and pytest with it, before the learner's file is
read; a task's child (child.run_task_here) runs without pytest.
"""
import sys
import time
import warnings

import pytest

from drill.grader import suitekit
from drill.grader.childkit import MAX_MESSAGE, TestTimeout, alarm, describe, lines
from drill.grader.collection import drawn_only, suite_args
from drill.grader.profiles import examples_left

MAX_TEST_OUTPUT = 500  # characters of what the learner's code printed during one test, as
#                        Exercism's runner keeps; the rest is still in the run's whole output


class TestOutput:
    """sys.stdout during a test: writes go on to the real stream, and the first MAX_TEST_OUTPUT
    characters are kept for the test's own report, with a note of how many more there were."""

    def __init__(self, stream):
        self.stream, self.kept, self.more = stream, "", 0

    def write(self, text):
        text = str(text)
        room = MAX_TEST_OUTPUT - len(self.kept)
        self.kept += text[:max(room, 0)]
        self.more += max(len(text) - max(room, 0), 0)
        return self.stream.write(text)

    def text(self):
        return self.kept + (f"\n[cut: {self.more} more characters]" if self.more else "")

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _is_property(item):
    return getattr(item.function, "is_hypothesis_test", False)


def parameters_of(item):
    """The test's arguments when they are all its own parameters (pytest.mark.parametrize), or
    None, when pytest must set up a fixture for it. pytest serves each parameter as a fixture of
    its own: 0.2 ms a test on a 2-core machine, a tenth of full's grading, for what these
    values already are."""
    from _pytest.python import DirectParamFixtureDef
    params = getattr(getattr(item, "callspec", None), "params", {})
    fixtures = item._fixtureinfo.name2fixturedefs
    if all(name in params and fixtures.get(name) and
           isinstance(fixtures[name][-1], DirectParamFixtureDef) for name in item.fixturenames):
        return {name: params[name] for name in item.fixturenames}
    return None


def status_of(exc):
    if isinstance(exc, TestTimeout):
        return "timeout"
    if isinstance(exc, AssertionError):
        return "fail"
    return "error"


class Collector:
    """A pytest plugin that runs the collected tests itself and reports each one as it ends.

    pytest's own runtest protocol (three phases, each with its hooks, a report and the plugins'
    wrappers) cost about 0.5 ms a test on a 2-core machine, twice what drill's own checks around a
    test cost, and ops has 115 parametrised cases; the suites use nothing of it but the setup of
    their parameters, which `SetupState` still does."""

    def __init__(self, report, guard, config):
        self.report, self.guard = report, guard
        self.test_s, self.claims_fd = config["test_s"], config["claims_fd"]
        self.path, self.cells = config["file"], config.get("cells")
        self.draws, self.suites = config.get("draws") or (), config["suites"]
        self.lines = sys.modules["submission"].__source_lines__

    def run(self, warm=None):
        """Collect and run the run's suites: on the session the warm grader collected (`warm`,
        a WarmSession), else with pytest's own. pytest walks from its rootdir down to each
        suite, listing every folder on the way: the chunks' own folder keeps that short
        (suite_args); nothing is read above it (confcutdir)."""
        if warm is not None:
            warm.run(self.suites, self)
        else:
            pytest.main([*suite_args(self.suites), "-s"], plugins=[self])

    def pytest_collection_modifyitems(self, items):
        """Plain tests first, properties after: the quick checks are the first news of a save.
        The tests are listed to the parent in this order, and named by their number in it;
        the verdict still lists them in the suites' own order. Only the tests of the draws
        graded run (extend's operation)."""
        kept = set(drawn_only([item.nodeid for item in items], self.draws))
        items[:] = [item for item in items if item.nodeid in kept]
        items.sort(key=_is_property)
        self.items = list(items)

    def pytest_collection_finish(self, session):
        tests = []
        for item in self.items:
            doc = (item.function.__doc__ or "").strip()
            tests.append({"id": item.nodeid, "chunk": item.path.parent.name,
                          "function": item.originalname, "title": doc.splitlines()[0] if doc else ""})
        self.report("collected", tests=tests,
                    plain=sum(1 for item in self.items if not _is_property(item)))

    def pytest_collectreport(self, report):
        if report.failed:
            self.report("collect_error", message=str(report.longrepr)[:MAX_MESSAGE])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        if session.testsfailed:  # a suite did not import (collect_error said so): run nothing
            return True
        items = session.items
        with warnings.catch_warnings():  # pytest's protocol kept them from the learner's output
            warnings.simplefilter("ignore")
            for index in map(int, lines(self.claims_fd)):
                if 0 <= index < len(items):  # a number past this child's tests is no one's
                    self.run_test(items[index], items[index + 1:index + 2] or [None],
                                  session._setupstate)
        return True

    def run_test(self, item, likely_next, setup):
        """Run one test, timed, with what it prints kept, and report it. The learner's patches
        are undone (and fail the test) before any code of drill's runs after it: only pytest's
        teardown of the test's parameters comes between. That teardown keeps what the test in
        `likely_next` shares with it (its module); the next test, if it has another, ends it."""
        started, failure = time.perf_counter(), None
        suitekit.new_test()
        out = TestOutput(sys.__stdout__)
        try:
            setup.teardown_exact(item)  # the last test's module, if it was another
            arguments = parameters_of(item)
            if arguments is None:
                setup.setup(item)
            else:
                item.funcargs.update(arguments)
            sys.stdout = out
            alarm(self.test_s)
            try:
                item.runtest()
            finally:  # within the try: an alarm due as the test returns is still its timeout
                alarm(0)
        except BaseException as exc:  # a timeout, sys.exit() or KeyboardInterrupt fail the test
            failure = exc
        sys.stdout = sys.__stdout__
        try:
            setup.teardown_exact(*likely_next)
        except BaseException as exc:
            failure = failure or exc
        touched = self.guard.restore()
        left = examples_left()
        self.report("result", id=item.nodeid, duration_s=time.perf_counter() - started,
                    output=out.text(), **self.outcome(failure, touched),
                    **({"examples": left} if left else {}))

    def outcome(self, failure, touched):
        """status, message and, for a failure that teaches, its lesson (graph, owner, program)."""
        if touched:
            return {"status": "fail",
                    "message": (f"your code changed {', '.join(touched)}, which the judge "
                                "relies on; a micrograd file never needs to")[:MAX_MESSAGE]}
        if failure is None:
            return {"status": "pass", "message": ""}
        status, lesson = status_of(failure), {}
        message = describe(failure, self.path, self.lines, self.cells)
        if isinstance(failure, suitekit.Lesson):
            lesson = {"graph": failure.graph and failure.graph.to_dict(), "owner": failure.owner,
                      "program": failure.program and str(failure.program)[:MAX_MESSAGE]}
        elif suitekit.last_program():  # an error outside a guarded call: say what ran
            message = f"{message}\n  while running `{suitekit.last_program()}`"[:MAX_MESSAGE]
            lesson = {"program": suitekit.last_program()[:MAX_MESSAGE]}
        if status == "timeout":
            message = (f"this test did not finish within {self.test_s:g} s: "
                       "does a loop in your code never end?")
        return {"status": status, "message": message, **lesson}
