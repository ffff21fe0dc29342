"""Grade a learner's file against a chunk's suites, in a child process the grader does not trust.

The child (child.py) runs with a memory limit, in its own session, with a time limit per test
and for the whole run. The verdict is built here from the per-test reports the child sends on a
pipe of its own: the child's exit status and printed text are never read as results. A test the
child never reported, because it exited, hung, crashed or was killed, counts as not passed, with
the reason. The tests expected are read from the suite files themselves, so a run that loses
tests cannot pass.
"""
import ast
import json
import os
import resource
import secrets
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from drill.errors import DrillError
from drill.grader.results import ERROR, FAIL, PASS, TIMEOUT, GradeResult, TestResult, waiting
from drill.paths import home

FORBIDDEN_IMPORTS = {"drill", "reference", "micrograd"}


@dataclass(frozen=True)
class Limits:
    """How far a learner's file may go. The run limit bounds everything: a hostile file ends
    as a failure after at most `run_s` plus a second of clean-up."""
    run_s: float = 30.0
    test_s: float = 10.0
    import_s: float = 10.0
    memory_bytes: int = 2 * 1024 ** 3
    output_bytes: int = 64 * 1024


def expected_tests(suite_files):
    """{(chunk, function name): its source} of every top-level `test_*` function, in file order:
    the source is a passing test's `test_code` in --json."""
    found = {}
    for path in suite_files:
        text = Path(path).read_text(encoding="utf-8")
        found.update({(Path(path).parent.name, node.name): ast.get_source_segment(text, node)
                      for node in ast.parse(text).body
                      if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")})
    return found


def not_run(expected, reason):
    """An error result for each expected (chunk, function) that never ran, saying why."""
    return [TestResult(f"{chunk}::{function}", ERROR, "not run: " + reason.split("\n")[0],
                       chunk=chunk) for chunk, function in expected]


def graph_of(event):
    """The graph a report carries, as a dict the parent has checked, or None."""
    from drill.graph import Graph
    graph = event.get("graph")
    if not isinstance(graph, dict):
        return None
    try:
        return Graph.from_dict(graph).to_dict()
    except (TypeError, ValueError, AttributeError):
        return None


def source_of(path):
    """(the file's text, "") or ("", why it is not Python text): a learner's file that cannot
    be graded is a failing verdict; no file at all is a usage error (DrillError)."""
    path = Path(path)
    if path.is_dir():
        raise DrillError(f"{path} is a directory: give the path of your .py file")
    if not path.is_file():
        raise DrillError(f"no such file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return "", (f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}), so it "
                    "cannot be graded: save your Python file as plain UTF-8 text")
    if "\0" in text:
        return "", (f"{path.name} holds NUL bytes, so it is not a Python text file and cannot "
                    "be graded: is it the file you meant?")
    return text, ""


def text_of(event, key):
    """A string field of a report, or "" when the child sent something else."""
    value = event.get(key)
    return value if isinstance(value, str) else ""


def read_source(path):
    """The file's text, or a DrillError saying why there is none."""
    text, problem = source_of(path)
    if problem:
        raise DrillError(problem)
    return text


def static_problem(path, source):
    """Why the file cannot even be run: a syntax error or a forbidden import, as file:line."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        line = (exc.text or "").rstrip("\n")
        caret = " " * max((exc.offset or 1) - 1 - (len(line) - len(line.lstrip())), 0) + "^"
        return f"{path.name}:{exc.lineno}: {exc.msg}\n    {line.strip()}\n    {caret}"
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        for name in names:
            if name.split(".")[0] in FORBIDDEN_IMPORTS:
                return (f"{path.name}:{node.lineno}: imports {name}; a submission is written from "
                        "memory and may import only the standard library")
    return ""


def grade(chunk, path, profile="thorough", limits=Limits(), on_event=None, launcher=None,
          cancel=None):
    """Run `chunk`'s suites on the file at `path`; a GradeResult, whatever the file does.

    `launcher` starts the child (a cold one by default; watch mode passes its warm grader), and
    `cancel` lets another thread stop the run when a newer save makes it moot."""
    path = Path(path).resolve()
    source, unreadable = source_of(path)
    started = time.perf_counter()
    result = GradeResult(chunk=chunk.name, file=str(path), profile=profile)
    expected = expected_tests(chunk.suite_files())
    result.problem = unreadable or static_problem(path, source)
    if not result.problem:
        run = ChildRun(path, limits, on_event, launcher,
                       suites=[str(p) for p in chunk.suite_files()], profile=profile)
        if cancel is not None:
            cancel.attach(run)
        run.wait()
        result.problem, result.output = run.problem, run.captured()
        result.tests = waiting(run.results(expected))
    else:
        result.tests = not_run(expected, result.problem)
    result.duration_s = time.perf_counter() - started
    return result


@dataclass
class TaskResult:
    """What a task reported (`events`, each a dict, in order), or why it did not finish."""
    events: list
    problem: str = ""
    output: str = ""


def run_task(task, path, args, limits=Limits(), on_event=None, launcher=None, cancel=None):
    """Run the task `drill.tasks.<task>` on the learner's file, in a child as a grading runs:
    the same limits, the same confinement, the same refusal of a file that cannot be run.

    A task is what drill does with a learner's code other than grading it (`drill graph` draws
    an expression built with their Value; `drill moons` trains their network): the learner's
    code never runs in drill's own process."""
    path = Path(path).resolve()
    source, problem = source_of(path)
    problem = problem or static_problem(path, source)
    if problem:
        return TaskResult([], problem)
    run = ChildRun(path, limits, on_event, launcher, task=task, args=args)
    if cancel is not None:
        cancel.attach(run)
    run.wait()
    return TaskResult(run.task_events, run.problem, run.captured())


@dataclass
class Launched:
    """A child running the runner: `proc` answers pid, poll() and wait(timeout) as a Popen does;
    the learner's output and the runner's reports come on two pipes of their own."""
    proc: object
    output: object
    results: object
    results_fd: int = None  # the results pipe's number in a runner still waiting for its config


def set_limits(limits):
    """In a child about to grade: its memory, no core file, and CPU time as a last bound should
    the parent that watches its clock be gone. Calls nothing that imports or takes a lock."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu_s = int(limits.run_s) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def start_runner(limits):
    """A new `python -I -m drill.grader.child` under `limits`, waiting for its config on stdin."""
    output_r, output_w = os.pipe()
    results_r, results_w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-I", "-m", "drill.grader.child"], stdin=subprocess.PIPE,
                            stdout=output_w, stderr=output_w, pass_fds=(results_w,),
                            start_new_session=True, preexec_fn=lambda: set_limits(limits))
    os.close(output_w)
    os.close(results_w)
    return Launched(proc, os.fdopen(output_r, "rb", buffering=0),
                    os.fdopen(results_r, "rb", buffering=0), results_w)


def send_config(launched, config):
    """Hand a runner waiting on stdin its config: the run starts now."""
    config["results_fd"] = launched.results_fd
    launched.proc.stdin.write(json.dumps(config).encode())
    launched.proc.stdin.close()
    return launched


class ColdStart:
    """A new child for each run, paying for Python, pytest and hypothesis each time (drill check)."""

    def launch(self, config, limits):
        return send_config(start_runner(limits), config)


class Cancel:
    """Stops a grading from another thread at once: a newer save has made it moot."""

    def __init__(self):
        self.is_set, self.run, self.lock = False, None, threading.Lock()

    def attach(self, run):
        with self.lock:
            self.run = run
            if self.is_set:
                run.stop()

    def set(self):
        with self.lock:
            self.is_set = True
            if self.run is not None:
                self.run.stop()


class ChildRun:
    """One child process running the suites, watched until it ends or its time is up."""

    def __init__(self, path, limits, on_event, launcher, suites=(), profile="quick", task=None,
                 args=None):
        self.limits, self.on_event, self.task = limits, on_event or (lambda *a: None), task
        self.task_events = []
        self.token = secrets.token_hex(16)
        self.problem, self.output, self.dropped = "", b"", 0
        self.collected, self.reported, self.running, self.done = [], {}, None, False
        self.timed_out = self.stopped = False
        self.phase_started = time.monotonic()
        self.workdir = tempfile.TemporaryDirectory(prefix="drill-run-")
        config = {"file": str(path), "suites": list(suites), "task": task, "args": args,
                  "profile": profile, "database": str(home() / "hypothesis"),
                  "token": self.token, "workdir": self.workdir.name,
                  "test_s": limits.test_s, "import_s": limits.import_s}
        launched = (launcher or ColdStart()).launch(config, limits)
        self.proc, self.output_pipe, self.results_pipe = \
            launched.proc, launched.output, launched.results

    def stop(self):
        """End the run now (from any thread); its result says it was stopped."""
        self.stopped = True
        self._kill_group()

    def wait(self):
        """Read both pipes until the child ends, then make sure nothing it started lives on."""
        selector = selectors.DefaultSelector()
        selector.register(self.output_pipe, selectors.EVENT_READ, self._keep_output)
        selector.register(self.results_pipe, selectors.EVENT_READ, self._take_reports)
        deadline = time.monotonic() + self.limits.run_s
        buffer = [b""]
        try:
            while selector.get_map() and self.proc.poll() is None:
                for key, _ in selector.select(timeout=0.05):
                    if not key.data(key.fileobj, buffer):
                        selector.unregister(key.fileobj)
                self._check_time(deadline)
            self._drain(selector, buffer)
        finally:
            self._kill_group()
            self.proc.wait()
            selector.close()
            self.output_pipe.close()
            self.results_pipe.close()
            self.workdir.cleanup()
        if self.stopped:
            self.problem = "stopped: a newer save replaced this version"
        if not self.problem and not self.done:
            self.problem = self._why_it_ended()
        if not self.problem and not self.collected and self.task is None:
            self.problem = "the suites did not start: " + self.captured().strip()[:300]

    def _drain(self, selector, buffer):
        """After the child exits, read what is left; a pipe still open means a process lives on."""
        until = time.monotonic() + 0.5
        while selector.get_map() and time.monotonic() < until:
            for key, _ in selector.select(timeout=0.05):
                if not key.data(key.fileobj, buffer):
                    selector.unregister(key.fileobj)
        if selector.get_map() and not self.problem:
            self.problem = ("your code left a process running after the tests ended (it kept "
                            "the grader's pipe open); it was stopped")

    def _keep_output(self, pipe, _buffer):
        data = os.read(pipe.fileno(), 65536)
        room = self.limits.output_bytes - len(self.output)
        self.output += data[:max(room, 0)]
        self.dropped += max(len(data) - max(room, 0), 0)
        return bool(data)

    def captured(self):
        text = self.output.decode("utf-8", "replace")
        return text + (f"\n[... {self.dropped} more bytes of output not kept]" if self.dropped else "")

    def _take_reports(self, pipe, buffer):
        data = os.read(pipe.fileno(), 65536)
        *lines, buffer[0] = (buffer[0] + data).split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("token") == self.token:
                self._handle(event)
        return bool(data)

    def _handle(self, event):
        kind = event.get("event")
        self.phase_started = time.monotonic()
        if kind == "collected":
            self.collected = [t for t in event["tests"] if isinstance(t, dict)]
        elif kind == "start":
            self.running = event["id"]
        elif kind == "result":
            test_id = event["id"]
            if event.get("status") not in (PASS, FAIL, ERROR, TIMEOUT):
                event["status"] = ERROR
            previous = self.reported.get(test_id)
            if previous is None or previous["status"] == PASS:  # a second report never hides a failure
                self.reported[test_id] = event
            self.running = None
        elif kind == "done":
            self.done = True
        elif kind == "task" and isinstance(event.get("data"), dict):
            self.task_events.append(event["data"])
        elif kind in ("import_error", "collect_error", "task_error"):
            self.problem = self.problem or event.get("message", "the file could not be loaded")
        self.on_event(kind, event)

    def _check_time(self, deadline):
        now = time.monotonic()
        if now > deadline:
            self.problem = f"the run did not finish within {self.limits.run_s:g} s and was stopped"
        elif self.running and now - self.phase_started > self.limits.test_s + 2:
            self.problem = (f"a test did not finish within {self.limits.test_s:g} s and did not "
                            "stop when asked; the run was stopped")
        elif not self.collected and now - self.phase_started > self.limits.import_s + 5:
            self.problem = (f"your file did not finish loading within {self.limits.import_s:g} s "
                            "and did not stop when asked; the run was stopped")
        else:
            return
        self.timed_out = True
        self._kill_group()
        self.proc.wait()

    def _kill_group(self):
        """Kill the child and everything it started (its session); a child that has not yet
        made its own session is killed alone."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            if self.proc.poll() is None:
                with suppress(ProcessLookupError, PermissionError):
                    os.kill(self.proc.pid, signal.SIGKILL)

    def _why_it_ended(self):
        code = self.proc.returncode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            return (f"the grader's process was killed by {name} before the tests finished "
                    "(out of memory? your code may use at most "
                    f"{self.limits.memory_bytes / 1024 ** 3:g} GiB)")
        said = self.captured().strip().splitlines()
        why = ("does your file call sys.exit() or os._exit()?" if code == 0 or not said
               else said[-1][:200])
        return f"the run ended early (exit status {code}) before every test had finished: {why}"

    def results(self, expected):
        """One TestResult per expected test; what was never reported is charged to the run."""
        results, seen = [], set()
        for test in self.collected:
            seen.add((test.get("chunk"), test.get("function")))
            event = self.reported.get(test.get("id"))
            name = f"{test.get('chunk')}::{str(test.get('id')).split('::')[-1]}"
            if event is None:
                status = TIMEOUT if self.timed_out and test.get("id") == self.running else ERROR
                event = {"status": status, "message": "not finished: " + self.problem.split("\n")[0]}
            key = (test.get("chunk"), test.get("function"))
            results.append(TestResult(
                name, event["status"], event.get("message", ""),
                float(event.get("duration_s", 0.0)), test.get("chunk", ""), test.get("title", ""),
                graph_of(event), text_of(event, "owner"),
                text_of(event, "program") or expected.get(key) or "", text_of(event, "output")))
        missing = [test for test in expected if test not in seen]
        return results + not_run(missing, self.problem or "the suite never reached this test")
