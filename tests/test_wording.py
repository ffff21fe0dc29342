"""What drill says in words, where a word was wrong for the kind of attempt or the data: hunts
are not first passes, worksheets have answers, plurals and possessives read right."""
import json
import time

from conftest import REFERENCE, drill


def test_a_hunt_says_it_is_a_hunt_never_a_first_pass_or_an_attempt_at_a_chunk(drill_home,
                                                                            capsys):
    from drill import render
    from drill.attempt import chunk_of
    from drill.store import open_store
    from drill.watch import Screen
    drill("hunt", "topo", "--no-watch")
    checked = drill("check")
    assert "The bug hunt in topo (attempt 1) stays open: fix the file" in checked.output
    (drill_home / "workspace" / "hunt-topo.py").write_text(REFERENCE.read_text())
    fixed = drill("check")
    assert "Fixed the bug in topo in 0:00, after 2 checks" in fixed.output
    assert "Passed topo" not in fixed.output
    store = open_store()
    attempt = store.attempt(1)
    screen = Screen(chunk_of(attempt), attempt, attempt.file, ended="passed")
    render.watch_end(screen, None)
    said = capsys.readouterr().out
    assert "Fixed the bug in topo" in said and "first pass" not in said


def test_a_hunt_s_reset_puts_back_the_file_as_handed_out_not_a_stub(drill_home):
    from drill.attempt import chunk_of
    from drill.clock import now
    from drill.store import open_store
    from drill.watch import Screen, _key
    drill("hunt", "topo", "--no-watch")
    store = open_store()
    attempt = store.attempt(1)
    screen = Screen(chunk_of(attempt), attempt, attempt.file)
    _key(store, screen.chunk, screen, "reset", now())
    assert "put the file back as handed out, its planted bug with it" in screen.note
    assert "stub" not in screen.note


def test_an_abandoned_speedrun_does_not_say_it_counts_for_the_streak(drill_home):
    drill("speedrun", "--no-watch")
    said = " ".join(drill("abandon").output.split())
    assert "An unfinished speedrun is kept in your history; it counts neither for your " \
           "streak nor for the schedule." in said
    assert json.loads(drill("today", "--json").output)["streak"] == 0


def test_a_worksheet_counts_answers_not_tests(drill_home):
    drill("start", "chain", "--no-watch")
    checked = drill("check")
    assert "answers right" in checked.output and "tests passed" not in checked.output
    assert "answers right" in drill("show", "1", "--versions").output


def test_a_chunk_ending_in_s_takes_an_apostrophe_alone(drill_home):
    from drill.catalog import get_chunk
    assert (get_chunk("moons").whose, get_chunk("topo").whose) == ("moons'", "topo's")
    handed = drill("hunt", "moons", "--no-watch").output
    assert "moons' suite" in handed and "moons's" not in handed


def test_an_unknown_chunk_suggests_only_a_name_close_to_it():
    assert drill("stats", "nosuch").output == \
        "drill: no chunk called 'nosuch' (drill list shows them all)\n"
    assert "did you mean 'topo'?" in drill("stats", "topp").output


def test_speedrun_history_is_in_local_time_as_history_is(drill_home, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        drill("speedrun", "--no-watch", now="2026-11-26T09:00:00Z")
        listed = drill("speedrun", "--history").output
        assert "2026-11-26 18:00" in listed and "UTC" not in listed
        assert "2026-11-26 18:00" in drill("history").output
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_one_other_function_is_said_in_the_singular(monkeypatch):
    import io

    from rich.console import Console

    from drill.meaning import compare
    from drill.render import reference as screen
    monkeypatch.setattr(screen, "out", Console(width=80, file=io.StringIO(), record=True))
    reference = {"f": "def f(x):\n    return x\n", "g": "def g(x):\n    return 2 * x\n"}
    screen.diff(compare({"f": "def f(x):\n    return -x\n", "g": reference["g"]}, reference), 2)
    assert screen.out.export_text().splitlines()[-1] == \
        "The other function does what the reference's does."
