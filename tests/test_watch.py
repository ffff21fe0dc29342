"""Watch mode without a terminal: saves are graded, a pass ends it, SIGTERM and kill -9 lose
nothing, and `drill resume` goes on without counting the time away."""
import json
import os
import signal
import subprocess
import time

from conftest import DRILL_EXE, REFERENCE
from test_grading import HOSTILE

def real_clock():
    """The environment less DRILL_NOW: watching needs time to pass."""
    return {k: v for k, v in os.environ.items() if k != "DRILL_NOW"}


def watching(*args):
    """`drill ARGS` in the background, with no terminal and the real clock."""
    return subprocess.Popen([DRILL_EXE, *args], env=real_clock(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def drill_output(*args):
    return subprocess.run([DRILL_EXE, *args], env=real_clock(), capture_output=True,
                          text=True).stdout


def history():
    return json.loads(drill_output("history", "--json"))


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def snapshots_of(attempt_id):
    """The first version kept of an attempt."""
    return drill_output("show", str(attempt_id), "--version", "1")


def test_saves_are_graded_and_a_pass_ends_the_attempt(drill_home):
    path = drill_home / "workspace" / "topo.py"
    proc = watching("start", "topo")
    wait_for(lambda: path.is_file() and history() and history()[0]["last_seen"])
    path.write_text("wrong = 1\n")
    wait_for(lambda: history()[0]["checks"] >= 1)
    path.write_text(REFERENCE.read_text())
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Passed topo" in output
    (attempt,) = history()
    assert attempt["outcome"] == "passed" and attempt["checks"] >= 2
    assert snapshots_of(attempt["id"]) == "wrong = 1\n"


def test_sigterm_stops_watching_and_keeps_the_attempt_open(drill_home):
    proc = watching("start", "ops")
    wait_for(lambda: history() and history()[0]["last_seen"])
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "drill resume goes on" in output
    (attempt,) = history()
    assert attempt["outcome"] == "open" and attempt["paused_since"]


def test_after_kill_9_resume_goes_on_without_counting_the_time_away(drill_home):
    path = drill_home / "workspace" / "topo.py"
    began = time.monotonic()
    proc = watching("start", "topo")
    wait_for(lambda: path.is_file() and history() and history()[0]["last_seen"])
    path.write_text("wrong = 1\n")
    wait_for(lambda: history()[0]["checks"] >= 1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(4)  # away: drill is not running
    (attempt,) = history()
    assert attempt["outcome"] == "open" and snapshots_of(attempt["id"]) == "wrong = 1\n"
    again = watching("resume")
    wait_for(lambda: history()[0]["paused_s"] > 0)
    path.write_text(REFERENCE.read_text())
    again.communicate(timeout=60)
    wall = time.monotonic() - began
    (attempt,) = history()
    assert attempt["outcome"] == "passed"
    assert attempt["paused_s"] >= 3 and attempt["active_s"] <= wall - 3


def test_a_newer_save_stops_the_grading_of_an_older_one(drill_home):
    path = drill_home / "workspace" / "ops.py"
    proc = watching("start", "ops")
    wait_for(lambda: path.is_file() and history() and history()[0]["last_seen"])
    path.write_text((HOSTILE / "hang_in_test.py").read_text())  # its tests would take 12 s each
    time.sleep(1)
    saved = time.monotonic()
    path.write_text(REFERENCE.read_text())
    output, _ = proc.communicate(timeout=60)
    assert "Passed ops" in output
    assert time.monotonic() - saved < 10, "the hanging version was graded to its end"
    (attempt,) = history()
    assert attempt["checks"] == 1  # the version stopped was never graded, so never counted
