"""The store's attempts: starting and ending them, their clock (pauses, time away), counters and
speedrun splits, and the questions the commands ask of them. A part of Store
(drill.store.database), which opens the connection and transactions these use."""
from datetime import datetime

from drill.errors import DrillError
from drill.store.records import Attempt, as_iso


class Attempts:
    """Store's queries on attempts (a mixin: Store gives it `db` and `transaction`)."""

    def start_attempt(self, chunk, file, started_at, kind="practice", seed=None):
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO attempts (chunk, kind, file, started_at, seed) VALUES (?, ?, ?, ?, ?)",
                (chunk, kind, str(file), as_iso(started_at), seed))
        return cursor.lastrowid

    def open_or_start(self, chunk, kind, file, at, fresh=False, seed=None, mutant=None):
        """(attempt, created): the attempt already open, whatever its chunk and kind (one is
        open at a time), or a new one at `chunk` of `kind` (a hunt's planting `mutant`). The
        look and the insert are one transaction, so drills started at once open one attempt.
        With `fresh`, any open one is abandoned and a new one started."""
        with self.transaction():
            rows = self.db.execute("SELECT id FROM attempts WHERE outcome = 'open' "
                                   "ORDER BY id DESC").fetchall()
            if rows and not fresh:
                return self.attempt(rows[0]["id"]), False
            for row in rows:
                self._finish(row["id"], "abandoned", at)
            cursor = self.db.execute(
                "INSERT INTO attempts (chunk, kind, file, started_at, seed, mutant) "
                "VALUES (?, ?, ?, ?, ?, ?)", (chunk, kind, str(file), as_iso(at), seed, mutant))
        return self.attempt(cursor.lastrowid), True

    def give_hints(self, attempt_id, given):
        """Record the hints given so far (`given`, their numbers in order)."""
        import json
        with self.transaction():
            self.db.execute("UPDATE attempts SET hints_given = ?, hints_used = ? WHERE id = ?",
                            (json.dumps(given), len(given), attempt_id))

    def count(self, attempt_id, column):
        """Add one to a counter of the attempt (peeked)."""
        if column != "peeked":
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
                        (outcome, as_iso(ended_at), active, attempt_id))

    def pause(self, attempt_id, at):
        """Stop the attempt's clock from `at` (a pause, or quitting to resume later)."""
        with self.transaction():
            self.db.execute("UPDATE attempts SET paused_since = ? WHERE id = ? AND "
                            "paused_since IS NULL", (as_iso(at), attempt_id))

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
                            (as_iso(at), attempt_id))

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

    def latest_attempt(self, chunk=None, kind=None):
        """The latest attempt (at `chunk`, of `kind`, if given), or None."""
        return next(iter(self.attempts(chunk, kind, latest=1)), None)

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

    def passed_chunks(self):
        """The names of the chunks with a passed attempt: the next name after each, one step
        down the index of passes, rather than every pass read (a loose index scan)."""
        return {row[0] for row in self.db.execute(
            "WITH RECURSIVE passed(chunk) AS (SELECT MIN(chunk) FROM attempts WHERE outcome = "
            "'passed' UNION ALL SELECT (SELECT MIN(chunk) FROM attempts WHERE outcome = 'passed' "
            "AND chunk > passed.chunk) FROM passed WHERE chunk IS NOT NULL) "
            "SELECT chunk FROM passed WHERE chunk IS NOT NULL")}

    def draws(self, chunk):
        """[(seed, drawn, passed, best passed active_s or None, hints, latest outcome)] of the
        attempts at `chunk` per draw, summed by SQLite: a chunk that draws (extend) may have
        thousands of attempts, too many to read one by one for a page of figures."""
        rows = self.db.execute(
            "SELECT seed, COUNT(*), SUM(outcome = 'passed'), "
            "MIN(CASE WHEN outcome = 'passed' THEN active_s END), SUM(hints_used), MAX(id) "
            "FROM attempts WHERE chunk = ? GROUP BY seed", (chunk,)).fetchall()
        latest = dict(self.db.execute(
            f"SELECT id, outcome FROM attempts WHERE id IN ({','.join('?' * len(rows))})",
            [row[5] for row in rows]).fetchall()) if rows else {}
        return [(*row[:5], latest[row[5]]) for row in rows]

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
