"""Bug hunts: the whole reference with one planted bug, found and fixed, kept like attempts,
counted for the streak and never a review."""
import ast
import json
import random

import pytest

from drill.hunt import found, header, hints, pick, planted, spot
from drill.stub import functions

from conftest import CHUNKS, REFERENCE, drill

HUNTED = [c for c in CHUNKS.values() if c.mutants()]
EVERY_MUTANT = [pytest.param(c, m, id=f"{c.name}-{m['name']}") for c in HUNTED for m in c.mutants()]


def hunt_file(home, chunk):
    return home / "workspace" / f"hunt-{chunk}.py"


def history():
    return json.loads(drill("history", "--json").output)


@pytest.mark.parametrize("chunk, mutant", EVERY_MUTANT)
def test_the_hints_point_at_the_function_and_lines_that_hold_the_bug(chunk, mutant):
    text = planted(chunk, mutant)
    lines = text.splitlines()
    where = spot(chunk, mutant)
    holder = functions(ast.parse(text), classes=True)[where.holder]
    assert (holder.lineno, holder.end_lineno) == where.span
    assert holder.lineno <= where.first <= where.last <= holder.end_lineno
    if mutant["new"]:
        new = mutant["new"].strip("\n").splitlines()
        assert new[0].strip() in lines[where.first - 1] and new[-1].strip() in lines[where.last - 1]
    else:  # lines taken away: the spot is the line that follows them
        assert text.splitlines(keepends=True)[where.first - 1] == \
            REFERENCE.read_text()[REFERENCE.read_text().index(mutant["old"]) + len(mutant["old"]):
                                  ].splitlines(keepends=True)[0]
    first, second = hints(chunk, mutant)
    outer, _, inner = where.holder.rpartition(".")
    assert inner in first and outer in first
    assert f"lines {max(where.first - 2, holder.lineno)} to " in second


def test_a_nested_function_s_hint_names_its_closure():
    ops = CHUNKS["backward"]
    mutant = next(m for m in ops.mutants() if "self.grad += other.data * out.grad" in m["old"])
    assert hints(ops, mutant)[0] == "The bug is in `_backward` inside `Value.__mul__`."
    trace = CHUNKS["trace"]
    inner = next(m for m in trace.mutants() if spot(trace, m).holder.startswith("trace."))
    assert hints(trace, inner)[0].startswith("The bug is in `")
    assert "` inside `trace`." in hints(trace, inner)[0]


def test_a_new_hunt_never_plants_the_last_hunt_s_bug():
    topo = CHUNKS["topo"]
    names = [m["name"] for m in topo.mutants()]
    rng = random.Random(1)
    for last in names:
        _, mutant = pick([topo], set(), ("topo", last), rng)
        assert mutant["name"] != last


def test_chunks_due_are_likelier_to_hold_the_bug():
    rng = random.Random(2)
    picked = [pick(HUNTED, {"nn"}, None, rng)[0].name for _ in range(2000)]
    share = picked.count("nn") / len(picked)
    uniform = 1 / len(HUNTED)
    assert share > 2 * uniform  # weighted 3 to 1 against each of the others
    assert {c.name for c in HUNTED} == set(picked)  # and every chunk still comes up


def test_found_shows_the_planted_lines_beside_the_fix_and_ignores_comments():
    topo = CHUNKS["topo"]
    fixed = "# my notes\n" + REFERENCE.read_text()
    (change,) = found(topo, "order_not_reversed", fixed).changes
    line, planted_lines, fixed_lines = change
    assert [t for t, changed in planted_lines if changed] == ["for node in topo:"]
    assert [t for t, changed in fixed_lines if changed] == ["for node in reversed(topo):"]
    handed_out = planted(topo, "order_not_reversed").splitlines()
    assert [handed_out[line - 1 + k].strip() for k in range(len(planted_lines))] == \
        [t.strip() for t, _ in planted_lines]


def test_the_scripted_hunt_is_found_fixed_and_kept_like_an_attempt(drill_home):
    started = drill("hunt", "topo", "--no-watch", now="2026-11-26T09:00:00Z")
    assert started.exit_code == 0 and "bug hunt in topo" in started.output
    path = hunt_file(drill_home, "topo")
    (attempt,) = history()
    assert (attempt["kind"], attempt["chunk"], attempt["outcome"]) == ("hunt", "topo", "open")
    mutant = next(m for m in CHUNKS["topo"].mutants() if m["name"] == attempt["mutant"])
    assert mutant["mistake"] not in started.output  # the card says where, not what
    text = path.read_text()
    assert text == planted(CHUNKS["topo"], mutant)
    assert "raise NotImplementedError" not in text and "class MLP" in text

    failed = drill("check", now="2026-11-26T09:01:00Z")
    assert failed.exit_code == 1 and "FAIL" in failed.output
    first_hint = drill("hint").output
    assert "The bug is in `" in first_hint and "Value.backward" in first_hint
    assert "Look at lines" in drill("hint").output

    path.write_text(header(CHUNKS["topo"]) + REFERENCE.read_text())  # the one change undone
    passed = drill("check", now="2026-11-26T09:02:30Z")
    assert passed.exit_code == 0, passed.output
    said = " ".join(passed.output.split())  # as one line, however rich wrapped it
    assert "The bug: " + mutant["mistake"] in said and "your fix" in said
    assert "Fixed the bug in topo in 2:30" in said and "does not move the schedule" in said
    (attempt,) = history()
    assert (attempt["outcome"], attempt["checks"], attempt["hints_used"]) == ("passed", 2, 2)
    assert "topo hunt" in drill("history").output

    stats = json.loads(drill("stats", "--json").output)
    assert stats["hunts"] == {"hunts": 1, "found": 1, "median_s": 150.0,
                              "chunks": {"topo": [1, 1]}}
    assert "bug hunts: 1, 1 found, median 2:30" in drill("stats").output
    topo = next(c for c in stats["chunks"] if c["chunk"] == "topo")
    assert (topo["attempts"], topo["reviews"], topo["due"]) == (0, [], None)  # no FSRS review
    today = json.loads(drill("today", "--json").output)
    assert today["streak"] == 1 and today["counts_today"] and today["due"] == []

    again = drill("hunt", "topo", "--no-watch", now="2026-11-26T09:05:00Z")
    assert again.exit_code == 0
    first, second = history()
    assert second["kind"] == "hunt" and second["mutant"] != first["mutant"]
    assert hunt_file(drill_home, "topo").read_text() != text


def test_a_hunt_already_open_goes_on_and_the_learner_s_file_is_kept(drill_home):
    drill("hunt", "--no-watch")
    (attempt,) = history()
    path = hunt_file(drill_home, attempt["chunk"])
    path.write_text("my work so far\n")
    again = drill("hunt", "--no-watch")
    assert "already open" in again.output and path.read_text() == "my work so far\n"
    assert len(history()) == 1


def test_resetting_a_hunt_plants_the_same_bug_again_and_keeps_the_file(drill_home):
    from drill.attempt import reset_file
    from drill.clock import now
    from drill.store import open_store
    drill("hunt", "nn", "--no-watch")
    store = open_store()
    (attempt,) = store.attempts()
    path = hunt_file(drill_home, "nn")
    handed_out = path.read_text()
    path.write_text("half a fix\n")
    reset_file(store, CHUNKS["nn"], attempt, now())
    assert path.read_text() == handed_out
    assert store.snapshots(attempt.id)[-1].content == "half a fix\n"


def test_a_chunk_without_bugs_to_plant_is_one_line():
    result = drill("hunt", "full", "--no-watch")
    assert result.exit_code == 2 and "full has no bugs to plant" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_fixing_a_hunt_s_bug_is_not_having_written_the_chunk(drill_home):
    drill("hunt", "backward", "--no-watch")
    hunt_file(drill_home, "backward").write_text(REFERENCE.read_text())
    assert drill("check").exit_code == 0
    assert "you have not passed backward yet" in drill("start", "topo", "--no-watch").output


def test_an_export_keeps_the_bug_a_hunt_planted(drill_home, tmp_path, monkeypatch):
    drill("hunt", "topo", "--no-watch")
    (attempt,) = history()
    drill("export", "-o", str(tmp_path / "export.json"))
    monkeypatch.setenv("DRILL_HOME", str(tmp_path / "elsewhere"))
    assert drill("import", str(tmp_path / "export.json")).exit_code == 0
    (restored,) = history()
    assert (restored["kind"], restored["mutant"]) == ("hunt", attempt["mutant"])
