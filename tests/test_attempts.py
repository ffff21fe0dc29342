"""The practice loop without a terminal: start, write, check, look back; nothing is ever lost."""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import DRILL_EXE, REFERENCE, drill
from drill.clock import parse


def workspace_file(home, chunk):
    return home / "workspace" / f"{chunk}.py"


def test_the_scripted_flow_records_one_passed_attempt_with_its_time(drill_home):
    started = drill("start", "topo", "--no-watch", now="2026-11-26T09:00:00Z")
    assert started.exit_code == 0 and str(workspace_file(drill_home, "topo")) in started.output
    assert "raise NotImplementedError('Value.backward')" in workspace_file(drill_home, "topo").read_text()
    assert drill("check", now="2026-11-26T09:01:00Z").exit_code == 1
    workspace_file(drill_home, "topo").write_text(REFERENCE.read_text())
    passed = drill("check", now="2026-11-26T09:06:12.5Z")
    assert passed.exit_code == 0 and "Passed topo in 6:12" in passed.output
    assert passed.output.strip().splitlines()[-1].startswith("Next: ")  # last, where the eye is
    (attempt,) = json.loads(drill("history", "--json").output)
    assert (attempt["chunk"], attempt["outcome"], attempt["checks"]) == ("topo", "passed", 2)
    assert attempt["active_s"] == 372.5


def test_every_graded_version_is_kept_and_shown(drill_home):
    drill("start", "ops", "--no-watch")
    path = workspace_file(drill_home, "ops")
    path.write_text("first = 1\n")
    drill("check")
    path.write_text("second = 2\n")
    drill("check")
    assert drill("show", "1", "--version", "1").output == "first = 1\n"
    assert drill("show", "1").output == "second = 2\n"
    assert drill("show", "1", "--version", "3").exit_code == 2


def test_a_stale_file_is_kept_before_the_stub_replaces_it(drill_home):
    path = workspace_file(drill_home, "nn")
    path.parent.mkdir(parents=True)
    path.write_text("my old work\n")
    result = drill("start", "nn", "--no-watch")
    assert "kept in this attempt's history" in result.output
    assert drill("show", "1", "--version", "1").output == "my old work\n"
    assert "class Neuron" in path.read_text()


def test_starting_an_open_chunk_again_goes_on_with_it(drill_home):
    drill("start", "ops", "--no-watch")
    path = workspace_file(drill_home, "ops")
    path.write_text("work in progress\n")
    again = drill("start", "ops", "--no-watch")
    assert "already open" in again.output
    assert path.read_text() == "work in progress\n"
    assert len(json.loads(drill("history", "--json").output)) == 1


def test_two_starts_leave_one_open_attempt_and_say_what_is_open(drill_home):
    drill("start", "topo", "--no-watch")
    for command in (["start", "full"], ["speedrun"], ["hunt", "ops"]):
        refused = drill(*command, "--no-watch")
        assert refused.exit_code == 2 and refused.output.count("\n") == 1, refused.output
        assert "one attempt at a time: topo (attempt 1) is still open; `drill resume` goes on " \
               "with it, or `drill abandon` ends it" in refused.output
    (attempt,) = json.loads(drill("history", "--json").output)
    assert (attempt["chunk"], attempt["outcome"]) == ("topo", "open")
    ended = drill("abandon")
    assert ended.exit_code == 0 and "Abandoned: attempt 1 at topo" in ended.output
    assert drill("start", "full", "--no-watch").exit_code == 0
    assert [a["outcome"] for a in json.loads(drill("history", "--json").output)] == \
        ["abandoned", "open"]
    assert drill("abandon", "ops").exit_code == 2  # no attempt at ops is open


def in_a_terminal(args, answer):
    """Run drill ARGS with a terminal for stdin (a pty), type `answer`; its output."""
    import pty
    leader, follower = pty.openpty()
    proc = subprocess.Popen([DRILL_EXE, *args], stdin=follower, stdout=follower,
                            stderr=follower, env=os.environ.copy())
    os.close(follower)
    os.write(leader, answer.encode())
    output = b""
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the other end closed: drill is done
            break
        if not data:
            break
        output += data
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, output.decode(errors="replace")


def test_on_a_terminal_a_second_start_offers_to_resume_or_abandon_the_open_one(drill_home):
    drill("start", "topo", "--no-watch")
    code, said = in_a_terminal(["start", "nn", "--no-watch"], "q\n")
    assert code == 1 and "Topo is still open (attempt 1" in said and "r  resume it" in said
    code, said = in_a_terminal(["start", "nn", "--no-watch"], "a\n")
    assert code == 0 and "Write it in:" in said
    assert [(a["chunk"], a["outcome"]) for a in json.loads(drill("history", "--json").output)] \
        == [("topo", "abandoned"), ("nn", "open")]
    code, said = in_a_terminal(["speedrun", "--no-watch"], "r\n")
    assert code == 0 and "An attempt at nn is already open" in said
    assert len(json.loads(drill("history", "--json").output)) == 2


def test_an_attempt_abandoned_in_its_first_minute_leaves_the_day_s_review_to_the_next(
        drill_home):
    drill("start", "topo", "--no-watch", now="2026-11-26T09:00:00Z")
    slip = drill("abandon", now="2026-11-26T09:00:40Z")
    assert "rated nothing" in slip.output
    drill("start", "topo", "--no-watch", now="2026-11-26T09:01:00Z")
    workspace_file(drill_home, "topo").write_text(REFERENCE.read_text())
    passed = drill("check", now="2026-11-26T09:04:00Z")
    assert passed.exit_code == 0 and "Good: passed in 3:00" in passed.output
    assert "second attempt today" not in passed.output
    queue = json.loads(drill("today", "--json", now="2026-11-26T12:00:00Z").output)
    assert queue["due"] == [] and queue["next"] != "drill start topo"
    reviews = json.loads(drill("export").output)["reviews"]
    assert [(r["attempt_id"], r["rating"]) for r in reviews] == [(2, "Good")]


def test_missing_prerequisites_warn_and_go_on(drill_home):
    result = drill("start", "train", "--no-watch")
    assert result.exit_code == 0 and "you have not passed nn yet" in result.output


def test_hints_are_given_in_order_and_counted(drill_home):
    drill("start", "ops", "--no-watch")
    first, second = drill("hint").output, drill("hint").output
    assert "hint 1 of" in first and "hint 2 of" in second
    (attempt,) = json.loads(drill("history", "--json").output)
    assert attempt["hints_used"] == 2


def test_peeking_is_recorded_and_shows_the_chunk_s_reference(drill_home):
    drill("start", "topo", "--no-watch")
    shown = drill("peek").output
    assert "def backward(self):" in shown and "class Neuron" not in shown
    (attempt,) = json.loads(drill("history", "--json").output)
    assert attempt["peeked"] == 1


def test_check_without_an_open_attempt_says_what_to_do():
    result = drill("check")
    assert result.exit_code == 2 and "no attempt is open" in result.output


def test_a_damaged_database_is_one_line_and_left_as_it_is(drill_home):
    drill_home.mkdir(parents=True, exist_ok=True)
    (drill_home / "drill.sqlite3").write_bytes(b"garbage" * 200)
    result = drill("history")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert (drill_home / "drill.sqlite3").read_bytes() == b"garbage" * 200


def test_kill_9_during_a_check_loses_no_graded_version(drill_home):
    drill("start", "topo", "--no-watch")
    path = workspace_file(drill_home, "topo")
    path.write_text("wrong = True\n")
    drill("check")
    path.write_text(REFERENCE.read_text())
    victim = subprocess.Popen([DRILL_EXE, "check"], env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    (attempt,) = json.loads(drill("history", "--json").output)
    assert attempt["outcome"] == "open" and attempt["checks"] >= 1
    assert drill("show", "1", "--version", "1").output == "wrong = True\n"
    assert drill("check").exit_code == 0
    (attempt,) = json.loads(drill("history", "--json").output)
    assert attempt["outcome"] == "passed"


def test_diff_shows_the_learner_s_code_beside_the_reference(drill_home):
    drill("start", "topo", "--no-watch")
    path = workspace_file(drill_home, "topo")
    path.write_text(REFERENCE.read_text().replace("topo.append(v)", "topo.insert(0, v)"))
    drill("check")
    shown = drill("diff").output
    assert "topo.insert(0, v)" in shown and "topo.append(v)" in shown


def test_diff_of_a_part_written_another_way_says_so(drill_home):
    drill("start", "ops", "--no-watch")
    workspace_file(drill_home, "ops").write_text("class Value:\n    pass\n")
    drill("check")
    assert "not in your file" in drill("diff", "1").output


def test_resume_without_an_open_attempt_is_one_line():
    result = drill("resume")
    assert result.exit_code == 2 and "no attempt is open" in result.output


def test_starting_afresh_abandons_the_open_attempt_and_keeps_its_file(drill_home):
    from drill.attempt import start
    from drill.catalog import get_chunk
    from drill.store import open_store
    drill("start", "ops", "--no-watch")
    workspace_file(drill_home, "ops").write_text("half done\n")
    store = open_store()
    started = start(store, get_chunk("ops"), fresh=True)
    first, second = store.attempts()
    assert (first.outcome, second.id, started.attempt.id) == ("abandoned", 2, 2)
    assert store.snapshots(2)[0].content == "half done\n"


def test_editor_opens_the_file(drill_home, monkeypatch):
    opened = drill_home / "opened"
    monkeypatch.setenv("EDITOR", f"{sys.executable} -c \"import sys; open('{opened}', 'w').write(sys.argv[1])\"")
    assert drill("start", "nn", "--no-watch", "--editor").exit_code == 0
    deadline = time.monotonic() + 20
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened.read_text() == str(workspace_file(drill_home, "nn"))


def test_a_file_that_does_not_load_is_one_error_with_its_line_and_caret(drill_home):
    drill("start", "ops", "--no-watch")
    workspace_file(drill_home, "ops").write_text("class Value:\n    def __init__(self, x:\n"
                                                 "        pass\n")
    result = drill("check")
    assert result.exit_code == 1
    assert "ops.py:2: '(' was never closed" in result.output and "^" in result.output
    assert result.output.count("was never closed") == 1  # once: no second box repeating it
    assert "test_" not in result.output and "0 of" not in result.output
    assert "FAIL  ops: no test ran" in result.output


def test_ctrl_c_during_a_check_records_nothing_and_exits_130(drill_home):
    from test_grading import HOSTILE
    drill("start", "ops", "--no-watch")
    workspace_file(drill_home, "ops").write_text((HOSTILE / "hang_in_test.py").read_text())
    checking = subprocess.Popen([DRILL_EXE, "check"], env=os.environ.copy(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2)  # inside the hanging test by now
    checking.send_signal(signal.SIGINT)
    out, err = checking.communicate(timeout=30)
    assert checking.returncode == 130
    assert err.strip() == "drill: check interrupted, nothing recorded" and "Aborted" not in out
    (attempt,) = json.loads(drill("history", "--json").output)
    assert attempt["checks"] == 0 and attempt["outcome"] == "open"


def test_versions_are_numbered_from_one_and_listed_with_time_and_result(drill_home):
    drill("start", "ops", "--no-watch", now="2026-11-26T09:00:00Z")
    path = workspace_file(drill_home, "ops")
    path.write_text("first = 1\n")
    drill("check", now="2026-11-26T09:01:00Z")
    path.write_text(REFERENCE.read_text())
    drill("check", now="2026-11-26T09:02:30Z")
    zero = drill("show", "1", "--version", "0")
    assert zero.exit_code == 2 and zero.output.strip().splitlines() == [
        "drill: attempt 1 has versions 1 to 2, numbered from 1 (drill show 1 --versions "
        "lists them)"]
    rows = [line for line in drill("show", "1", "--versions").output.splitlines()
            if line.startswith("│")]
    local = [parse(t).astimezone().strftime("%H:%M:%S") for t in
             ("2026-11-26T09:01:00Z", "2026-11-26T09:02:30Z")]
    assert len(rows) == 2 and local[0] in rows[0] and local[1] in rows[1]
    assert "tests pass" in rows[0] and "passed" in rows[1]


def test_an_attempt_abandoned_in_its_first_minute_is_no_review():
    from drill.schedule import rated, reviews
    from drill.store import Attempt
    slip = Attempt(1, "ops", "practice", "f", "s", "e", 30.0, 0, "abandoned", 0, 0, 1)
    kept = Attempt(**{**vars(slip), "active_s": 90.0})
    assert not rated(slip) and rated(kept)
    ended = "2026-11-26T09:00:00+00:00"
    assert reviews([Attempt(**{**vars(slip), "ended_at": ended})], {"ops": 600}) == []
    assert [r.rating for r in reviews([Attempt(**{**vars(kept), "ended_at": ended})],
                                      {"ops": 600})] == ["Again"]


def test_a_second_pass_says_what_changed_since_the_first(drill_home):
    for day, took, hints in (("26", "09:08:00", 1), ("27", "09:05:30", 0)):
        drill("start", "topo", "--no-watch", now=f"2026-11-{day}T09:00:00Z")
        for _ in range(hints):
            drill("hint", now=f"2026-11-{day}T09:01:00Z")
        workspace_file(drill_home, "topo").write_text(REFERENCE.read_text())
        passed = drill("check", now=f"2026-11-{day}T{took}Z")
    since = next(line for line in passed.output.splitlines() if line.startswith("Since"))
    assert since.endswith("2:30 faster (8:00 then), hints 0 (1 then).")


def test_drill_knows_each_kind_of_handout_it_gave_until_a_version_is_graded(drill_home):
    """What watch mode compares the file with when it begins (a differing file is graded
    at once): the handout of every kind of attempt, then the latest graded version."""
    from drill.attempt import last_known, record, start, start_hunt
    from drill.catalog import get_chunk
    from drill.clock import now
    from drill.grader.results import GradeResult
    from drill.store import open_store
    store = open_store()
    started = [start(store, get_chunk(name).as_run(kind), fresh=True, kind=kind)  # one at a time
               for name, kind in [("full", "speedrun"), ("moons", "speedrun"),
                                  ("chain", "practice")]]
    started.append(start_hunt(store, "backward", fresh=True))
    started.append(start(store, get_chunk("ops"), fresh=True))
    for one in started:
        assert last_known(store, one.attempt) == one.path.read_text(), one.attempt.kind
    record(store, started[-1].attempt, "my version\n", GradeResult("ops", "f", "thorough"), now())
    assert last_known(store, started[-1].attempt) == "my version\n"
