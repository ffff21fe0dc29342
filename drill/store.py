"""Everything drill remembers, in one SQLite file in DRILL_HOME: attempts and every graded version.

The schema is versioned with `PRAGMA user_version` and grows by the migrations below, one
transaction each. The file runs in WAL mode with a busy timeout, so two drill processes at once
wait for each other rather than fail; every change is its own transaction, so killing drill at
any moment loses nothing already written. A file that is not a drill database, or comes from a
newer drill, is reported and never touched.
"""
import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from drill.errors import DrillError

BUSY_S = 30  # how long to wait for another drill holding the database

MIGRATIONS = [
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        chunk TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'practice',
        file TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        active_s REAL NOT NULL DEFAULT 0,
        paused_s REAL NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL DEFAULT 'open'
            CHECK (outcome IN ('open', 'passed', 'failed', 'abandoned')),
        hints_used INTEGER NOT NULL DEFAULT 0,
        peeked INTEGER NOT NULL DEFAULT 0,
        checks INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        taken_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        content TEXT NOT NULL,
        passed INTEGER,
        result TEXT
    );
    CREATE INDEX snapshots_by_attempt ON snapshots (attempt_id, id);
    """,
    # Time away from an attempt does not count: while paused or quit, `paused_since` holds when
    # that began; while watched, `last_seen` is refreshed, so a drill killed outright resumes
    # with the time since it was last seen counted as away.
    """
    ALTER TABLE attempts ADD COLUMN paused_since TEXT;
    ALTER TABLE attempts ADD COLUMN last_seen TEXT;
    """,
    # Each chunk's FSRS card as fsrs serialises it, rewritten whenever the reviews change.
    """
    CREATE TABLE cards (chunk TEXT PRIMARY KEY, card TEXT NOT NULL, updated_at TEXT NOT NULL);
    """,
    # A speedrun is an attempt of kind 'speedrun'; each chunk whose suite first passes in it
    # is a split, at the run's active time then.
    """
    CREATE TABLE splits (
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        chunk TEXT NOT NULL,
        at_s REAL NOT NULL,
        PRIMARY KEY (attempt_id, chunk)
    );
    """,
    # A worksheet attempt (chain) keeps the seed its sheet was written from, so the same sheet
    # can be written again (reset, show) and the answers graded against it.
    """
    ALTER TABLE attempts ADD COLUMN seed INTEGER;
    """,
]


@dataclass
class Attempt:
    id: int
    chunk: str
    kind: str
    file: str
    started_at: str
    ended_at: str
    active_s: float
    paused_s: float
    outcome: str
    hints_used: int
    peeked: int
    checks: int
    paused_since: str = None
    last_seen: str = None
    seed: int = None

    def to_dict(self):
        return asdict(self)

    def active_s_at(self, moment):
        """Active seconds so far at `moment`: wall time since the start, less time away."""
        if self.ended_at:
            return self.active_s
        until = datetime.fromisoformat(self.paused_since) if self.paused_since else moment
        return max((until - datetime.fromisoformat(self.started_at)).total_seconds()
                   - self.paused_s, 0.0)


@dataclass
class Snapshot:
    id: int
    attempt_id: int
    taken_at: str
    reason: str
    content: str
    passed: int
    result: str

    def to_dict(self):
        data = asdict(self)
        data["result"] = json.loads(self.result) if self.result else None
        return data


class Store:
    """The database at `path`, opened and brought up to the current schema."""

    def __init__(self, path):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_S, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):  # checked before anything writes to the file
                self.db.close()
                raise DrillError(f"{path} was written by a newer drill (schema {version}, "
                                 f"this one knows {len(MIGRATIONS)}); upgrade drill to use it")
            self._use_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate(version)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise self._damaged(exc)
            raise DrillError(f"{path} stayed busy for {BUSY_S} s (another drill is writing "
                             "to it); try again in a moment")
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc)

    def _damaged(self, exc):
        return DrillError(f"{self.path} is not a drill database or is damaged ({exc}); "
                          "drill left it as it is: move it away to start afresh")

    def _use_wal(self):
        """Switch a new database to WAL. The switch needs the file to itself and SQLite does
        not wait for that, so wait here while another drill is busy creating it."""
        deadline = time.monotonic() + BUSY_S
        while self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _migrate(self, version):
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                # Another drill may have migrated while this one waited for the lock.
                if self.db.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def transaction(self):
        return _Transaction(self.db)

    def close(self):
        self.db.close()

    def start_attempt(self, chunk, file, started_at, kind="practice", seed=None):
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO attempts (chunk, kind, file, started_at, seed) VALUES (?, ?, ?, ?, ?)",
                (chunk, kind, str(file), _iso(started_at), seed))
        return cursor.lastrowid

    def add_snapshot(self, attempt_id, content, taken_at, reason, result=None):
        """Keep one version of the learner's file; `result` is a GradeResult when it was graded."""
        passed = None if result is None else int(result.passed)
        data = None if result is None else json.dumps(result.to_dict())
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO snapshots (attempt_id, taken_at, reason, content, passed, result) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (attempt_id, _iso(taken_at), reason, content, passed, data))
            if result is not None:
                self.db.execute("UPDATE attempts SET checks = checks + 1 WHERE id = ?",
                                (attempt_id,))
        return cursor.lastrowid

    def count(self, attempt_id, column):
        """Add one to a counter of the attempt (hints_used, peeked)."""
        if column not in ("hints_used", "peeked"):
            raise ValueError(column)
        with self.transaction():
            self.db.execute(f"UPDATE attempts SET {column} = {column} + 1 WHERE id = ?",
                            (attempt_id,))

    def finish_attempt(self, attempt_id, outcome, ended_at):
        """End the attempt; its active time is the wall time since its start less time away."""
        active = self.attempt(attempt_id).active_s_at(ended_at)
        with self.transaction():
            self.db.execute("UPDATE attempts SET outcome = ?, ended_at = ?, active_s = ?, "
                            "paused_since = NULL WHERE id = ?",
                            (outcome, _iso(ended_at), active, attempt_id))

    def pause(self, attempt_id, at):
        """Stop the attempt's clock from `at` (a pause, or quitting to resume later)."""
        with self.transaction():
            self.db.execute("UPDATE attempts SET paused_since = ? WHERE id = ? AND "
                            "paused_since IS NULL", (_iso(at), attempt_id))

    def resume(self, attempt_id, at):
        """Start the clock again: the time since the pause, or since drill was last seen
        watching (it was killed), counts as away."""
        attempt = self.attempt(attempt_id)
        since = attempt.paused_since or attempt.last_seen
        away = (at - datetime.fromisoformat(since)).total_seconds() if since else 0.0
        with self.transaction():
            self.db.execute("UPDATE attempts SET paused_s = paused_s + ?, paused_since = NULL, "
                            "last_seen = NULL WHERE id = ?", (max(away, 0.0), attempt_id))

    def seen(self, attempt_id, at):
        """Drill is watching this attempt at `at` (a heartbeat)."""
        with self.transaction():
            self.db.execute("UPDATE attempts SET last_seen = ? WHERE id = ?",
                            (_iso(at), attempt_id))

    def best_time(self, chunk, kind="practice"):
        """The personal best: the shortest active time of a passed attempt, or None."""
        row = self.db.execute("SELECT MIN(active_s) FROM attempts WHERE chunk = ? AND "
                              "outcome = 'passed' AND kind = ?", (chunk, kind)).fetchone()
        return row[0]

    def attempt(self, attempt_id):
        row = self.db.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise DrillError(f"no attempt {attempt_id} (drill history lists them)")
        return Attempt(**row)

    def attempts(self, chunk=None):
        query, args = "SELECT * FROM attempts", ()
        if chunk:
            query, args = query + " WHERE chunk = ?", (chunk,)
        return [Attempt(**row) for row in self.db.execute(query + " ORDER BY id", args)]

    def open_attempt(self, chunk=None, kind=None):
        """The latest open attempt (at `chunk`, of `kind`, if given), or None."""
        return next((a for a in reversed(self.attempts(chunk)) if a.outcome == "open"
                     and kind in (None, a.kind)), None)

    def add_split(self, attempt_id, chunk, at_s):
        """Record that `chunk` first passed `at_s` seconds into the run (once per chunk)."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO splits (attempt_id, chunk, at_s) "
                            "VALUES (?, ?, ?)", (attempt_id, chunk, at_s))

    def splits(self, attempt_id):
        """[(chunk, seconds)] of a run, in completion order."""
        rows = self.db.execute("SELECT chunk, at_s FROM splits WHERE attempt_id = ? "
                               "ORDER BY at_s, rowid", (attempt_id,))
        return [(row["chunk"], row["at_s"]) for row in rows]

    def snapshots(self, attempt_id):
        rows = self.db.execute("SELECT * FROM snapshots WHERE attempt_id = ? ORDER BY id",
                               (attempt_id,))
        return [Snapshot(**row) for row in rows]

    def passed_chunks(self):
        """The names of the chunks with a passed attempt."""
        return {row[0] for row in self.db.execute(
            "SELECT DISTINCT chunk FROM attempts WHERE outcome = 'passed'")}

    def ever_passed(self, chunk):
        row = self.db.execute("SELECT 1 FROM attempts WHERE chunk = ? AND outcome = 'passed'",
                              (chunk,)).fetchone()
        return row is not None


    def save_cards(self, cards, at):
        """Replace every card with `cards` ({chunk: card as JSON}) in one transaction."""
        with self.transaction():
            self.db.execute("DELETE FROM cards")
            self.db.executemany("INSERT INTO cards (chunk, card, updated_at) VALUES (?, ?, ?)",
                                [(chunk, card, _iso(at)) for chunk, card in cards.items()])

    def load_cards(self):
        return {row["chunk"]: row["card"] for row in self.db.execute("SELECT * FROM cards")}

    def dump(self):
        """Every attempt and snapshot as plain data (drill export)."""
        return {"attempts": [dict(row) for row in
                             self.db.execute("SELECT * FROM attempts ORDER BY id")],
                "snapshots": [dict(row) for row in
                              self.db.execute("SELECT * FROM snapshots ORDER BY id")],
                "splits": [dict(row) for row in
                           self.db.execute("SELECT * FROM splits ORDER BY attempt_id, at_s")]}

    def restore(self, data):
        """Put an export's attempts and snapshots into this store, which must be empty."""
        if self.attempts():
            raise DrillError(f"{self.path} already holds attempts; import goes into an empty "
                             "home (set DRILL_HOME to a new folder)")
        with self.transaction():
            for table in ("attempts", "snapshots", "splits"):
                for row in data.get(table, []):
                    columns = ", ".join(row)
                    marks = ", ".join("?" for _ in row)
                    self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                    tuple(row.values()))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an exception: one change, all or nothing."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _iso(moment):
    return moment.isoformat()


def open_store():
    """The learner's store in DRILL_HOME."""
    from drill.paths import home
    return Store(home() / "drill.sqlite3")
