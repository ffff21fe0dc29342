"""Watch mode without a terminal: saves are graded, a pass ends it, SIGTERM and kill -9 lose
nothing, and `drill resume` goes on without counting the time away."""
import json
import os
import signal
import subprocess
import time

from conftest import DRILL_EXE, REFERENCE, drill
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
    # the pass screen: verdict, rating, a code comparison of one line, and what next, last
    screen = output[output.index("Passed topo in"):].strip().splitlines()
    assert len(screen) == 4 and screen[1].startswith(("Easy: passed in", "Good: passed in"))
    assert screen[2:] == ["Your code does what the reference does (spacing and names aside).",
                          "Next: nothing else is due today; drill hunt topo: fix a planted bug."]
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


def test_a_second_watcher_of_the_same_attempt_is_refused_in_one_line(drill_home):
    proc = watching("start", "ops")
    wait_for(lambda: history() and history()[0]["last_seen"])
    second = subprocess.run([DRILL_EXE, "resume"], env=real_clock(), capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=30)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr.splitlines() == [
        "drill: attempt 1 (ops) is being watched in another terminal: go on there"]


# The keys, through the watch loop itself: it runs here, in the main thread (it sets a SIGTERM
# handler), reading keys from a pipe that a script fills from another thread, as a learner would.

def panel_text(screen):
    """The watch panel as a learner at an 80-column terminal without colour reads it."""
    import io

    from rich.console import Console

    from drill import render
    console = Console(width=80, file=io.StringIO(), record=True, color_system=None)
    console.print(render.watch_panel(screen))
    return console.export_text()


def drive(monkeypatch, chunk_name, script):
    """Watch the open attempt at `chunk_name` while `script(press, frames)` presses keys; the
    Screen as it ended. `frames` holds the panel as text after every redraw."""
    import io
    import threading

    from rich.console import Console

    from drill.catalog import get_chunk
    from drill.render import check as check_screen, watch as watch_screen
    from drill.store import open_store
    from drill.watch import watch
    narrow = Console(width=80, file=io.StringIO())
    for screen in (watch_screen, check_screen):  # the watch panel and the failure panel in it
        monkeypatch.setattr(screen, "out", narrow)
    store = open_store()
    read, write = os.pipe()
    frames, failed = [], []

    def press(keys):
        for key in keys:
            os.write(write, key.encode())
            time.sleep(0.4)  # a learner's pace: each key is its own event

    def run_script():
        try:
            wait_for(lambda: frames)
            script(press, frames)
        except BaseException as exc:  # the loop must still end for the test to report it
            failed.append(exc)
            os.write(write, b"q")
    threading.Thread(target=run_script, daemon=True).start()
    attempt = store.open_attempt(chunk_name)
    screen = watch(store, get_chunk(chunk_name), attempt,
                   lambda s: frames.append(panel_text(s)), read)
    if failed:
        raise failed[0]
    return screen


def test_abandon_reset_and_hint_wait_for_a_second_press_and_a_slip_is_not_a_review(
        drill_home, monkeypatch):
    from drill.progress import review_of
    from drill.store import open_store
    drill("start", "topo", "--no-watch")
    path = drill_home / "workspace" / "topo.py"
    path.write_text("my work\n")

    def script(press, frames):
        wait_for(lambda: history()[0]["checks"] == 1)  # written before watching: graded first
        press("a")
        wait_for(lambda: "press a again to abandon" in frames[-1])
        assert history()[0]["outcome"] == "open"
        press("r")  # another key: the abandon is off, and reset asks in its turn
        wait_for(lambda: "press r again to put the stub back" in frames[-1])
        press("h")  # cancels the reset, and asks in its turn: a hint costs something too
        wait_for(lambda: "press h again for a hint" in frames[-1])
        press("h")
        wait_for(lambda: "1 of 3:" in frames[-1])
        assert path.read_text() == "my work\n" and history()[0]["outcome"] == "open"
        press("aa")
    screen = drive(monkeypatch, "topo", script)
    assert screen.ended == "abandoned"
    store = open_store()
    attempt = store.attempt(1)
    assert attempt.outcome == "abandoned" and attempt.active_s < 60
    assert review_of(store, attempt) is None  # recorded, rated nothing


def test_saves_made_while_paused_are_graded_on_resume(drill_home, monkeypatch):
    drill("start", "topo", "--no-watch")
    path = drill_home / "workspace" / "topo.py"

    def script(press, frames):
        press("p")
        wait_for(lambda: "paused: saves are graded when you resume" in frames[-1])
        assert "p resume" in frames[-1] and "p pause" not in frames[-1]
        path.write_text(REFERENCE.read_text())
        time.sleep(1.5)
        assert history()[0]["checks"] == 0  # kept for the resume, not dropped
        press("p")
    screen = drive(monkeypatch, "topo", script)
    assert screen.ended == "passed" and history()[0]["outcome"] == "passed"


def test_a_file_changed_while_drill_was_away_is_graded_when_watching_resumes(drill_home,
                                                                             monkeypatch):
    """No save comes while watching: the edit made before it (drill not running, or its
    watcher not yet set up) is graded all the same."""
    drill("start", "topo", "--no-watch")
    (drill_home / "workspace" / "topo.py").write_text(REFERENCE.read_text())

    def script(press, frames):
        wait_for(lambda: history()[0]["outcome"] == "passed")
    assert drive(monkeypatch, "topo", script).ended == "passed"


def test_an_unchanged_file_is_not_graded_again_on_resume(drill_home, monkeypatch):
    drill("start", "topo", "--no-watch")
    (drill_home / "workspace" / "topo.py").write_text("wrong = 1\n")
    drill("check")

    def script(press, frames):
        time.sleep(1.5)
        assert history()[0]["checks"] == 1
        press("q")
    assert drive(monkeypatch, "topo", script).ended == "quit"


def test_resuming_shows_the_last_failure_and_the_last_hint(drill_home, monkeypatch):
    drill("start", "topo", "--no-watch")
    (drill_home / "workspace" / "topo.py").write_text("wrong = 1\n")
    drill("check")
    drill("hint")

    def script(press, frames):
        first = frames[0]
        assert "0 of" in first and "tests pass" in first and "no `Value`" in first
        assert "1 of 3:" in first and "Save the file to grade it." not in first
        press("q")
    assert drive(monkeypatch, "topo", script).ended == "quit"


def test_the_panel_at_80_columns_keeps_titles_hint_indents_and_phrases_whole(drill_home):
    from drill.catalog import get_chunk
    from drill.store import open_store
    from drill.watch import Progress, Screen
    drill("start", "backward", "--no-watch")
    chunk, store = get_chunk("backward"), open_store()
    title = "each operation's _backward adds its local derivative into its operands' grad"
    progress = Progress(loaded=True, titles={n: "t" for n in range(115)}, passed=100,
                        failures=[(title, "a.grad is 0.0, want 1.0", None, "")])
    screen = Screen(chunk, store.attempt(1), drill_home / "workspace" / "backward.py",
                    keys=True, grading="a new split: confirming it with the thorough profile",
                    progress=progress, hint="2 of 3: " + " ".join(["a long hint"] * 20))
    lines = panel_text(screen).splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert title in " ".join(line.strip("│ ") for line in lines)  # whole, not cut by a border
    assert any("your file loads · 101 of 115 tests run · 1 failing" in line for line in lines)
    assert any("q quit (resumable)" in line for line in lines)
    hint_lines = [line for line in lines if "a long hint" in line]
    assert hint_lines[0].startswith("│ │ 2 of 3: a long") and len(hint_lines) > 1
    assert all(line.startswith("│ │         ") and line[12] != " " for line in hint_lines[1:])


def test_a_title_in_brackets_is_shown_as_written_not_read_as_markup():
    import io

    from rich.console import Console

    from drill.render.check import failure_panel
    title = "MLP(nin, nouts) has one Layer per entry of nouts, sized [nin] + nouts pairwise"
    for style in ("", "bold red"):
        console = Console(width=100, file=io.StringIO(), record=True, color_system=None)
        console.print(failure_panel(title, "it holds 3 layers", style=style))
        assert title in console.export_text()


def test_the_panel_is_redrawn_at_once_for_news_and_now_and_then_for_counts(monkeypatch):
    """A grading's stream of results redraws the panel at most every REDRAW_S; the file
    loading, its first test, a key, a save or a verdict redraw it at once."""
    from drill import watch
    clock = [100.0]
    monkeypatch.setattr(watch.time, "monotonic", lambda: clock[0])
    drawn = []
    redraw = watch.Redraws(lambda screen: drawn.append(
        screen.progress and (screen.progress.loaded, screen.progress.passed)))
    screen = watch.Screen(None, None, None)
    progress = [("progress", None)]
    redraw(screen)  # the panel as the loop starts
    screen.progress = watch.Progress()
    redraw.batch([("save", None)])
    redraw(screen)
    screen.progress.hear("imported", {})
    redraw.batch(progress)
    redraw(screen)  # the file loaded: news
    screen.progress.hear("result", {"status": "pass"})
    redraw(screen)  # its first test: news
    for _ in range(5):
        clock[0] += watch.REDRAW_S / 4
        screen.progress.hear("result", {"status": "pass"})
        redraw.batch(progress)
        redraw(screen)
    assert drawn == [None, (None, 0), (True, 0), (True, 1), (True, 5)]
    redraw.batch([("graded", None)])
    redraw(screen)
    assert drawn[-1] == (True, 6) and len(drawn) == 6


def test_a_verdict_is_shown_before_its_version_is_kept(monkeypatch):
    """Keeping the version (a write to the database) takes a few hundredths of a second: the
    learner sees the failure first."""
    from types import SimpleNamespace

    from drill import attempt, watch
    from drill.grader.results import GradeResult
    order = []
    monkeypatch.setattr(attempt, "record", lambda *args: order.append("kept"))
    screen = watch.Screen(None, None, None)
    job = SimpleNamespace(profiles=("quick", "thorough"), goes_on=lambda result: result.passed,
                          content=b"", saved_at=None)
    failed = GradeResult(chunk="topo", file="topo.py", profile="quick")
    failed.problem = "one test failed"

    def shown(s):
        order.append(("shown", s.result is failed, s.grading, s.progress))
    assert watch._graded(None, screen, job, failed, shown) is None
    assert order == [("shown", True, "", None), "kept"]
