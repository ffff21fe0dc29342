"""The grader's child process: import the learner's file, run the suites (collector.py) or a
task (drill.tasks) on it, and report every test or event.

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
from contextlib import suppress
from importlib import import_module

from drill.grader import suitekit
from drill.grader.childkit import TestTimeout, describe, lines, on_alarm, timed
from drill.grader.submission import learner_frame, load_submission

BLOCKED_IMPORTS = ("drill._data", "reference", "micrograd")


class Reporter:
    """Writes one JSON line per event to the results pipe, tagged with the run's token."""

    def __init__(self, fd, token):
        self._fd, self._token, self._write, self._dumps = fd, token, os.write, json.dumps

    def __call__(self, event, **data):
        line = self._dumps({"token": self._token, "event": event, **data}) + "\n"
        self._write(self._fd, line.encode())


class ImportBlocker:
    """A meta path finder refusing the project's reference, so a file cannot just import it."""

    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED_IMPORTS):
            raise ImportError(f"a drill submission may not import {name}: write it yourself")
        return None


def main():
    """`python -I -m drill.grader.child [suites]`: a cold child, or one started ahead of need (the
    config waits on stdin until a save comes). A runner for the suites (`suites`) imports pytest
    and hypothesis while its config is on its way; a task's imports neither."""
    if sys.argv[1:] == ["suites"]:
        ready_to_run_suites()
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
    printed = (sys.stdout, sys.stderr)  # the streams themselves, whatever a file rebinds
    sys.dont_write_bytecode = True
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    signal.signal(signal.SIGALRM, on_alarm)

    from drill.grader.guard import Guard
    judge = _judge(config)
    guard = Guard()
    report("importing")
    sys.meta_path.insert(0, ImportBlocker())
    if not import_submission(config, report):
        leave(printed)
    touched = guard.restore()
    if touched:
        report("import_error", message=f"your file changes {', '.join(touched)}, which the judge "
                                       "relies on; a micrograd file never needs to")
        leave(printed)
    report("imported")
    suitekit.use_submission(sys.modules["submission"])
    if config.get("task"):
        run_task_here(judge, config, report, guard)
    else:
        judge(report, guard, config).run(warm)
    report("done")
    leave(printed)


def leave(streams):
    """Exit at once: no interpreter teardown, none of the learner's atexit hooks. What their
    code printed is sent on first (stdout to a pipe is buffered, and os._exit drops the buffer:
    a debugging print at the end of a file was never seen), through the stream's own class, so
    a `flush` the file set on the object is not the one called."""
    for stream in streams:
        with suppress(Exception):
            type(stream).flush(stream)
    os._exit(0)


def ready_to_run_suites():
    """Import pytest, hypothesis and the suites' runner (collector.py) ahead of a grading: 0.3-0.4 s
    on a 2-core machine, which drill graph's child, running a task, never pays."""
    import_module("drill.grader.collector")


def _judge(config):
    """What judges the file, imported before the file is read: the task's module (drill.tasks),
    or the Collector that runs the suites, with pytest and hypothesis in the run's profile."""
    if config.get("task"):
        return import_module(f"drill.tasks.{config['task']}")
    from drill.grader import profiles
    from drill.grader.collector import Collector
    profiles.load_profile(config["profile"], config["examples"])
    profiles.draw_afresh()
    profiles.constants_from_the_learner_alone()  # drill's modules are all imported by now
    return Collector


def run_task_here(task, config, report, guard):
    """Run `task` (a module of drill.tasks) on the imported file: `run(module, args, emit)`, where
    each `emit(**data)` is one event for the parent. The task may run as long as a whole run."""
    from drill.tasks import listen
    listen(config["claims_fd"])
    module = sys.modules["submission"]
    try:
        timed(config["test_s"], task.run, module, config["args"],
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
        timed(config["import_s"], load_submission, path, config["source"], cells=cells)
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
