"""The grader's child process: import the learner's file, run the suites, report every test.

The parent (parent.py) starts `python -I -m drill.grader.child` with its limits and writes a JSON
config to stdin. Reports go back as JSON lines on a pipe of their own, each carrying the run's
token; whatever the learner's code prints goes to stdout, which the parent keeps apart. The
parent decides the verdict from these reports alone, so an early exit, a hang or a fake
"42 passed" can only ever lose tests, never win them.
"""
import json
import os
import signal
import sys
import time

import pytest
from _pytest.reports import TestReport

from drill.grader import suitekit
from drill.grader.collection import suite_args
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


def _alarm(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _on_alarm(signum, frame):
    raise TestTimeout()


def describe(exc, path, lines):
    """A one-paragraph account of an exception: its message, the learner's line, hypothesis' notes."""
    if isinstance(exc, AssertionError) and str(exc):
        text = str(exc)
    elif isinstance(exc, MemoryError):
        text = "MemoryError: your code ran out of the memory a run may use"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = learner_frame(exc, path, lines)
    if where and where not in text:
        text += f"\n  at {where}"
    for note in getattr(exc, "__notes__", ()):
        if not note.startswith(("You can reproduce", "Explanation:", "Unreliable")):
            for old in ("Falsifying example:", "Failing test case:"):
                note = note.replace(old, "Minimal example:", 1)
            text += "\n" + note
    return text[:MAX_MESSAGE]


def status_of(exc):
    if isinstance(exc, TestTimeout):
        return "timeout"
    if isinstance(exc, AssertionError):
        return "fail"
    return "error"


class Collector:
    """A pytest plugin that reports each test as it ends, with the worst outcome of its phases."""

    def __init__(self, report, guard, config):
        self.report, self.guard = report, guard
        self.test_s = config["test_s"]
        self.path = config["file"]
        self.lines = sys.modules["submission"].__source_lines__
        self.outcomes, self.touched, self.lessons, self.outputs = {}, {}, {}, {}

    def pytest_collection_modifyitems(self, items):
        """Plain tests first, properties after: the quick checks are the first news of a save.
        Results are still listed in the suites' own order."""
        self.in_file_order = list(items)
        items.sort(key=lambda item: getattr(item.function, "is_hypothesis_test", False))

    def pytest_collection_finish(self, session):
        tests = []
        for item in self.in_file_order:
            doc = (item.function.__doc__ or "").strip()
            tests.append({"id": item.nodeid, "chunk": item.path.parent.name,
                          "function": item.originalname, "title": doc.splitlines()[0] if doc else ""})
        self.report("collected", tests=tests)

    def pytest_collectreport(self, report):
        if report.failed:
            self.report("collect_error", message=str(report.longrepr)[:MAX_MESSAGE])

    def pytest_runtest_logstart(self, nodeid, location):
        self.outcomes[nodeid] = ("pass", "", time.perf_counter())
        self.lessons.pop(nodeid, None)
        suitekit.new_test()
        self.report("start", id=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        """Time the test, and undo the learner's patches before any other code runs after it."""
        out = sys.stdout = TestOutput(sys.__stdout__)
        _alarm(self.test_s)
        try:
            return (yield)
        finally:
            _alarm(0)
            sys.stdout = sys.__stdout__
            self.outputs[item.nodeid] = out.text()
            self.touched[item.nodeid] = self.guard.restore()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """Record the phase's outcome and answer with a bare report: pytest's own would format a
        long traceback of every failure, which nobody reads here and which cost most of a run."""
        status, message, started = self.outcomes[item.nodeid]
        if call.excinfo is not None and status == "pass":
            exc = call.excinfo.value
            status, message = status_of(exc), describe(exc, self.path, self.lines)
            if isinstance(exc, suitekit.Lesson):
                self.lessons[item.nodeid] = {"graph": exc.graph and exc.graph.to_dict(),
                                            "owner": exc.owner, "program": exc.program}
            elif suitekit.last_program():  # an error outside a guarded call: say what ran
                message = f"{message}\n  while running `{suitekit.last_program()}`"[:MAX_MESSAGE]
                self.lessons[item.nodeid] = {"program": suitekit.last_program()}
            if status == "timeout":
                message = (f"this test did not finish within {self.test_s:g} s: "
                           "does a loop in your code never end?")
        self.outcomes[item.nodeid] = (status, message, started)
        failed = call.excinfo is not None
        return TestReport(item.nodeid, item.location, {}, "failed" if failed else "passed",
                          message if failed else None, call.when, duration=call.duration)

    def pytest_runtest_logfinish(self, nodeid, location):
        status, message, started = self.outcomes[nodeid]
        touched = self.touched.pop(nodeid, []) + self.guard.restore()
        if touched:
            status = "fail"
            message = f"your code changed {', '.join(touched)}, which the judge relies on; " \
                      "a micrograd file never needs to"
        lesson = {} if touched else self.lessons.pop(nodeid, {})
        self.report("result", id=nodeid, status=status, message=message,
                    duration_s=time.perf_counter() - started, output=self.outputs.pop(nodeid, ""),
                    **lesson)


def main():
    """`python -I -m drill.grader.child`: a cold child, or one started ahead of need (the config waits
    on stdin until a save comes)."""
    from drill.grader.sandbox import enter_namespaces
    enter_namespaces()
    config = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)
    grade_here(config)


def grade_here(config, warm=None):
    """Grade the file `config` names in this process, report every test, and exit. Runs in a
    fresh child: a cold one, or one forked by the warm grader (warm.py) for each save, already
    in its namespaces, with the suites already collected (`warm`, a WarmSession) if it could;
    it shuts itself in (sandbox.py) before the learner's file is read."""
    from drill.grader import sandbox
    sandbox.set_limits(config["memory_bytes"], config["cpu_s"])
    sandbox.landlock(config["writable"], config["hidden"], config["suite_folders"])
    os.chdir(config["workdir"])
    report = Reporter(config["results_fd"], config["token"])
    sys.dont_write_bytecode = True
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    signal.signal(signal.SIGALRM, _on_alarm)

    from drill.grader.guard import Guard
    suitekit.load_profile(config["profile"], config["database"])
    guard = Guard()
    report("importing")
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
    task = import_module(f"drill.tasks.{config['task']}")
    module = sys.modules["submission"]
    _alarm(config["test_s"])
    try:
        task.run(module, config["args"], lambda **data: report("task", data=data))
    except TestTimeout:
        report("task_error", message=f"this did not finish within {config['test_s']:g} s: "
                                     "does a loop in your code never end?")
    except BaseException as exc:
        report("task_error", message=describe(exc, config["file"], module.__source_lines__))
    finally:
        _alarm(0)
    touched = guard.restore()
    if touched:
        report("task_error", message=f"your code changed {', '.join(touched)}, which drill "
                                     "relies on; a micrograd file never needs to")


def import_submission(config, report):
    """Import the file within the import time limit; report why not and return False on failure."""
    path = config["file"]
    _alarm(config["import_s"])
    try:
        load_submission(path, config["source"])
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
                                       f"{describe(exc, path, lines)}",
               where=learner_frame(exc, path, lines))
    finally:
        _alarm(0)
    return False


if __name__ == "__main__":
    main()
