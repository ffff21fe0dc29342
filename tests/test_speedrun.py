"""Speedruns without a terminal: a blank file, splits as chunks first pass, records kept."""
import json

from conftest import REFERENCE, drill

UP_TO_NN = REFERENCE.read_text()[:REFERENCE.read_text().index("class Neuron")]


def run(home, hour, first_save_min, last_save_min):
    """A full run: the engine saved after `first_save_min` minutes, the rest after `last_save_min`."""
    drill("speedrun", "--no-watch", now=f"2026-11-26T{hour:02d}:00:00Z")
    path = home / "workspace" / "speedrun-full.py"
    assert "#" in path.read_text() and "class Value" not in path.read_text()  # the card alone
    path.write_text(UP_TO_NN)
    drill("check", now=f"2026-11-26T{hour:02d}:{first_save_min:02d}:00Z")
    path.write_text(REFERENCE.read_text())
    return drill("check", now=f"2026-11-26T{hour:02d}:{last_save_min:02d}:00Z")


def test_a_run_records_splits_in_completion_order_and_a_faster_one_is_the_best(drill_home):
    first = run(drill_home, 9, 5, 12)
    assert first.exit_code == 0 and "Final time 12:00: your first finished run" in first.output
    second = run(drill_home, 10, 4, 9)
    assert "a new personal best, -3:00" in second.output
    # each save passed several chunks: no segment is one chunk's, so no sum of best
    assert "no sum of best yet: ops, backward, topo, nn, train never passed alone" in \
        " ".join(second.output.split())
    rows = [line for line in second.output.splitlines() if line.startswith("│ ")]
    assert "4:00 3 in one save" in rows[0] and "same save" in rows[1] and "same save" in rows[2]
    assert "5:00 2 in one save" in rows[3] and "same save" in rows[4]
    runs = json.loads(drill("speedrun", "--history", "--json").output)
    assert [r["outcome"] for r in runs] == ["passed", "passed"]
    assert runs[1]["splits"] == [["ops", 240.0], ["backward", 240.0], ["topo", 240.0],
                                 ["nn", 540.0], ["train", 540.0], ["full", 540.0]]


def test_the_split_of_the_whole_waits_for_every_part_even_when_the_file_trains(drill_home):
    """One `=` for `+=` in `__add__`'s `_backward` fails backward, yet the file on its own still
    lowers the loss: full's own split is the run's last, so it is not taken until backward is."""
    drill("speedrun", "--no-watch", now="2026-11-26T09:00:00Z")
    path = drill_home / "workspace" / "speedrun-full.py"
    bug = ("            self.grad += out.grad\n            other.grad += out.grad",
           "            self.grad = out.grad\n            other.grad += out.grad")
    path.write_text(REFERENCE.read_text().replace(*bug))
    result = json.loads(drill("check", "--json", now="2026-11-26T09:05:00Z").output)
    assert result["chunks"]["full"] and not result["chunks"]["backward"]  # it trains on its own
    splits = json.loads(drill("speedrun", "--history", "--json").output)[0]["splits"]
    assert [name for name, _ in splits] == ["ops", "topo", "nn"]  # train waits on backward
    path.write_text(REFERENCE.read_text())
    drill("check", now="2026-11-26T09:07:00Z")
    splits = json.loads(drill("speedrun", "--history", "--json").output)[0]["splits"]
    assert splits[-3:] == [["backward", 420.0], ["train", 420.0], ["full", 420.0]]


def report_of(splits_by_run):
    """The report of the last of runs made in the store with these splits (chunk, seconds),
    each run passed but the last; its splits table and records as plain text."""
    from rich.console import Console

    from drill.attempt import start
    from drill.catalog import get_chunk
    from drill.clock import now
    from drill.progress import run_report
    from drill.render.speedrun import records_line, splits_table
    from drill.store import open_store
    store = open_store()
    for number, splits in enumerate(splits_by_run, start=1):
        attempt = start(store, get_chunk("full"), kind="speedrun").attempt
        for chunk, at_s in splits:
            store.add_split(attempt.id, chunk, at_s)
        if number < len(splits_by_run):
            store.finish_attempt(attempt.id, "passed", now())
    console = Console(width=80, no_color=True)
    with console.capture() as captured:
        report = run_report(store, store.attempt(attempt.id))
        console.print(splits_table(report))
        console.print(records_line(report))
    return captured.get()


def test_a_gold_segment_beats_every_earlier_one_of_its_chunk(drill_home):
    alone = [("ops", 300), ("backward", 400), ("topo", 500), ("nn", 600), ("train", 720),
             ("full", 720)]  # full's own split, the whole on its own, waits on every other
    shown = report_of([alone, [("ops", 360), ("backward", 420)]])
    rows = [line for line in shown.splitlines() if line.startswith("│ ")]
    assert "+1:00" in rows[0] and "gold" not in rows[0]  # ops 6:00 against 5:00
    assert "+0:20" in rows[1] and "1:00 gold" in rows[1]  # backward alone in 1:00, not 1:40
    assert "sum of best 11:20" in shown  # 5:00 + 1:00 + 1:40 + 1:40 + 2:00 + 0:00


def test_the_table_names_every_chunk_once_when_they_pass_out_of_order(drill_home):
    shown = report_of([[("ops", 60), ("topo", 120)]])
    names = [line.split("│")[1].strip() for line in shown.splitlines() if line.startswith("│ ")]
    assert names == ["ops", "topo", "backward", "nn", "train", "full"]


def test_a_speedrun_counts_for_the_streak_but_not_the_schedule(drill_home):
    run(drill_home, 9, 5, 12)
    queue = json.loads(drill("today", "--json", now="2026-11-26T12:00:00Z").output)
    assert queue["counts_today"] and queue["full_run_s"] == 720.0
    assert queue["due"] == [] and queue["new"] == "chain"


def test_reset_ends_a_speedrun_and_keeps_it_as_unfinished(drill_home):
    from drill.attempt import start
    from drill.catalog import get_chunk
    from drill.clock import now
    from drill.store import open_store
    from drill.watch import Screen, _key
    store, chunk = open_store(), get_chunk("full")
    started = start(store, chunk, kind="speedrun")
    screen = Screen(chunk, started.attempt, started.path)
    _key(store, chunk, screen, "reset", now())
    assert screen.ended == "" and "press r again" in screen.note  # a stray r costs nothing
    _key(store, chunk, screen, "reset", now())
    assert screen.ended == "restart" and store.attempt(started.attempt.id).outcome == "abandoned"
    practice = start(store, get_chunk("ops"))
    screen = Screen(get_chunk("ops"), practice.attempt, practice.path)
    practice.path.write_text("my work\n")
    _key(store, get_chunk("ops"), screen, "reset", now())
    assert practice.path.read_text() == "my work\n"
    _key(store, get_chunk("ops"), screen, "reset", now())
    assert screen.ended == "" and "class Value" in practice.path.read_text()
    assert store.snapshots(practice.attempt.id)[-1].content == "my work\n"


def test_stats_show_the_speedrun_records(drill_home):
    run(drill_home, 9, 5, 12)
    run(drill_home, 10, 4, 9)
    figures = json.loads(drill("stats", "--json", now="2026-11-26T12:00:00Z").output)
    assert figures["speedruns"] == [{"run": "full", "runs": 2, "finished": 2, "best_s": 540.0,
                                     "sum_of_best_s": None}]  # no chunk ever passed alone
    assert "speedrun full: 2 runs, 2 finished, best 9:00" in \
        drill("stats", now="2026-11-26T12:00:00Z").output


def test_in_watch_mode_a_quick_split_is_confirmed_thoroughly_before_it_is_recorded(drill_home):
    from drill.attempt import needs_confirming, start
    from drill.catalog import get_chunk
    from drill.grader.results import GradeResult, TestResult
    from drill.store import open_store
    store = open_store()
    practice = start(store, get_chunk("ops")).attempt
    run = start(store, get_chunk("full"), fresh=True, kind="speedrun").attempt
    ops_passes = GradeResult("full", "f.py", "quick", tests=[
        TestResult("ops::a", "pass", chunk="ops"), TestResult("nn::b", "fail", chunk="nn")])
    assert needs_confirming(store, run)(ops_passes)  # ops would be a new split
    store.add_split(run.id, "ops", 60.0)
    assert not needs_confirming(store, run)(ops_passes)  # nothing new: recorded as it is
    assert not needs_confirming(store, practice)(ops_passes)  # a practice has no splits
    whole = GradeResult("ops", "f.py", "quick", tests=[TestResult("ops::a", "pass", chunk="ops")])
    assert needs_confirming(store, practice)(whole)  # a pass is always confirmed


def test_the_figures_agree_after_a_first_run_and_add_up_to_the_second(drill_home):
    drill("speedrun", "--no-watch", now="2026-11-26T09:00:00Z")
    path = drill_home / "workspace" / "speedrun-full.py"
    path.write_text(UP_TO_NN)
    drill("check", now="2026-11-26T09:01:40.4Z")  # the engine in 1:40.4
    path.write_text(REFERENCE.read_text())
    first = drill("check", now="2026-11-26T09:03:20.8Z")  # the rest in 1:40.4 more
    assert "your first finished run" in first.output and "no best yet" not in first.output
    # rounded once, from the splits (100 and 201 s): the segments add up to what is shown
    nn = next(line for line in first.output.splitlines() if line.startswith("│ nn "))
    assert "1:41" in nn.split("│")[4]
    assert "best 3:21 · no sum of best yet" in first.output
    listed = drill("speedrun", "--history").output
    cells = " ".join(line.split("│")[-2].strip() for line in listed.splitlines()
                    if line.startswith("│"))
    assert cells == "ops 1:40, backward 1:40, topo 1:40, nn 3:21, train 3:21, full 3:21"


def test_history_marks_speedruns(drill_home):
    run(drill_home, 9, 5, 12)
    drill("start", "ops", "--no-watch")
    rows = [line for line in drill("history").output.splitlines() if line.startswith("│")]
    assert "full speedrun" in rows[0] and "ops " in rows[1] and "speedrun" not in rows[1]


def test_r_twice_in_a_watched_speedrun_resets_it_and_starts_the_next(drill_home):
    from terminal import Terminal
    with Terminal(["speedrun"]) as term:
        term.expect("r reset (a new run)")
        term.type("r")
        term.expect("press r again to reset")
        term.type("r")
        term.expect("Reset: run 1 is recorded as abandoned")
        term.expect("speedrun full")  # the next run's panel
        runs = json.loads(drill("speedrun", "--history", "--json").output)
        assert [(r["id"], r["outcome"]) for r in runs] == [(1, "abandoned"), (2, "open")]
        term.type("q")
        term.expect("Stopped watching; attempt 2 stays open")
        assert term.wait() == 0
