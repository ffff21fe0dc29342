"""Everything drill remembers, in one SQLite file in DRILL_HOME: attempts and every graded version.

The schema is versioned with `PRAGMA user_version` and grows by the migrations below, one
transaction each. The file runs in WAL mode with a busy timeout, so two drill processes at once
wait for each other rather than fail; every change is its own transaction, so killing drill at
any moment loses nothing already written. A file that is not a drill database, or comes from a
newer drill, is reported and never touched.
"""
import json
import os
import sqlite3
import time
import zlib
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

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
    # Years of practice: a version's text is kept zlib-compressed (`pack`) in `texts`, once
    # for a run of identical versions of one attempt; its result is compressed too. Indexes
    # let the read commands ask SQLite for sums instead of reading every attempt, and the
    # review history is kept beside the cards it builds (rebuilt with them).
    """
    CREATE TABLE texts (id INTEGER PRIMARY KEY, packed BLOB NOT NULL);
    INSERT INTO texts (id, packed) SELECT id, pack(content) FROM (
        SELECT id, content, LAG(content) OVER (PARTITION BY attempt_id ORDER BY id) AS before
        FROM snapshots) WHERE before IS NULL OR before IS NOT content;
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        taken_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        text_id INTEGER NOT NULL REFERENCES texts (id),
        passed INTEGER,
        result BLOB
    );
    INSERT INTO versions SELECT s.id, s.attempt_id, s.taken_at, s.reason,
        (SELECT MAX(t.id) FROM texts t JOIN snapshots o ON o.id = t.id
         WHERE o.attempt_id = s.attempt_id AND t.id <= s.id), s.passed, pack(s.result)
        FROM snapshots s;
    DROP TABLE snapshots;
    ALTER TABLE versions RENAME TO snapshots;
    CREATE INDEX snapshots_by_attempt ON snapshots (attempt_id, id);
    CREATE INDEX attempts_open ON attempts (id) WHERE outcome = 'open';
    CREATE INDEX attempts_by_chunk ON attempts (chunk, kind, outcome, active_s, hints_used,
                                                ended_at);
    CREATE INDEX attempts_by_end ON attempts (outcome, ended_at, active_s, chunk);
    CREATE TABLE reviews (attempt_id INTEGER PRIMARY KEY, chunk TEXT NOT NULL, at TEXT NOT NULL,
                          rating TEXT NOT NULL, why TEXT NOT NULL);
    CREATE INDEX reviews_by_chunk ON reviews (chunk, at);
    CREATE TABLE summaries (key TEXT PRIMARY KEY, summary TEXT NOT NULL);
    """,
    # A bug hunt is an attempt of kind 'hunt'; `mutant` names the bug it planted, one of the
    # chunk's mutants (chunks/<chunk>/mutants.toml).
    """
    ALTER TABLE attempts ADD COLUMN mutant TEXT;
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
    mutant: str = None

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
    """The database at `path`, opened and brought up to the current schema.

    In a folder drill cannot write to, the file is opened read-only (brought up to the schema
    in memory if it is older): the read commands work, and anything that would write says the
    folder is read-only.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.read_only = not _writable(self.path)
        try:
            self.db = self._connect()
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):  # checked before anything writes to the file
                self.db.close()
                raise DrillError(f"{path} was written by a newer drill (schema {version}, "
                                 f"this one knows {len(MIGRATIONS)}); upgrade drill to use it")
            if self.read_only and version < len(MIGRATIONS):
                self._into_memory()
            if not self.read_only:
                self._use_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate(version)
            if not self.read_only:
                self._take_back()
        except sqlite3.DatabaseError as exc:
            raise as_drill_error(exc, self.path)

    def _connect(self):
        if self.read_only and self.path.is_file():
            # Read-only needs the -shm file SQLite cannot create here; without it, the file
            # is read as it stands (immutable).
            for mode in ("mode=ro", "immutable=1"):
                db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True,
                                     isolation_level=None)
                try:
                    db.execute("SELECT COUNT(*) FROM sqlite_master")
                    break
                except sqlite3.OperationalError:
                    db.close()
        else:
            db = sqlite3.connect(":memory:" if self.read_only else self.path, timeout=BUSY_S,
                                 isolation_level=None)
        return with_functions(db)

    def _into_memory(self):
        """An older database in a read-only folder: a copy in memory, migrated there."""
        memory = sqlite3.connect(":memory:", isolation_level=None)
        self.db.backup(memory)
        self.db.close()
        self.db = with_functions(memory)

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
            with _Transaction(self.db):
                # Another drill may have migrated while this one waited for the lock.
                if self.db.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def transaction(self):
        if self.read_only:
            raise DrillError(read_only_message(self.path))
        return _Transaction(self.db)

    def close(self):
        self.db.close()

    def start_attempt(self, chunk, file, started_at, kind="practice", seed=None):
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO attempts (chunk, kind, file, started_at, seed) VALUES (?, ?, ?, ?, ?)",
                (chunk, kind, str(file), _iso(started_at), seed))
        return cursor.lastrowid

    def open_or_start(self, chunk, kind, file, at, fresh=False, seed=None, mutant=None):
        """(attempt, created): the open attempt at `chunk` of `kind`, or a new one (a hunt's
        planting `mutant`). The look and the insert are one transaction, so drills started at
        once open one attempt. With `fresh`, the open one is abandoned and a new one started."""
        with self.transaction():
            row = self.db.execute("SELECT id FROM attempts WHERE outcome = 'open' AND chunk = ? "
                                  "AND kind = ? ORDER BY id DESC LIMIT 1", (chunk, kind)).fetchone()
            if row and not fresh:
                return self.attempt(row["id"]), False
            if row:
                self._finish(row["id"], "abandoned", at)
            cursor = self.db.execute(
                "INSERT INTO attempts (chunk, kind, file, started_at, seed, mutant) "
                "VALUES (?, ?, ?, ?, ?, ?)", (chunk, kind, str(file), _iso(at), seed, mutant))
        return self.attempt(cursor.lastrowid), True

    def add_snapshot(self, attempt_id, content, taken_at, reason, result=None):
        """Keep one version of the learner's file; `result` is a GradeResult when it was graded.
        If the database refuses it, the version goes to a file beside the database, which the
        next drill to open the store takes back in."""
        data = None if result is None else json.dumps(result.to_dict())
        try:
            with self.transaction():
                return self._insert_version(attempt_id, content, _iso(taken_at), reason,
                                            None if result is None else int(result.passed), data)
        except sqlite3.DatabaseError as exc:
            if self.read_only or _busy(exc):
                raise
            aside = self.aside_path()
            with open(aside, "a", encoding="utf-8") as f:
                f.write(json.dumps({"attempt_id": attempt_id, "content": content,
                                    "taken_at": _iso(taken_at), "reason": reason,
                                    "result": data}) + "\n")
            raise DrillError(f"{self.path} refused this version ({exc}); it is kept in {aside} "
                             "and goes back in the next time drill starts. " + REPAIR)

    def _insert_version(self, attempt_id, content, taken_at, reason, passed, result):
        """Insert a version (in a transaction), sharing the text of the attempt's previous
        version when it is the same."""
        packed = pack(content)
        before = self.db.execute(
            "SELECT t.id, t.packed FROM snapshots s JOIN texts t ON t.id = s.text_id "
            "WHERE s.attempt_id = ? ORDER BY s.id DESC LIMIT 1", (attempt_id,)).fetchone()
        if before and before["packed"] == packed:
            text_id = before["id"]
        else:
            text_id = self.db.execute("INSERT INTO texts (packed) VALUES (?)",
                                      (packed,)).lastrowid
        cursor = self.db.execute(
            "INSERT INTO snapshots (attempt_id, taken_at, reason, text_id, passed, result) "
            "VALUES (?, ?, ?, ?, ?, ?)", (attempt_id, taken_at, reason, text_id, passed,
                                          pack(result)))
        if passed is not None:
            self.db.execute("UPDATE attempts SET checks = checks + 1 WHERE id = ?",
                            (attempt_id,))
        return cursor.lastrowid

    def aside_path(self):
        """Where versions the database refused wait to be taken back in."""
        return self.path.with_name(self.path.name + ".unsaved.jsonl")

    def _take_back(self):
        """Put back versions the database once refused (a graded pass ends its attempt), then
        remove their file. Left as it is while the database still refuses them: the command
        goes on, and meets the damage only if it reads the damaged part."""
        aside = self.aside_path()
        if not aside.is_file():
            return
        kept = [json.loads(line) for line in aside.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        try:
            left = self._put_back(kept)
        except sqlite3.DatabaseError:
            return
        if left:  # their attempts are not in this database: they stay aside, never lost
            aside.write_text("".join(json.dumps(v) + "\n" for v in left), encoding="utf-8")
        else:
            aside.unlink()

    def _put_back(self, kept):
        """Insert the kept versions whose attempt is in the database; the others."""
        left = []
        with self.transaction():
            for v in kept:
                if self.db.execute("SELECT 1 FROM attempts WHERE id = ?",
                                   (v["attempt_id"],)).fetchone() is None:
                    left.append(v)
                    continue
                passed = None if v["result"] is None else int(json.loads(v["result"])["passed"])
                self._insert_version(v["attempt_id"], v["content"], v["taken_at"], v["reason"],
                                     passed, v["result"])
                if passed and self.attempt(v["attempt_id"]).outcome == "open":
                    self._finish(v["attempt_id"], "passed", datetime.fromisoformat(v["taken_at"]))
        return left

    def count(self, attempt_id, column):
        """Add one to a counter of the attempt (hints_used, peeked)."""
        if column not in ("hints_used", "peeked"):
            raise ValueError(column)
        with self.transaction():
            self.db.execute(f"UPDATE attempts SET {column} = {column} + 1 WHERE id = ?",
                            (attempt_id,))

    def finish_attempt(self, attempt_id, outcome, ended_at):
        """End the attempt; its active time is the wall time since its start less time away."""
        with self.transaction():
            self._finish(attempt_id, outcome, ended_at)

    def _finish(self, attempt_id, outcome, ended_at):
        active = self.attempt(attempt_id).active_s_at(ended_at)
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

    def attempts(self, chunk=None, kind=None, latest=None):
        """The attempts (at `chunk`, of `kind`), oldest first; with `latest`, only that many
        of the most recent."""
        query, args = "SELECT * FROM attempts WHERE 1", []
        for column, value in (("chunk", chunk), ("kind", kind)):
            if value:
                query += f" AND {column} = ?"
                args.append(value)
        query += " ORDER BY id DESC" + (f" LIMIT {int(latest)}" if latest is not None else "")
        return [Attempt(**row) for row in self.db.execute(query, args)][::-1]

    def count_attempts(self, chunk=None):
        query = "SELECT COUNT(*) FROM attempts" + (" WHERE chunk = ?" if chunk else "")
        return self.db.execute(query, (chunk,) if chunk else ()).fetchone()[0]

    def open_attempt(self, chunk=None, kind=None):
        """The latest open attempt (at `chunk`, of `kind`, if given), or None."""
        row = self.db.execute(
            "SELECT * FROM attempts WHERE outcome = 'open' AND (?1 IS NULL OR chunk = ?1) "
            "AND (?2 IS NULL OR kind = ?2) ORDER BY id DESC LIMIT 1", (chunk, kind)).fetchone()
        return Attempt(**row) if row else None

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
        rows = self.db.execute(f"SELECT {VERSION_COLUMNS} FROM snapshots s JOIN texts t ON "
                               "t.id = s.text_id WHERE attempt_id = ? ORDER BY s.id",
                               (attempt_id,))
        return [Snapshot(**row) for row in rows]

    def passed_chunks(self):
        """The names of the chunks with a passed attempt."""
        return {row[0] for row in self.db.execute(
            "SELECT DISTINCT chunk FROM attempts WHERE outcome = 'passed'")}

    def hunts(self):
        """({chunk: [hunts, found]} of the finished bug hunts, [seconds of each found]),
        summed by SQLite."""
        per_chunk = {row[0]: [row[1], row[2]] for row in self.db.execute(
            "SELECT chunk, COUNT(*), SUM(outcome = 'passed') FROM attempts WHERE kind = 'hunt' "
            "AND ended_at IS NOT NULL GROUP BY chunk ORDER BY MIN(id)")}
        found = [row[0] for row in self.db.execute(
            "SELECT active_s FROM attempts WHERE kind = 'hunt' AND outcome = 'passed'")]
        return per_chunk, found

    def ever_passed(self, chunk):
        """Whether the learner ever wrote `chunk` until it passed (fixing a hunt's bug is not
        writing it)."""
        row = self.db.execute("SELECT 1 FROM attempts WHERE chunk = ? AND outcome = 'passed' "
                              "AND kind != 'hunt'", (chunk,)).fetchone()
        return row is not None

    def save_cards(self, cards, at, reviews=()):
        """Replace every card with `cards` ({chunk: card as JSON}), and the review history
        they were built from, in one transaction."""
        with self.transaction():
            self.db.execute("DELETE FROM cards")
            self.db.executemany("INSERT INTO cards (chunk, card, updated_at) VALUES (?, ?, ?)",
                                [(chunk, card, _iso(at)) for chunk, card in cards.items()])
            self.db.execute("DELETE FROM reviews")
            self.db.executemany("INSERT INTO reviews (attempt_id, chunk, at, rating, why) "
                                "VALUES (?, ?, ?, ?, ?)",
                                [(r.attempt_id, r.chunk, _iso(r.at), r.rating, r.why)
                                 for r in reviews])

    def has_reviews(self):
        return self.db.execute("SELECT 1 FROM reviews LIMIT 1").fetchone() is not None

    def load_cards(self):
        return {row["chunk"]: row["card"] for row in self.db.execute("SELECT * FROM cards")}

    def summary(self, day_start_hour=4):
        """The Summary of every attempt (drill.summary says what it holds): summed up by
        SQLite, and kept until an attempt ends or the reviews change, for the given day start
        and the system's time zone."""
        from drill.summary import from_json, to_json
        key = json.dumps([*self.db.execute(
            "SELECT COUNT(ended_at), MAX(id), (SELECT COUNT(*) FROM reviews), "
            "(SELECT MAX(updated_at) FROM cards) FROM attempts").fetchone(),
            day_start_hour, time.tzname, time.timezone, time.altzone])
        row = self.db.execute("SELECT summary FROM summaries WHERE key = ?", (key,)).fetchone()
        if row:
            found = from_json(row[0])
        else:
            found = self._sum_up(day_start_hour)
            if not self.read_only:
                with self.transaction():
                    self.db.execute("DELETE FROM summaries")
                    self.db.execute("INSERT INTO summaries VALUES (?, ?)", (key, to_json(found)))
        open_one = self.open_attempt()
        found.open_chunk = open_one.chunk if open_one else None
        return found

    def _sum_up(self, day_start_hour):
        from drill.days import sql_day
        from drill.summary import RECENT, ChunkFacts, Summary
        from drill.schedule import Review
        day = sql_day("ended_at", day_start_hour)
        found = Summary(*self.db.execute("SELECT COUNT(*), TOTAL(outcome = 'passed'), "
                                         "TOTAL(active_s) FROM attempts WHERE ended_at IS NOT NULL"
                                         ).fetchone())
        found.passed = int(found.passed)
        practice = "kind = 'practice' AND chunk = ? AND outcome = 'passed'"
        for row in self.db.execute("SELECT chunk, COUNT(*), TOTAL(outcome = 'passed'), "
                                   "TOTAL(hints_used), MIN(CASE WHEN outcome = 'passed' THEN "
                                   "active_s END) FROM attempts WHERE kind = 'practice' AND "
                                   "ended_at IS NOT NULL GROUP BY chunk").fetchall():
            chunk, passed = row[0], int(row[2])
            facts = found.chunks[chunk] = ChunkFacts(row[1], passed, int(row[3]), row[4])
            if passed:
                facts.median_s = self.db.execute(
                    f"SELECT AVG(active_s) FROM (SELECT active_s FROM attempts WHERE {practice} "
                    "ORDER BY active_s LIMIT ? OFFSET ?)",
                    (chunk, 2 - passed % 2, (passed - 1) // 2)).fetchone()[0]
                facts.times = [r[0] for r in self.db.execute(
                    f"SELECT active_s FROM attempts WHERE {practice} ORDER BY id DESC LIMIT ?",
                    (chunk, RECENT))][::-1]
        found.passed_chunks = {r[0] for r in self.db.execute(
            "SELECT DISTINCT chunk FROM attempts WHERE outcome = 'passed'")}
        for when, n in self.db.execute(f"SELECT {day} AS d, COUNT(*) FROM attempts "
                                       "WHERE outcome = 'passed' GROUP BY d"):
            found.passed_per_day[date.fromisoformat(when)] = n
        found.passed_days = set(found.passed_per_day)
        found.full_runs = {date.fromisoformat(when): best for when, best in self.db.execute(
            f"SELECT {day} AS d, MIN(active_s) FROM attempts WHERE outcome = 'passed' AND "
            "kind = 'speedrun' AND chunk = 'full' GROUP BY d")}
        found.first_reviews = {chunk: datetime.fromisoformat(at) for chunk, at in self.db.execute(
            "SELECT chunk, MIN(at) FROM reviews GROUP BY chunk")}
        found.retention = self.db.execute(
            "SELECT AVG(r.rating != 'Again') FROM reviews r JOIN (SELECT chunk, MIN(at) AS "
            "first FROM reviews GROUP BY chunk) f ON f.chunk = r.chunk WHERE r.at > f.first"
            ).fetchone()[0]
        for chunk in found.first_reviews:
            rows = self.db.execute("SELECT * FROM reviews WHERE chunk = ? ORDER BY at DESC "
                                   "LIMIT ?", (chunk, RECENT)).fetchall()
            found.reviews[chunk] = [Review(r["attempt_id"], chunk,
                                           datetime.fromisoformat(r["at"]), r["rating"],
                                           r["why"]) for r in reversed(rows)]
        return found

    def review_candidates(self, day_start_hour=4):
        """The attempts that may be reviews: the first finished practice attempt of each chunk
        on each day (schedule.reviews keeps exactly these), oldest first."""
        from drill.days import sql_day
        rows = self.db.execute(
            f"SELECT *, MIN(ended_at) FROM attempts WHERE ended_at IS NOT NULL AND "
            f"kind = 'practice' GROUP BY chunk, {sql_day('ended_at', day_start_hour)} "
            "ORDER BY ended_at")
        return [Attempt(**{k: row[k] for k in row.keys() if k != "MIN(ended_at)"})
                for row in rows]

    def dump(self):
        """Every attempt and version as plain data (drill export), and what could not be
        read of a damaged database: ({table: rows}, [what was lost, in words])."""
        data, lost = {}, []
        for table, query in (("attempts", "SELECT * FROM attempts"),
                             ("snapshots", f"SELECT {VERSION_COLUMNS} FROM snapshots s "
                                           "JOIN texts t ON t.id = s.text_id"),
                             ("splits", "SELECT attempt_id, chunk, at_s FROM splits")):
            data[table], missing = self._salvage(table, query)
            if missing:
                lost.append(f"{missing} of the {table} table")
        return data, lost

    def _salvage(self, table, query):
        """(rows, how many could not be read, in words): the whole table, or on a damaged
        page, each row that can still be read."""
        key = "s.rowid" if table == "snapshots" else "rowid"
        try:
            return [dict(row) for row in self.db.execute(f"{query} ORDER BY {key}")], None
        except sqlite3.DatabaseError:
            pass
        try:
            last = self.db.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            return [], "all"
        rows, failed = [], 0
        for rowid in range(1, last + 1):
            try:
                rows.extend(dict(r) for r in self.db.execute(f"{query} WHERE {key} = ?",
                                                             (rowid,)))
            except sqlite3.DatabaseError:
                failed += 1
        return rows, f"{failed} rows" if failed else None

    def restore(self, data):
        """Put an export's attempts and snapshots (checked by check_export) into this store,
        which must be empty."""
        if self.count_attempts():
            raise DrillError(f"{self.path} already holds attempts; import goes into an empty "
                             "home (set DRILL_HOME to a new folder)")
        with self.transaction():
            for row in data.get("attempts", []):
                self._insert("attempts", row)
            for row in data.get("snapshots", []):
                self._insert_version(row["attempt_id"], row["content"], row["taken_at"],
                                     row["reason"], row.get("passed"), row.get("result"))
            for row in data.get("splits", []):
                self._insert("splits", row)

    def _insert(self, table, row):
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def _whole(v):
    return type(v) is int


def _number(v):
    return type(v) in (int, float)


def _time(v):
    try:
        return datetime.fromisoformat(v) is not None
    except (TypeError, ValueError):
        return False


def _text(v):
    return isinstance(v, str)


def _maybe(test):
    return lambda v: v is None or test(v)


# What an export's records may hold: {table: {field: (check, what it must be, required)}}
EXPORT_FIELDS = {
    "attempts": {
        "id": (_whole, "a whole number", True), "chunk": (_text, "text", True),
        "kind": (_text, "text", False), "file": (_text, "text", True),
        "started_at": (_time, "an ISO 8601 time", True),
        "ended_at": (_maybe(_time), "an ISO 8601 time or null", False),
        "active_s": (_number, "a number", False), "paused_s": (_number, "a number", False),
        "outcome": (lambda v: v in ("open", "passed", "failed", "abandoned"),
                    "open, passed, failed or abandoned", False),
        "hints_used": (_whole, "a whole number", False), "peeked": (_whole, "a whole number", False),
        "checks": (_whole, "a whole number", False),
        "paused_since": (_maybe(_time), "an ISO 8601 time or null", False),
        "last_seen": (_maybe(_time), "an ISO 8601 time or null", False),
        "seed": (_maybe(_whole), "a whole number or null", False),
        "mutant": (_maybe(_text), "text or null", False)},
    "snapshots": {
        "id": (_whole, "a whole number", False), "attempt_id": (_whole, "a whole number", True),
        "taken_at": (_time, "an ISO 8601 time", True), "reason": (_text, "text", True),
        "content": (_text, "text", True), "passed": (_maybe(_whole), "0, 1 or null", False),
        "result": (_maybe(_text), "text or null", False)},
    "splits": {
        "attempt_id": (_whole, "a whole number", True), "chunk": (_text, "text", True),
        "at_s": (_number, "a number", True)},
}


def check_export(data, source):
    """Refuse, before anything is written, an export whose records are not what drill
    writes: a DrillError naming the first bad record."""
    from drill import config
    ids = set()
    for table, fields in EXPORT_FIELDS.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise DrillError(f"{source}: {table} must be a list of records")
        for number, row in enumerate(rows):
            where = f"{source}: {table}[{number}]"
            if not isinstance(row, dict):
                raise DrillError(f"{where} is not a record (a JSON object)")
            unknown = next((key for key in row if key not in fields), None)
            if unknown is not None:
                raise DrillError(f"{where} has a field drill does not know: {unknown!r}")
            for key, (valid, what, required) in fields.items():
                if key not in row:
                    if required:
                        raise DrillError(f"{where} lacks the field {key!r}")
                elif not valid(row[key]):
                    raise DrillError(f"{where}: {key} must be {what}, not {row[key]!r}")
            if table == "attempts":
                if row["id"] in ids:
                    raise DrillError(f"{where}: attempt id {row['id']} appears twice")
                ids.add(row["id"])
            elif row["attempt_id"] not in ids:
                raise DrillError(f"{where}: attempt_id {row['attempt_id']} is no attempt "
                                 "of the export")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise DrillError(f"{source}: settings must be a record")
    for key, value in settings.items():
        if key in config.SETTINGS:
            try:
                config.SETTINGS[key][1](str(value))
            except ValueError as exc:
                raise DrillError(f"{source}: setting {key} must be {exc}, not {value!r}")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an exception: one change, all or nothing."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _iso(moment):
    return moment if isinstance(moment, str) else moment.isoformat()


def pack(text):
    """A text as kept in the database: UTF-8, zlib-compressed (None stays None)."""
    return None if text is None else zlib.compress(text.encode("utf-8"))


def unpack(blob):
    return None if blob is None else zlib.decompress(blob).decode("utf-8")


VERSION_COLUMNS = ("s.id AS id, attempt_id, taken_at, reason, unpack(t.packed) AS content, "
                   "passed, unpack(result) AS result")
REPAIR = ("`drill export -o rescue.json` saves what it can still read; move the database "
          "away and `drill import rescue.json` starts afresh with it")


def with_functions(db):
    """A connection as the store uses it: rows by name, and the texts' pack and unpack."""
    db.row_factory = sqlite3.Row
    db.create_function("pack", 1, pack, deterministic=True)
    db.create_function("unpack", 1, unpack, deterministic=True)
    return db


def _writable(path):
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _busy(exc):
    return "locked" in str(exc) or "busy" in str(exc)


def read_only_message(path):
    return (f"{path.parent} is read-only: drill can show what it holds but not record "
            "anything; make the folder writable or set DRILL_HOME to another one")


def as_drill_error(exc, path=None):
    """The one line for an SQLite error met anywhere: busy, read-only, or damaged."""
    from drill.paths import home
    path = path or home() / "drill.sqlite3"
    if _busy(exc):
        return DrillError(f"{path} stayed busy for {BUSY_S} s (another drill is writing to "
                          "it); try again in a moment")
    if "readonly" in str(exc) or "read-only" in str(exc):
        return DrillError(read_only_message(Path(path)))
    if isinstance(exc, sqlite3.DatabaseError) and "file is not a database" in str(exc):
        return DrillError(f"{path} is not a drill database or is damaged ({exc}); drill left "
                          "it as it is: move it away to start afresh")
    return DrillError(f"{path} is damaged ({exc}); drill left it as it is. " + REPAIR)


def open_store():
    """The learner's store in DRILL_HOME."""
    from drill.paths import home
    return Store(home() / "drill.sqlite3")
