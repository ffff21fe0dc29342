"""The grader's child process: import the learner's file, run the suites, report every test.

The parent (parent.py) starts `python -I -m drill.grader.child` with its limits and writes a JSON
config to stdin, one line; then the numbers of the tests to run, as the child is ready for them
(parent.TestQueue). Reports go back as JSON lines on a pipe of their own, each carrying the run's
token; whatever the learner's code prints goes to stdout, which the parent keeps apart. The
parent decides the verdict from these reports alone, so an early exit, a hang or a fake
"42 passed" can only ever lose tests, never win them.
"""
import json
import os
import signal
import sys
import time
import warnings

import pytest

from drill.grader import suitekit
from drill.grader.collection import drawn_only, suite_args
from drill.grader.submission import learner_frame, load_submission

BLOCKED_IMPORTS = ("drill._data", "reference", "micrograd")
MAX_MESSAGE = 2500  # characters: an ASCII report line stays under PIPE_BUF (4 KiB) and so is
#                    written whole, even if a forked learner process writes to the pipe too
MAX_TEST_OUTPUT = 500  # characters of what the learner's code printed during one test, as
#                        Exercism's runner keeps; the rest is still in the run's whole output


class TestTimeout(BaseException):
    """Raised by the alarm inside a test that runs too long; hypothesis lets it through."""


class Reporter:
    """Writes one JSON line per event to the results pipe, tagged with the run's token."""

    def __init__(self, fd, token):
        self._fd, self._token, self._write, self._dumps = fd, token, os.write, json.dumps

    def __call__(self, event, **data):
        line = self._dumps({"token": self._token, "event": event, **data}) + "\n"
        self._write(self._fd, line.encode())


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


class ImportBlocker:
    """A meta path finder refusing the project's reference, so a file cannot just import it."""

    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED_IMPORTS):
            raise ImportError(f"a drill submission may not import {name}: write it yourself")
        return None


def lines(fd, read=os.read):
    """The lines written to `fd`, read no further than each one needs, until its pipe closes: a
    cold child's config, then the numbers of the tests the parent hands it (its claims)."""
    pending = b""
    while True:
        while b"\n" not in pending:
            data = read(fd, 1 << 16)
            if not data:
                return
            pending += data
        line, pending = pending.split(b"\n", 1)
        yield line


def _alarm(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _timed(seconds, fn, *args, **kwargs):
    """fn(*args, **kwargs), stopped by TestTimeout after `seconds`; the alarm is off again
    before any handler of the caller's runs (one that fired while a handler told a failure,
    on a busy machine, escaped it and ended the child with a traceback)."""
    _alarm(seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        _alarm(0)


def _on_alarm(signum, frame):
    raise TestTimeout()


def describe(exc, path, lines, cells=None):
    """A one-paragraph account of an exception: its message, the learner's line (in a notebook,
    its cell and line: `cells` is its line map), hypothesis' notes."""
    if isinstance(exc, AssertionError) and str(exc):
        text = str(exc)
    elif isinstance(exc, MemoryError):
        text = "MemoryError: your code ran out of the memory a run may use"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = learner_frame(exc, path, lines, cells)
    if where and where not in text:
        text += f"\n  at {where}"
    for note in getattr(exc, "__notes__", ()):
        if not note.startswith(("You can reproduce", "Explanation:", "Unreliable")):
            for old in ("Falsifying example:", "Failing test case:"):
                note = note.replace(old, "Minimal example:", 1)
            text += "\n" + note
    return text[:MAX_MESSAGE]


def draw_afresh():
    """Seed hypothesis' source of seeds afresh. Hypothesis makes it on its first use in a process
    and seeds each property's run from it; the warm grader's children are forked from a server
    that has used it, so without this every save would be tried on the same examples. (The
    `seed` decorator would do it per test, but it turns the example database off.)"""
    from hypothesis import core
    source = getattr(getattr(core, "threadlocal", None), "_hypothesis_global_random", None)
    if source is not None:
        source.seed()


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
        self.draws = config.get("draws") or ()
        self.lines = sys.modules["submission"].__source_lines__

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
            _alarm(self.test_s)
            try:
                item.runtest()
            finally:  # within the try: an alarm due as the test returns is still its timeout
                _alarm(0)
        except BaseException as exc:  # a timeout, sys.exit() or KeyboardInterrupt fail the test
            failure = exc
        sys.stdout = sys.__stdout__
        try:
            setup.teardown_exact(*likely_next)
        except BaseException as exc:
            failure = failure or exc
        touched = self.guard.restore()
        left = suitekit.examples_left()
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


def main():
    """`python -I -m drill.grader.child`: a cold child, or one started ahead of need (the config waits
    on stdin until a save comes)."""
    from drill.grader.cgroup import join
    from drill.grader.sandbox import enter_namespaces
    config = json.loads(next(lines(0), b""))  # nothing follows until the child has collected
    join(config["cgroup"])  # every runner, cold or started ahead, joins the run's group here
    enter_namespaces()
    config["claims_fd"] = os.dup(0)  # the claims follow the config; the learner's stdin is empty
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull)
    grade_here(config)


def grade_here(config, warm=None):
    """Grade the file `config` names in this process, report every test, and exit. Runs in a
    fresh child: a cold one, or one forked by the warm grader (warm.py) for each save, already
    in its namespaces, with the suites already collected (`warm`, a WarmSession) if it could;
    it shuts itself in (sandbox.py) before the learner's file is read."""
    from drill.grader import sandbox
    sandbox.set_limits(config["memory_bytes"], config["cpu_s"])
    sandbox.private_folder(config["workdir"])  # before Landlock, which forbids mounting
    sandbox.landlock(config["writable"], config["hidden"], config["suite_folders"])
    sandbox.filter_calls()
    os.chdir(config["workdir"])
    os.environ["HOME"] = os.environ["TMPDIR"] = config["workdir"]
    report = Reporter(config["results_fd"], config["token"])
    sys.dont_write_bytecode = True
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    signal.signal(signal.SIGALRM, _on_alarm)

    from drill.grader.guard import Guard
    suitekit.load_profile(config["profile"], config["examples"])
    draw_afresh()
    guard = Guard()
    report("importing")
    suitekit.constants_from_the_learner_alone()
    sys.meta_path.insert(0, ImportBlocker())
    if not import_submission(config, report):
        os._exit(0)
    touched = guard.restore()
    if touched:
        report("import_error", message=f"your file changes {', '.join(touched)}, which the judge "
                                       "relies on; a micrograd file never needs to")
        os._exit(0)
    report("imported")
    suitekit.use_submission(sys.modules["submission"])
    if config.get("task"):
        run_task_here(config, report, guard)
        report("done")
        os._exit(0)
    collector = Collector(report, guard, config)
    if warm is not None:
        warm.run(config["suites"], collector)
    else:
        # pytest walks from its rootdir down to each suite, listing every folder on the way: the
        # chunks' own folder keeps that short (suite_args); nothing is read above it (confcutdir).
        pytest.main([*suite_args(config["suites"]), "-s"], plugins=[collector])
    report("done")
    os._exit(0)


def run_task_here(config, report, guard):
    """Run the task `drill.tasks.<name>` on the imported file: `run(module, args, emit)`, where
    each `emit(**data)` is one event for the parent. The task may run as long as a whole run."""
    from importlib import import_module

    from drill.tasks import listen
    task = import_module(f"drill.tasks.{config['task']}")
    listen(config["claims_fd"])
    module = sys.modules["submission"]
    try:
        _timed(config["test_s"], task.run, module, config["args"],
               lambda **data: report("task", data=data))
    except TestTimeout:
        report("task_error", message=f"this did not finish within {config['test_s']:g} s: "
                                     "does a loop in your code never end?")
    except BaseException as exc:
        report("task_error", message=describe(exc, config["file"], module.__source_lines__,
                                              config.get("cells")))
    touched = guard.restore()
    if touched:
        report("task_error", message=f"your code changed {', '.join(touched)}, which drill "
                                     "relies on; a micrograd file never needs to")


def import_submission(config, report):
    """Import the file within the import time limit; report why not and return False on failure."""
    path, cells = config["file"], config.get("cells")
    try:
        _timed(config["import_s"], load_submission, path, config["source"], cells=cells)
        return True
    except TestTimeout:
        report("import_error", message=f"your file did not finish loading within "
                                       f"{config['import_s']:g} s: does code at the top level "
                                       "loop without end?")
    except SystemExit as exc:
        report("import_error", message=f"your file called sys.exit({exc.code!r}) while loading")
    except BaseException as exc:
        lines = getattr(sys.modules.get("submission"), "__source_lines__", [])
        report("import_error", message=f"your file failed while loading: "
                                       f"{describe(exc, path, lines, cells)}",
               where=learner_frame(exc, path, lines, cells))
    return False


if __name__ == "__main__":
    main()
