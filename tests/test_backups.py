"""Backups: made on their own after an attempt ends, kept by a rotation, copied into backup_dir,
put back by `drill restore` after a check, and named whenever the database is damaged or gone.
Nothing is ever deleted but by the rotation, and kill -9 in the middle of a backup loses nothing."""
import fcntl
import gzip
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from drill.store.autobackup import EVERY, due
from drill.store.backups import kept

from conftest import REFERENCE, drill

NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


def test_the_rotation_keeps_the_last_ten_and_the_newest_of_each_recent_day_week_and_month():
    times = [NOW - timedelta(hours=6 * i) for i in range(4 * 365 * 2)]  # every 6 h for 2 years
    keep = {times[i] for i in kept(times, NOW)}
    assert set(times[:10]) <= keep
    for days in range(7):  # the newest of each of the latest 7 days, today's included
        day = (NOW - timedelta(days=days)).date()
        assert max(t for t in times if t.date() == day) in keep
    weeks = sorted({t.isocalendar()[:2] for t in times}, reverse=True)[:4]
    months = sorted({(t.year, t.month) for t in times}, reverse=True)[:12]
    for week in weeks:
        assert max(t for t in times if t.isocalendar()[:2] == week) in keep
    for month in months:
        assert max(t for t in times if (t.year, t.month) == month) in keep
    assert min(keep) >= NOW - timedelta(days=366) and len(keep) <= 10 + 7 + 4 + 12
    survivors = sorted(keep)
    assert kept(survivors, NOW) == set(range(len(survivors)))  # it keeps what it kept


def test_the_rotation_counts_days_that_have_a_backup_and_keeps_one_from_after_now():
    rare = [NOW - timedelta(days=10 * i) for i in range(40)]  # a learner who comes now and then
    keep = kept(rare, NOW, last=2, days=7, weeks=0, months=0)
    assert keep == set(range(7))
    later = NOW + timedelta(days=3)  # the clock was set back since
    assert kept([later, *rare], NOW, last=0, days=0, weeks=0, months=0) == {0}
    assert kept([], NOW) == set()


def test_a_backup_is_due_when_an_attempt_ended_or_practice_went_on_for_half_an_hour():
    made = {"at": NOW.isoformat(), "ended": 3, "version": 40}
    assert due(None, (1, 5), NOW) and not due(None, (0, 0), NOW)
    assert due(made, (4, 40), NOW)  # an attempt ended since
    assert due(made, (2, 40), NOW)  # a database put back: not the one backed up
    assert not due(made, (3, 41), NOW + EVERY - timedelta(seconds=1))
    assert due(made, (3, 41), NOW + EVERY)
    assert not due(made, (3, 40), NOW + 10 * EVERY)  # nothing new: no backup of the same


def pass_chunk(home, chunk="topo", now=None):
    """Start and pass an attempt at `chunk`; what `drill check` said."""
    drill("start", chunk, "--no-watch", now=now)
    (home / "workspace" / f"{chunk}.py").write_text(REFERENCE.read_text())
    checked = drill("check", now=now)
    assert checked.exit_code == 0, checked.output
    return checked.output


def attempts_in(packed):
    """The attempts a gzipped backup holds, by id, after its integrity check."""
    plain = packed.with_suffix("")
    plain.write_bytes(gzip.decompress(packed.read_bytes()))
    db = sqlite3.connect(plain)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in db.execute("SELECT id FROM attempts ORDER BY id")]
    finally:
        db.close()
        plain.unlink()


def backups_listed():
    return [b for b in json.loads(drill("backup", "--list", "--json").output)
            if b["kind"] == "backup"]


def test_a_passed_attempt_is_backed_up_without_asking_and_lands_in_backup_dir(drill_home,
                                                                             tmp_path):
    synced = tmp_path / "synced"
    synced.mkdir()
    assert drill("config", "backup_dir", str(synced)).exit_code == 0
    pass_chunk(drill_home)
    listed = backups_listed()
    assert [b["attempts"] for b in listed] == [1, 1]
    assert {os.path.dirname(b["path"]) for b in listed} == {str(drill_home / "backups"),
                                                           str(synced)}
    for backup in listed:
        assert attempts_in(Path(backup["path"])) == [1]
    assert not list((drill_home / "backups").glob("*.part*")) and not list(synced.glob("*.part*"))
    assert drill("today").exit_code == 0 and len(backups_listed()) == 2  # nothing new: no more


def test_backup_dir_is_stored_absolute_and_a_missing_one_is_said_once_never_stopping_practice(
        drill_home, tmp_path, monkeypatch):
    from drill import config
    monkeypatch.chdir(tmp_path)
    gone = tmp_path / "usb" / "drill"
    set_it = drill("config", "backup_dir", "usb/drill")
    assert set_it.exit_code == 0 and f"backup_dir {gone} is missing" in set_it.output
    assert config.load()["backup_dir"] == str(gone)
    said = [line for line in pass_chunk(drill_home, "topo").splitlines() if "is missing" in line]
    assert said == [f"drill: backup_dir {gone} is missing (a drive not plugged in?): this backup "
                    f"is only in {drill_home / 'backups'}"]
    assert "is missing" not in pass_chunk(drill_home, "ops")  # said once
    assert len(backups_listed()) == 2
    gone.mkdir(parents=True)  # plugged in: every backup from now on goes there too
    made = drill("backup")
    assert made.exit_code == 0 and str(gone) in made.output and len(list(gone.iterdir())) == 1


def damage_header(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with open(path, "r+b") as f:
        f.write(b"not a database any more " * 8)


def test_a_damaged_database_names_drill_restore_which_brings_back_every_attempt(drill_home):
    pass_chunk(drill_home, "topo")
    pass_chunk(drill_home, "ops", now="2026-11-26T09:30:00+00:00")
    path = drill_home / "drill.sqlite3"
    damage_header(path)
    damaged = path.read_bytes()
    today = drill("today")
    assert today.exit_code == 2 and "Traceback" not in today.output
    assert today.output.count("\n") == 1  # and 3 lines at 80 columns, in the usual home:
    assert len(today.output.replace(str(drill_home), "/home/learner/.local/share/drill")) <= 240
    assert "`drill restore`" in today.output and "2 attempts" in today.output
    restored = drill("restore", now="2026-11-26T10:00:00+00:00")
    assert restored.exit_code == 0, restored.output
    kept = drill_home / "drill-2026-11-26T100000Z-replaced.sqlite3"
    assert kept.read_bytes() == damaged and f"kept as {kept}" in " ".join(restored.output.split())
    history = json.loads(drill("history", "--json").output)
    assert [(a["chunk"], a["outcome"]) for a in history] == [("topo", "passed"), ("ops", "passed")]
    assert drill("today").exit_code == 0


def test_restore_checks_what_it_puts_back_and_deletes_nothing(drill_home):
    pass_chunk(drill_home, "topo")
    pass_chunk(drill_home, "ops", now="2026-11-26T09:30:00+00:00")
    newest, older = sorted((drill_home / "backups").glob("drill-*.gz"), reverse=True)
    newest.write_bytes(newest.read_bytes()[:200])  # cut short, as a full disk would leave it
    before = sorted(p.name for p in drill_home.iterdir())
    with open(drill_home / "watching-2.lock", "a") as lock:  # a watcher in another terminal
        fcntl.flock(lock, fcntl.LOCK_EX)
        watched = drill("restore")
    assert watched.exit_code == 2 and "watching attempt 2 in another terminal" in watched.output
    (drill_home / "watching-2.lock").unlink()
    refused = drill("restore", newest.name)
    assert refused.exit_code == 2 and refused.output.count("\n") == 1
    assert "cannot be restored: it cannot be read whole" in refused.output
    assert sorted(p.name for p in drill_home.iterdir()) == before
    for copy in (drill_home / "backup").iterdir():  # drill's copy older than both backups
        os.utime(copy, (0, 0))
    restored = drill("restore", now="2026-11-26T10:00:00+00:00")
    assert restored.exit_code == 0
    assert f"passed over {newest}" in " ".join(restored.output.split())
    assert [a["chunk"] for a in json.loads(drill("history", "--json").output)] == ["topo"]
    assert newest.exists() and older.exists()
    again = drill("restore", "drill-2026-11-26T100000Z-replaced.sqlite3", now="2026-11-26T11:00:00")
    assert again.exit_code == 2 and "no backup called" in again.output
    kept = drill_home / "drill-2026-11-26T100000Z-replaced.sqlite3"
    assert drill("restore", str(kept), now="2026-11-26T11:00:00+00:00").exit_code == 0
    assert len(json.loads(drill("history", "--json").output)) == 2  # the one it replaced, back
    assert len(list(drill_home.glob("drill-*-replaced.sqlite3"))) == 2


def test_a_missing_database_names_restore_and_a_new_home_is_told_of_backup_dir(drill_home,
                                                                               tmp_path,
                                                                               monkeypatch):
    synced = tmp_path / "synced"
    synced.mkdir()
    drill("config", "backup_dir", str(synced))
    pass_chunk(drill_home)
    for part in ("", "-wal", "-shm"):
        (drill_home / f"drill.sqlite3{part}").unlink(missing_ok=True)
    missing = drill("today")
    assert missing.exit_code == 2 and missing.output.count("\n") == 1
    assert missing.output.startswith(f"drill: {drill_home / 'drill.sqlite3'} is missing: "
                                     "`drill restore` puts back the newest good backup")
    assert f"move {drill_home / 'backups'} away" in missing.output
    other = tmp_path / "other"  # a new machine, its backup_dir the synced folder
    monkeypatch.setenv("DRILL_HOME", str(other))
    drill("config", "backup_dir", str(synced))
    first = drill("today")
    assert first.exit_code == 0 and f"{synced} holds a backup (" in first.output
    assert "`drill restore` puts it back" in first.output
    assert "holds a backup" not in drill("today").output  # said once: the database is there
    assert drill("restore").exit_code == 0
    assert [a["chunk"] for a in json.loads(drill("history", "--json").output)] == ["topo"]


MAKER = """
import sys
from drill.clock import now
from drill.store.backups import make
while True:
    make(sys.argv[1], now())
    print("made", flush=True)
"""


def test_kill_9_during_backups_loses_nothing_and_leaves_every_whole_backup_readable(drill_home):
    """A drill making backups over and over, killed at random moments (a real kill -9), while
    this process records attempts: each backup with a backup's name is whole and good, the
    database keeps every attempt, and the next backup sweeps the half files."""
    from drill.clock import now
    from drill.store import open_store
    from drill.store.backups import make
    store = open_store()
    rng, recorded, kills = random.Random(30), [], 0
    for round_ in range(12):
        day = {**os.environ, "DRILL_NOW": f"2026-11-{round_ + 1:02d}T09:00:00"}
        maker = subprocess.Popen([sys.executable, "-c", MAKER, str(store.path)],
                                 stdout=subprocess.PIPE, env=day)
        maker.stdout.readline()  # it has made one: the next is under way
        for _ in range(rng.randint(1, 6)):
            recorded.append(store.start_attempt("ops", "ops.py", now()))
        time.sleep(rng.uniform(0, 0.05))
        maker.send_signal(signal.SIGKILL)
        maker.wait()
        kills += 1
    backups = sorted((drill_home / "backups").glob("drill-*.gz"))
    assert backups and kills == 12
    for backup in backups:
        held = attempts_in(backup)
        assert held == recorded[:len(held)]
    assert [a.id for a in store.attempts()] == recorded
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    make(store.path, now())
    assert not list((drill_home / "backups").glob("*.part*"))


def test_a_command_that_only_reads_the_database_is_no_news_to_backups(tmp_path):
    """Opening a database in WAL mode makes an empty log beside it: every command does, and each
    one at 100,000 attempts took it for a write and re-read the history's progress."""
    from drill.store import autobackup
    from drill.store.backups import STATE
    db = tmp_path / "drill.sqlite3"
    sqlite3.connect(db).execute("PRAGMA journal_mode=WAL").fetchall()
    own = tmp_path / "backups"
    own.mkdir()
    (own / STATE).touch()
    written = time.time() - 100
    os.utime(db, (written, written))
    os.utime(own / STATE, (written + 1, written + 1))  # backups looked after the last write
    reader = sqlite3.connect(db)
    reader.execute("SELECT * FROM sqlite_master").fetchall()
    assert (tmp_path / "drill.sqlite3-wal").stat().st_size == 0
    assert not autobackup._news(db, own)
    reader.execute("CREATE TABLE written (x)")
    reader.commit()
    assert autobackup._news(db, own)
    reader.close()


def flock_holders(path):
    """The pids holding a flock on `path` (from /proc/locks)."""
    inode = os.stat(path).st_ino
    return {int(fields[4]) for fields in map(str.split, Path("/proc/locks").read_text().splitlines())
            if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode}


def test_restore_refuses_while_another_drill_grades_and_nothing_is_lost(drill_home, tmp_path):
    """A restore made while `drill graph` graded in another terminal was undone by that
    grading's guard, with the hints taken since; one made during `drill check` sent the check's
    version into the file set aside. While another drill uses the database, restore refuses."""
    pass_chunk(drill_home, "ops")
    hangs = tmp_path / "hangs.py"
    hangs.write_text(REFERENCE.read_text().replace("    def backward(self):\n",
                                                   "    def backward(self):\n        while True: pass\n"))
    graph = subprocess.Popen([sys.executable, "-m", "drill", "graph", "a*b", "a=1", "b=2", "--file",
                              str(hangs)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until = time.monotonic() + 30
        while graph.pid not in flock_holders(drill_home / "in-use.lock"):
            assert time.monotonic() < until and graph.poll() is None
            time.sleep(0.05)
        database = (drill_home / "drill.sqlite3").stat().st_ino
        refused = drill("restore")
        assert refused.exit_code == 2 and refused.output.count("\n") == 1, refused.output
        assert "another drill is using this home's database" in refused.output
        assert (drill_home / "drill.sqlite3").stat().st_ino == database
        assert not list(drill_home.glob("drill-*-replaced.sqlite3"))
    finally:
        graph.kill()
        graph.wait()
    assert drill("restore", now="2026-11-26T10:00:00+00:00").exit_code == 0
