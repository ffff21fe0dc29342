"""The store: its schema and migrations, two processes at once, and files it must not touch."""
import json
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from drill.errors import DrillError
from drill.store import Store
from drill.store.schema import MIGRATIONS
from drill.store.texts import with_functions

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def test_a_new_store_has_the_current_schema_in_wal_mode(tmp_path):
    store = Store(tmp_path / "drill.sqlite3")
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_opening_again_keeps_what_was_written(tmp_path):
    store = Store(tmp_path / "drill.sqlite3")
    attempt = store.start_attempt("ops", tmp_path / "ops.py", T0)
    store.add_snapshot(attempt, "class Value: ...", T0 + timedelta(seconds=30), "stale")
    store.close()
    again = Store(tmp_path / "drill.sqlite3")
    assert [s.content for s in again.snapshots(attempt)] == ["class Value: ..."]
    assert again.open_attempt("ops").id == attempt


def test_active_time_is_wall_time_less_pauses(tmp_path):
    store = Store(tmp_path / "drill.sqlite3")
    attempt = store.start_attempt("topo", tmp_path / "topo.py", T0)
    store.db.execute("UPDATE attempts SET paused_s = 12.5 WHERE id = ?", (attempt,))
    store.finish_attempt(attempt, "passed", T0 + timedelta(minutes=4, seconds=30.25))
    done = store.attempt(attempt)
    assert (done.outcome, done.active_s, done.ended_at) == ("passed", 257.75, (T0 + timedelta(minutes=4, seconds=30.25)).isoformat())
    assert store.ever_passed("topo") and not store.ever_passed("ops")


def test_a_newer_database_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "drill.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(DrillError, match="newer drill"):
        Store(path)
    assert path.read_bytes() == before


def test_a_damaged_file_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "drill.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DrillError, match="not a drill database or is damaged"):
        Store(path)
    assert path.read_bytes() == b"this is not a database" * 100


WRITER = """
import sys
from datetime import datetime, timezone
from drill.store import Store
store = Store(sys.argv[1])
for i in range(40):
    store.start_attempt("ops", "ops.py", datetime.now(timezone.utc))
"""


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    path = str(tmp_path / "drill.sqlite3")
    Store(path).close()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, path]) for _ in range(2)]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert len(Store(path).attempts("ops")) == 80


def test_a_store_migrated_by_another_drill_meanwhile_is_not_migrated_twice(tmp_path):
    path = tmp_path / "drill.sqlite3"
    other = with_functions(sqlite3.connect(path, isolation_level=None))
    other.execute("BEGIN IMMEDIATE")  # another drill is migrating: this one must wait
    opened = []
    waiter = threading.Thread(target=lambda: opened.append(Store(path).attempts()))
    waiter.start()
    time.sleep(0.3)
    for statement in filter(str.strip, ";".join(MIGRATIONS).split(";")):
        other.execute(statement)
    other.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    other.execute("COMMIT")
    waiter.join(timeout=30)
    assert opened == [[]]


def test_an_older_store_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "drill.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.execute("INSERT INTO attempts (chunk, file, started_at) VALUES ('ops', 'ops.py', ?)",
               (T0.isoformat(),))
    db.commit()
    db.close()
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    (attempt,) = store.attempts()
    assert (attempt.chunk, attempt.paused_since, attempt.last_seen) == ("ops", None, None)


def test_cards_are_kept_in_the_store_and_rebuilt_from_the_reviews(tmp_path):
    from drill.store import open_store
    from conftest import REFERENCE, drill
    drill("start", "topo", "--no-watch")
    (tmp_path / "home" / "workspace" / "topo.py").write_text(REFERENCE.read_text())
    assert drill("check").exit_code == 0
    store = open_store()
    kept = store.load_cards()
    assert list(kept) == ["topo"] and '"stability"' in kept["topo"]
    store.save_cards({}, T0)  # lost: drill rebuilds them from the review history
    queue = json.loads(drill("today", "--json").output)
    assert store.load_cards() == kept and queue["new"] != "topo"
