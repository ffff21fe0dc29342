"""A long history: versions kept compressed and once, the store's summary agreeing with its
definition in Python, history paged, stats that fit 80 columns, and `start` opening one
attempt however many race."""
import json
import random
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from drill.catalog import load_catalog
from drill.store import Store
from drill.store.schema import MIGRATIONS
from drill.store.texts import with_functions
from drill.summary import from_attempts

from conftest import DRILL_EXE, drill

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
TARGETS = {c.name: c.target_s for c in load_catalog()}


def test_versions_are_compressed_and_a_repeated_one_is_stored_once(tmp_path):
    store = Store(tmp_path / "drill.sqlite3")
    attempt = store.start_attempt("ops", tmp_path / "ops.py", T0)
    code = "class Value:\n    pass\n" * 200
    for i in range(3):
        store.add_snapshot(attempt, code, T0 + timedelta(seconds=i), "check")
    store.add_snapshot(attempt, code + "# more\n", T0 + timedelta(seconds=9), "check")
    assert [s.content for s in store.snapshots(attempt)] == [code] * 3 + [code + "# more\n"]
    (texts, stored), = store.db.execute("SELECT COUNT(*), SUM(LENGTH(packed)) FROM texts")
    assert texts == 2 and stored < len(code) / 10
    store.close()
    plain = sqlite3.connect(tmp_path / "drill.sqlite3")  # still an ordinary SQLite file
    assert plain.execute("SELECT COUNT(*) FROM snapshots").fetchone() == (4,)


def test_an_older_store_s_versions_are_migrated_compressed_and_export_is_unchanged(tmp_path):
    path = tmp_path / "drill.sqlite3"
    db = with_functions(sqlite3.connect(path))
    compressing = next(i for i, script in enumerate(MIGRATIONS) if "CREATE TABLE texts" in script)
    for script in MIGRATIONS[:compressing]:  # the store just before versions were compressed
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {compressing}")
    db.execute("INSERT INTO attempts (id, chunk, file, started_at) VALUES (1, 'ops', 'o.py', ?)",
               (T0.isoformat(),))
    for i, content in enumerate(["a\n", "a\n", "b\n", "a\n"]):
        db.execute("INSERT INTO snapshots (attempt_id, taken_at, reason, content, passed, result)"
                   " VALUES (1, ?, 'check', ?, 0, ?)", (T0.isoformat(), content, f'{{"n": {i}}}'))
    db.commit()
    db.close()
    store = Store(path)
    assert [s.content for s in store.snapshots(1)] == ["a\n", "a\n", "b\n", "a\n"]
    assert [json.loads(s.result)["n"] for s in store.snapshots(1)] == [0, 1, 2, 3]
    assert store.db.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 3
    tables, lost = store.dump()
    assert lost == [] and [row["content"] for row in tables["snapshots"]] == ["a\n", "a\n", "b\n", "a\n"]
    assert set(tables["snapshots"][0]) == {"id", "attempt_id", "taken_at", "reason", "content",
                                           "passed", "result"}


def random_history(store, n, seed):
    rng = random.Random(seed)
    names = [c.name for c in load_catalog()]
    for i in range(n):
        chunk = rng.choice(names)
        start = T0 - timedelta(days=40) + timedelta(hours=i * 7 + rng.random() * 5)
        kind = "speedrun" if chunk == "full" and rng.random() < 0.5 else "practice"
        attempt = store.start_attempt(chunk, f"{chunk}.py", start, kind)
        store.db.execute("UPDATE attempts SET hints_used = ? WHERE id = ?",
                         (rng.randint(0, 2), attempt))
        if rng.random() < 0.95:
            store.finish_attempt(attempt, rng.choice(["passed", "passed", "failed", "abandoned"]),
                                 start + timedelta(seconds=rng.uniform(60, 900)))


def test_the_store_s_summary_is_what_the_attempts_say(tmp_path, monkeypatch):
    from drill.progress import refresh_cards
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        store = Store(tmp_path / "drill.sqlite3")
        random_history(store, 300, seed=11)
        refresh_cards(store)
        summed, expected = store.summary(), from_attempts(store.attempts(), TARGETS)
        assert summed.practice_s == pytest.approx(expected.practice_s)  # summed in another order
        expected.practice_s = summed.practice_s
        assert summed == expected and summed.open_chunk
        assert store.summary() == summed  # kept, and read back the same
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_history_shows_the_latest_page_in_local_time_and_says_how_to_see_more(
        monkeypatch, drill_home):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        drill_home.mkdir()
        store = Store(drill_home / "drill.sqlite3")
        for i in range(26):
            store.start_attempt("ops", "ops.py", T0 + timedelta(hours=i - 25))
        shown = drill("history").output
        assert "latest 20 attempts of 26" in shown and "--all" in shown
        assert "2026-11-26 18:00" in shown  # 09:00 UTC is 18:00 in Tokyo
        listed = json.loads(drill("history", "--limit", "3", "--json").output)
        assert [a["id"] for a in listed] == [24, 25, 26]
        assert len(json.loads(drill("history", "--all", "--json").output)) == 26
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_four_starts_at_once_on_a_fresh_home_open_one_attempt(drill_home):
    starts = [subprocess.Popen([DRILL_EXE, "start", "ops", "--no-watch"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
              for _ in range(4)]
    assert [p.wait(timeout=120) for p in starts] == [0, 0, 0, 0]
    store = Store(drill_home / "drill.sqlite3")
    assert [(a.chunk, a.outcome) for a in store.attempts()] == [("ops", "open")]


def test_stats_at_80_columns_without_colour_keep_names_lines_and_a_calendar_legend(drill_home):
    import os
    drill_home.mkdir()
    store = Store(drill_home / "drill.sqlite3")
    end = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
    for day in range(40):
        for n in range(day % 4):  # 0 to 3 passes a day: every weight of the calendar
            chunk = load_catalog()[n].name
            attempt = store.start_attempt(chunk, "x.py", end - timedelta(days=day, minutes=9))
            store.finish_attempt(attempt, "passed", end - timedelta(days=day, minutes=n))
    store.close()
    done = subprocess.run([DRILL_EXE, "stats"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"})
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and max(len(line) for line in lines) <= 80
    assert "\x1b[" not in done.stdout
    for chunk in load_catalog():
        assert any(line.startswith(chunk.name + " ") for line in lines), chunk.name
    assert "passed a day: · none  ░ 1  ▒ 2  █ 3 or more" in done.stdout
    calendar = "".join(line for line in lines if line.startswith("│ "))
    assert {"·", "░", "▒", "█"} <= set(calendar)
    box_top = next(line for line in lines if line.startswith("╭"))
    header = next(line for line in lines if line.startswith("chunk "))
    assert len(box_top) == len(header)  # the calendar's box lines up with the table
    assert lines[0].startswith("Streak ") and lines[1].startswith("60 attempts")
