"""Grade a learner's file against a chunk's suites, in a child process the grader does not trust.

The child (child.py) runs with a memory limit, in its own session, with a time limit per test
and for the whole run. The verdict is built here from the per-test reports the child sends on a
pipe of its own: the child's exit status and printed text are never read as results. A test the
child never reported, because it exited, hung, crashed or was killed, counts as not passed, with
the reason. The tests expected are drill's own collection of the suites (collection.py), so a
run that loses tests, or lists fewer, cannot pass. The child is shut in by the kernel
(sandbox.py): it reads no data of the learner's, writes only its run's folder, signals no one.
Every line it sends is checked for its form before it is read (reports.py), so nothing it sends
can raise here, and every string in it is escaped for the terminal (escape.py).
"""
import ast
import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass

from drill import syntax
from drill.grader import cgroup, examples
from drill.grader.collection import Listing, drawn_only
from drill.grader.dataguard import DatabaseWatch, alive
from drill.grader.escape import escape
from drill.grader.folders import make_run_folder, remove_tree
from drill.grader.reports import MAX_LINE, Broken, Reports
from drill.grader.results import (ERROR, NOT_FINISHED, NOT_RUN, TIMEOUT, GradeResult,
                                  TestResult, capped, waiting)
from drill.notebook import cell_sources, place
from drill.paths import home, scratch

FORBIDDEN_IMPORTS = {"drill", "reference", "micrograd"}
CRASHES = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT}
# Seconds between two looks at whether a child has ended while its pipes stay open: a look
# at a warm child asks the server, under a lock both of full's runs share, and looking after
# every report took a quarter of the parent's time on full's 240 tests.
POLL_S = 0.05
# Seconds a child may live on after its results pipe has closed: a child closes it as it exits,
# so one still running has had it closed or replaced by the learner's code.
PIPE_GONE_S = 0.25
# Seconds a test runs without a word from the child before the parent says which one it is
# ("slow"): watch mode names it while the learner waits, rather than a count that stands still.
SLOW_S = 2.0


@dataclass(frozen=True)
class Limits:
    """How far a learner's file may go. The run limit bounds everything: a hostile file ends
    as a failure after at most `run_s` plus a second of clean-up."""
    run_s: float = 30.0
    test_s: float = 10.0
    import_s: float = 10.0
    memory_bytes: int = 2 * 1024 ** 3
    output_bytes: int = 64 * 1024


def not_run(expected, reason):
    """An error result for each expected (chunk, test id) that never ran, saying why."""
    return [TestResult(_name(chunk, test_id), ERROR, NOT_RUN + reason.split("\n")[0],
                       chunk=chunk) for chunk, test_id in expected]


def _name(chunk, test_id):
    return f"{chunk}::{str(test_id).split('::')[-1]}"


def _chunk_of(suite):
    """The chunk a suite's file belongs to: its folder's name (chunks/<chunk>/test_<chunk>.py)."""
    return os.path.basename(os.path.dirname(suite))


def graph_of(event):
    """The graph a report carries (checked by reports.graph), as drill.graph holds it, or None."""
    from drill.graph import Graph
    graph = event.get("graph")
    return None if graph is None else Graph.from_dict(graph).to_dict()


def static_problem(path, source, cells=None):
    """Why the file cannot even be run: a syntax error or a forbidden import, where it is
    (notebook.place: file:line, or a notebook's cell and line, `cells` being its line map).
    A notebook's cells are parsed one by one first, as Jupyter runs them."""
    try:
        for first, text in cell_sources(source, cells) if cells else ():
            try:
                syntax.parse(text)
            except SyntaxError as exc:
                exc.lineno = (exc.lineno or 1) + first - 1
                raise
        tree = syntax.parse(source, filename=str(path))
    except (MemoryError, RecursionError):
        return (f"{path.name} nests its code too deeply for Python's parser, which gave up: no "
                "micrograd needs that many levels")
    except SyntaxError as exc:
        line = (exc.text or "").rstrip("\n")
        caret = " " * max((exc.offset or 1) - 1 - (len(line) - len(line.lstrip())), 0) + "^"
        return (f"{place(path.name, exc.lineno, cells)}: {exc.msg}\n    {line.strip()}\n"
                f"    {caret}")
    for node in _imports(tree.body):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [] if node.level else [node.module or ""]  # a relative import names no package
        for name in names:
            if name.split(".")[0] in FORBIDDEN_IMPORTS:
                return (f"{place(path.name, node.lineno, cells)}: imports {name}; a submission is "
                        "written from memory and may import only the standard library")
    return ""


def _imports(statements):
    """Every import among `statements` and the blocks they hold. Imports are statements, so no
    expression need be entered (ast.walk visits 7,000 nodes of the reference, 5 ms a save)."""
    for node in statements:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from _imports(getattr(node, block, ()))


def grade(chunk, learner, profile="thorough", limits=Limits(), on_event=None, launcher=None,
          cancel=None):
    """Run `chunk`'s suites on the learner's file; a GradeResult, whatever the file does.

    `learner` is the file as drill.learner_file read it: its path, its Python text (`source`),
    why it cannot be graded (`problem`), a notebook's line map (`cells`) and what drill says
    of how it read it (`notes`). `launcher` starts the child (a cold one by default; watch mode
    passes its warm grader), and `cancel` lets another thread stop the run when a newer save
    makes it moot. A chunk narrowed to some of its draws (`chunk.drawn`: extend's operation) is
    graded on their tests alone."""
    started = time.perf_counter()
    result = GradeResult(chunk=chunk.name, file=str(learner.path), profile=profile,
                         notes=learner.notes)
    suites = [str(p) for p in chunk.suite_files()]
    listing = Listing(suites)
    result.problem = learner.problem or static_problem(learner.path, learner.source,
                                                       learner.cells)
    if not result.problem:
        database = DatabaseWatch(home() / "drill.sqlite3")
        run = run_at_once(learner, limits, Together(on_event), launcher, cancel, profile, suites,
                          listing, chunk.drawn)
        expected = drawn_only(listing.result(), chunk.drawn)
        result.problem, result.output = _harmed(database) or run.problem, run.captured()
        result.tests = waiting(run.results(expected, listing.sources))
        unreported = sum(1 for chunk, test_id in expected if test_id not in run.reported)
        if unreported and not result.problem:
            result.problem = (f"the run ended without reporting {unreported} of the "
                              f"{len(expected)} tests: were the grader's reports forged?")
    else:
        result.tests = not_run(drawn_only(listing.result(), chunk.drawn), result.problem)
    result.duration_s = time.perf_counter() - started
    return capped(result)


def children(suites, profile="quick"):
    """How many children grade `suites` at once: one per suite, up to one per core; for the
    thorough profile one per core whatever the suites, which its 100 examples a property keep
    busy (ops thorough, cold: 0.94 s in one child, 0.83 s in two). full's suites are
    independent, and graded by two children they end in about half the time."""
    if profile == "thorough":
        return cores()
    return max(1, min(cores(), len(suites)))


def cores():
    """The cores this process may run on."""
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return found or 1


def run_at_once(learner, limits, on_event, launcher, cancel, profile, suites, listing, draws=()):
    """ChildRuns of `suites` (the tests of `draws` alone, when named), each confined, all at
    once, sharing their tests (TestQueue); merged into the first when every one has ended.
    `listing` is drill's own list of the suites' tests (collection.Listing), the only tests a
    child may report."""
    runs, queue = [], TestQueue(children(suites, profile))
    if hasattr(launcher, "expect"):
        launcher.expect(queue.runs)

    def one():
        run = ChildRun(learner, limits, on_event, launcher, suites=suites, profile=profile,
                       queue=queue, listing=listing, draws=draws)
        runs.append(run)
        if cancel is not None:
            cancel.attach(run)
        run.wait()

    on_event.runs = queue.runs
    helpers = [threading.Thread(target=one, daemon=True) for _ in range(queue.runs - 1)]
    for helper in helpers:
        helper.start()
    one()
    for helper in helpers:
        helper.join()
    first, *others = runs
    for other in others:
        first.absorb(other)
    return first


class TestQueue:
    """The tests of one grading, handed out a few at a time to whichever of its children has room.
    Shares fixed in advance, by what each suite took the last time, left one of full's two
    children idle for a tenth of a second or more: a test's time varies by a third from run to
    run on a busy machine. Handed out as they go, the children end within one test of each other.

    A test is named by its number in the children's run order, which is the same in every child
    (child.Collector): plain tests first, then the properties. A child holds up to PLAIN_AHEAD
    plain tests, the one it runs included, so it never waits for this process between two of
    them; a property (up to 0.06 s) only once it has none. The last RESERVE of the plain tests
    are handed out after the properties, from the last back: the child done with its last
    property first takes them, a millisecond each, while the other finishes its own (without
    them, one of full's two children stood idle 0.02-0.045 s as the other ran train's property),
    and the suites' costliest plain test, train's last (it trains an MLP, 0.012 s), is not the
    one both wait for. A child grading alone is handed them all at once."""

    PLAIN_AHEAD = 3
    RESERVE = 0.25

    def __init__(self, runs):
        self.runs, self.lock = runs, threading.Lock()
        self.order, self.plain = None, 0

    def collected(self, total, plain):
        """What the first child to collect counted: how many tests, the first `plain` plain."""
        with self.lock:
            if self.order is None:
                plain = min(max(plain, 0), total)
                kept = plain - int(plain * self.RESERVE)
                self.plain = plain
                handed = [*range(kept), *range(plain, total), *range(plain - 1, kept - 1, -1)]
                self.order = handed[::-1]  # popped from its end

    def give(self, holding):
        """The numbers of the tests to hand a child holding `holding`, and whether none are left."""
        with self.lock:
            left, given = self.order or [], []
            while left and (self.runs == 1 or holding + len(given) < self._room(left[-1])):
                given.append(left.pop())
                if self.runs > 1 and given[-1] >= self.plain:
                    break  # nothing waits behind a property, which the other child may take
            return given, not left

    def _room(self, number):
        return self.PLAIN_AHEAD if number < self.plain else 1


class Together:
    """Several runs' events told as one run's: one "imported", one list of the tests collected,
    and "done" when the last run is done."""

    def __init__(self, on_event):
        self.on_event, self.runs = on_event or (lambda *a: None), 1
        self.said, self.done, self.lock = set(), 0, threading.Lock()

    def __call__(self, kind, event):
        with self.lock:
            if kind == "done":
                self.done += 1
                if self.done < self.runs:
                    return
            elif kind in ("importing", "imported", "collected"):  # each child collects them all
                if kind in self.said:
                    return
                self.said.add(kind)
            self.on_event(kind, event)


@dataclass
class TaskResult:
    """What a task reported (`events`, each a dict, in order), or why it did not finish."""
    events: list
    problem: str = ""
    output: str = ""


def run_task(task, learner, args, limits=Limits(), on_event=None, launcher=None, cancel=None):
    """Run the task `drill.tasks.<task>` on the learner's file (as `grade` takes it), in a child
    as a grading runs: the same limits, the same confinement, the same refusal of a file that
    cannot be run.

    A task is what drill does with a learner's code other than grading it (`drill graph` draws
    an expression built with their Value; `drill moons` trains their network): the learner's
    code never runs in drill's own process."""
    problem = learner.problem or static_problem(learner.path, learner.source, learner.cells)
    if problem:
        return TaskResult([], problem)
    database = DatabaseWatch(home() / "drill.sqlite3")
    run = ChildRun(learner, limits, on_event, launcher, task=task, args=args)
    if cancel is not None:
        cancel.attach(run)
    run.wait()
    return TaskResult(run.task_events, _harmed(database) or run.problem, run.captured())


def _harmed(database):
    """Why the run fails if it changed drill's database (restored at once), else ''."""
    if not database.changed():
        return ""
    return "your code changed drill's database during the grading; " + database.restore()


def runs_folder():
    """DRILL_HOME/runs, where each run has its folder; those of drills no longer alive (kill -9)
    are swept the first time a process asks, and so is the example folder children could
    write before drill kept the examples itself (examples.py). Sweeping never raises."""
    folder = scratch("runs")
    if folder not in _swept:
        _swept.append(folder)
        remove_tree(home() / "hypothesis")
        try:
            left = [entry.name for entry in os.scandir(folder)]
        except OSError:
            left = []
        for name in left:
            pid = name.split("-")[0]
            if pid.isdigit() and len(pid) < 10 and not alive(int(pid)):
                remove_tree(folder / name)
        cgroup.sweep(alive)
    return folder


_swept = []


def hidden_paths(*files):
    """What a run must not read even where it may read around it: drill's data, the workspace,
    the reference, and the folder of each of the learner's `files`."""
    from drill.config import workspace
    from drill.paths import data_root
    paths = [home(), workspace(), os.path.join(data_root(), "reference")]
    return sorted({os.path.realpath(p) for p in paths + [os.path.dirname(f) for f in files]})


@dataclass
class Launched:
    """A child running the runner: `proc` answers pid, poll() and wait(timeout) as a Popen does;
    the learner's output and the runner's reports come on two pipes of their own, and the
    numbers of the tests it is to run go to it on `claims` (TestQueue)."""
    proc: object
    output: object
    results: object
    results_fd: int = None  # the results pipe's number in a runner still waiting for its config
    claims: object = None


def start_runner(suites=True):
    """A new `python -I -m drill.grader.child`, waiting for its config on stdin: the run's
    limits and cgroup come with it (it joins that then, as a runner started ahead of its run
    must). A runner for `suites` imports pytest and hypothesis meanwhile; a task's runner
    needs neither. It dies with this thread, and carries no environment of drill's."""
    from drill.grader.sandbox import die_with_parent, environment

    output_r, output_w = os.pipe()
    results_r, results_w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-I", "-m", "drill.grader.child",
                             *(["suites"] if suites else [])], stdin=subprocess.PIPE,
                            stdout=output_w, stderr=output_w, pass_fds=(results_w,),
                            start_new_session=True, preexec_fn=die_with_parent,
                            env=environment(str(runs_folder())), cwd="/")
    os.close(output_w)
    os.close(results_w)
    return Launched(proc, os.fdopen(output_r, "rb", buffering=0),
                    os.fdopen(results_r, "rb", buffering=0), results_w)


def discard(launched):
    """End a runner no run took, and close its pipes."""
    launched.proc.kill()
    launched.proc.wait()
    for pipe in (launched.output, launched.results, launched.proc.stdin):
        pipe.close()


def send_config(launched, config):
    """Hand a runner waiting on stdin its config, one line: the run starts now. Its claims
    follow on stdin."""
    config["results_fd"] = launched.results_fd
    launched.proc.stdin.write(json.dumps(config).encode() + b"\n")
    launched.proc.stdin.flush()
    launched.claims = launched.proc.stdin
    return launched


class ColdStart:
    """A new child for each run, paying for Python (and, to grade, pytest and hypothesis) each
    time (drill check)."""

    def launch(self, config, limits):
        return send_config(start_runner(suites=not config.get("task")), config)


class StartedAhead:
    """Cold runners started before drill does its own work (its imports, the catalog, the
    learner's file): Python, pytest and hypothesis load in them meanwhile, on another core. A
    run takes one (it joins the run's cgroup, and takes its limits, once its config comes); a
    run with none left starts cold."""

    def __init__(self, count):
        self.lock = threading.Lock()
        self.spares = [start_runner() for _ in range(count)]

    def expect(self, runs):
        """Start runners for up to `runs` runs at once, counting those started already."""
        with self.lock:
            self.spares += [start_runner() for _ in range(runs - len(self.spares))]

    def launch(self, config, limits):
        with self.lock:
            spare = self.spares.pop() if self.spares else None
        if spare is None:
            return ColdStart().launch(config, limits)
        return send_config(spare, config)

    def close(self):
        """End the runners no run took."""
        with self.lock:
            spares, self.spares = self.spares, []
        for spare in spares:
            discard(spare)


class Cancel:
    """Stops a grading from another thread at once: a newer save has made it moot."""

    def __init__(self):
        self.is_set, self.runs, self.lock = False, [], threading.Lock()

    def attach(self, run):
        with self.lock:
            self.runs.append(run)
            if self.is_set:
                run.stop()

    def set(self):
        with self.lock:
            self.is_set = True
            for run in self.runs:
                run.stop()


class ChildRun:
    """One child process running the suites, watched until it ends or its time is up."""

    def __init__(self, learner, limits, on_event, launcher, suites=(), profile="quick", task=None,
                 args=None, queue=None, listing=None, draws=()):
        self.limits, self.on_event, self.task = limits, on_event or (lambda *a: None), task
        self.queue, self.handed, self.numbers = queue or TestQueue(1), deque(), {}
        self.listing, self.chunks = listing, {}
        self.task_events = []
        self.token = secrets.token_hex(16)
        self.reports = Reports(self.token, task, args)
        self.problem, self.output, self.dropped = "", b"", 0
        self.collected, self.reported, self.running, self.done = [], {}, None, False
        self.said_slow = None  # the test last said to be slow
        self.timed_out = self.stopped = self.killed_by_us = False
        self.results_eof_at = self.exited_at = None
        self.unsent, self.last_claim, self.stop_asked = b"", False, False
        self.started = self.phase_started = time.monotonic()
        self.workdir = make_run_folder(runs_folder())
        from drill.grader.sandbox import PROCESSES
        self.group = cgroup.RunGroup(limits.memory_bytes, PROCESSES)
        config = {"file": str(learner.path), "source": learner.source, "cells": learner.cells,
                  "suites": list(suites), "draws": list(draws), "task": task, "args": args,
                  "profile": profile,
                  "examples": examples.lend(sorted({_chunk_of(s) for s in suites})),
                  "token": self.token, "workdir": self.workdir, "test_s": limits.test_s,
                  "import_s": limits.import_s, "memory_bytes": limits.memory_bytes,
                  "cpu_s": int(limits.run_s) + 5, "writable": [self.workdir],
                  "cgroup": self.group.path and str(self.group.path),
                  "hidden": hidden_paths(learner.path),
                  "suite_folders": sorted({os.path.dirname(os.path.dirname(s)) for s in suites})}
        try:
            launched = (launcher or ColdStart()).launch(config, limits)
        except BaseException:
            self.group.end()
            remove_tree(self.workdir)
            raise
        self.proc, self.output_pipe, self.results_pipe, self.claims = \
            launched.proc, launched.output, launched.results, launched.claims
        os.set_blocking(self.claims.fileno(), False)  # a child that never reads them cannot
        #                                               stop this process past the deadline

    def absorb(self, other):
        """Take in what another run of the same file (on other suites) collected and said."""
        self.collected = self.collected or other.collected
        self.reported.update(other.reported)
        self.problem = self.problem or other.problem
        self.output, self.dropped = self.output + other.output, self.dropped + other.dropped
        self.timed_out = self.timed_out or other.timed_out
        self.running = self.running or other.running

    def ask_to_stop(self):
        """Ask a task to stop at the end of its step (drill.tasks.asked_to_stop), from any
        thread or a signal handler: a line on the pipe the tests are handed on, which `wait`
        writes on its next turn."""
        self.stop_asked = True

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
        asked = 0.0
        try:
            while selector.get_map():
                ready = selector.select(timeout=POLL_S)
                for key, _ in ready:
                    if not key.data(key.fileobj, buffer):
                        selector.unregister(key.fileobj)
                self._send_claims()
                self._check_time(deadline)
                self._tell_slow()
                if not ready or time.monotonic() - asked >= POLL_S:
                    if self.proc.poll() is not None:
                        break
                    asked = time.monotonic()
            self.exited_at = time.monotonic()
            self._drain(selector, buffer)
        finally:
            self.killed_by_us = not self._ends_alone(0.25)
            self._kill_group()
            self.group.end()
            self.proc.wait()
            selector.close()
            self._close_claims()
            self.output_pipe.close()
            self.results_pipe.close()
            remove_tree(self.workdir)
        if self.stopped:
            self.problem = "stopped: a newer save replaced this version"
        if not self.problem and not self.done:
            self.problem = self._why_it_ended()
        if not self.problem and not self.collected and self.task is None:
            self.problem = "the suites did not start: " + self.captured().strip()[:300]

    def _ends_alone(self, within):
        """Whether the child has ended, or does within `within` seconds (its pipes closed as it
        exited: its exit status may come a moment later)."""
        until = time.monotonic() + within
        while self.proc.poll() is None and time.monotonic() < until:
            with suppress(subprocess.TimeoutExpired):  # a cold child's; a warm one's returns None
                self.proc.wait(0.01)  # returns as the status comes, not 10 ms later
        return self.proc.poll() is not None

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
        text = escape(self.output.decode("utf-8", "replace"))
        return text + (f"\n[... {self.dropped} more bytes of output not kept]" if self.dropped else "")

    def _take_reports(self, pipe, buffer):
        """Read the results pipe; each whole line is a report, checked before it is heard. A
        line that breaks its form, or grows past MAX_LINE, ends the run."""
        data = os.read(pipe.fileno(), 65536)
        if not data:
            self.results_eof_at = time.monotonic()
        *lines, buffer[0] = (buffer[0] + data).split(b"\n")
        try:
            if len(buffer[0]) > MAX_LINE:
                raise Broken(f"a report longer than {MAX_LINE} bytes")
            for line in lines:
                self._handle(self.reports.read(line))
        except Broken as exc:
            self._stop_broken(str(exc))
            return False
        return bool(data)

    def _stop_broken(self, why):
        self.problem = (f"the grader's results pipe carried {why}: your code wrote to it or "
                        "broke its reports, so the run was stopped")
        self._kill_group()

    def _handle(self, event):
        """Hear one checked report; what it says must also fit the run so far (a result only
        for a test this child was handed), or it is Broken."""
        kind = event["event"]
        self.phase_started = time.monotonic()
        if kind == "collected":
            self._collected(event)
            self._hand_out()
        elif kind == "result":
            self._result(event)
            self._hand_out()
        elif kind == "done":
            self.done = True
        elif kind == "task":
            self.task_events.append(event["data"])
        elif kind in ("import_error", "collect_error", "task_error"):
            self.problem = self.problem or event["message"]
        self.on_event(kind, event)

    def _collected(self, event):
        expected = self.listing.result() if self.listing else []
        self.chunks = {test_id: chunk for chunk, test_id in expected}
        ids = [t["id"] for t in event["tests"]]
        if self.collected or len(set(ids)) != len(ids) or not set(ids) <= set(self.chunks):
            raise Broken("a list of tests that is not drill's (a test twice, one drill does "
                         "not have, or a second list)")
        self.collected = event["tests"]
        self.numbers = {test_id: n for n, test_id in enumerate(ids)}
        self.queue.collected(len(ids), min(event.get("plain", 0), len(ids)))

    def _result(self, event):
        test_id = event["id"]
        if self.numbers.get(test_id) not in self.handed:
            raise Broken("a result of a test this child was not running")
        if event.get("duration_s", 0.0) > time.monotonic() - self.started + 1:
            raise Broken("a test that took longer than the run")
        self.handed.remove(self.numbers[test_id])
        self.reported[test_id] = event
        if event.get("examples"):
            examples.keep(self.chunks[test_id], event["examples"])

    def _hand_out(self):
        """Hand the child what the queue has for it; close its claims once none are left."""
        given, last = self.queue.give(len(self.handed))
        self.handed.extend(given)
        self.unsent += b"".join(b"%d\n" % n for n in given)
        self.last_claim = last
        self._send_claims()

    def _send_claims(self):
        """Write what the child has been handed as far as its pipe takes it now, never
        waiting: the rest goes on the next turn of `wait`."""
        if self.claims is None:
            return
        if self.stop_asked:
            self.unsent, self.stop_asked = self.unsent + b"stop\n", False
        try:
            while self.unsent:
                self.unsent = self.unsent[os.write(self.claims.fileno(), self.unsent):]
        except BlockingIOError:
            return
        except OSError:  # the child is gone: its end tells why
            self.unsent = b""
        if self.last_claim and not self.unsent:
            self._close_claims()

    def _close_claims(self):
        if self.claims is not None:
            with suppress(OSError):
                self.claims.close()
            self.claims = None

    def _check_time(self, deadline):
        now = time.monotonic()
        # a child that can report nothing more, and may wait for claims that answer its reports
        gone = not self.done and self.results_eof_at is not None \
            and now - self.results_eof_at > PIPE_GONE_S
        if gone:
            self.problem = ("your code closed or replaced the grader's results pipe before the "
                            "tests finished; the run was stopped")
        elif now > deadline:
            self.problem = f"the run did not finish within {self.limits.run_s:g} s and was stopped"
        elif self.handed and now - self.phase_started > self.limits.test_s + 2:
            self.problem = (f"a test did not finish within {self.limits.test_s:g} s and did not "
                            "stop when asked; the run was stopped")
        elif not self.collected and now - self.phase_started > self.limits.import_s + 5:
            self.problem = (f"your file did not finish loading within {self.limits.import_s:g} s "
                            "and did not stop when asked; the run was stopped")
        else:
            return
        self.timed_out, self.running = not gone, self._running()
        self._kill_group()
        self.proc.wait()

    def _tell_slow(self):
        """Say once which test has run SLOW_S without news from the child, and since when."""
        since = self.phase_started
        if not self.handed or self.timed_out or time.monotonic() - since < SLOW_S:
            return
        running = self._running()
        if running is not None and running != self.said_slow:
            self.said_slow = running
            self.on_event("slow", {"id": running, "since_s": time.monotonic() - since,
                                   "test_s": self.limits.test_s})

    def _running(self):
        """The test the child runs now: the first handed to it and not yet reported, as it
        runs them in the order handed (TestQueue); None between the tests of a run."""
        if self.handed and self.handed[0] < len(self.collected):
            return self.collected[self.handed[0]]["id"]
        return None

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
        if self.killed_by_us and code == -signal.SIGKILL:
            return ("your code closed the grader's pipes before the tests finished and left "
                    "its process running; it was stopped")
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if -code in CRASHES:
                return f"your file crashed the interpreter ({name}) before the tests finished"
            return (f"the grader's process was killed by {name} before the tests finished "
                    "(out of memory? your code may use at most "
                    f"{self.limits.memory_bytes / 1024 ** 3:g} GiB)")
        said = self.captured().strip().splitlines()
        if self.results_eof_at is not None and self.exited_at is not None \
                and self.exited_at - self.results_eof_at > PIPE_GONE_S:
            why = "your code closed or replaced the grader's results pipe"
        else:
            why = ("does your file call sys.exit() or os._exit(), or close the grader's results "
                   "pipe?" if code == 0 or not said else said[-1][:200])
        return f"the run ended early (exit status {code}) before every test had finished: {why}"

    def results(self, expected, codes):
        """One TestResult per test of drill's own collection (`expected`), in its order: the
        child's list gives titles only, and a test it never reported is charged to the run.
        `codes` holds each test function's source (collection.test_sources)."""
        titles = {t["id"]: t.get("title", "") for t in self.collected}
        results = []
        for chunk, test_id in expected:
            event = self.reported.get(test_id)
            if event is None and test_id not in titles:
                results += not_run([(chunk, test_id)],
                                   self.problem or "the suite never reached this test")
                continue
            if event is None:
                hung = self.timed_out and test_id == self.running
                event = {"status": TIMEOUT if hung else ERROR,
                         "message": NOT_FINISHED + self.problem.split("\n")[0] + (
                             ": this test was running then; does a loop in your code never end?"
                             if hung else "")}
            function = str(test_id).split("::")[-1].split("[")[0]
            results.append(TestResult(
                _name(chunk, test_id), event["status"], event.get("message", ""),
                event.get("duration_s", 0.0), chunk, titles.get(test_id, ""), graph_of(event),
                event.get("owner") or "", event.get("program") or codes.get((chunk, function)) or "",
                event.get("output", "")))
        return results
