"""What the read commands (today, stats) ask of the whole history: the summary, summed by SQLite
and cached until the history changes, the attempts that may be reviews, and the FSRS cards and
review history built from them. A part of Store (drill.store.database)."""
import json
import time
from datetime import date, datetime

from drill.store.records import Attempt, as_iso


class Summaries:
    """Store's summaries and cards (a mixin: Store gives it `db`, `read_only` and `transaction`;
    Attempts the open attempt)."""

    def save_cards(self, cards, at, reviews=()):
        """Replace every card with `cards` ({chunk: card as JSON}), and the review history
        they were built from, in one transaction."""
        with self.transaction():
            self.db.execute("DELETE FROM cards")
            self.db.executemany("INSERT INTO cards (chunk, card, updated_at) VALUES (?, ?, ?)",
                                [(chunk, card, as_iso(at)) for chunk, card in cards.items()])
            self.db.execute("DELETE FROM reviews")
            self.db.executemany("INSERT INTO reviews (attempt_id, chunk, at, rating, why) "
                                "VALUES (?, ?, ?, ?, ?)",
                                [(r.attempt_id, r.chunk, as_iso(r.at), r.rating, r.why)
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
        key = json.dumps([*self.db.execute(  # attempts are added, and end, never removed
            "SELECT MAX(id), (SELECT group_concat(id) FROM attempts WHERE outcome = 'open'), "
            "(SELECT COUNT(*) FROM reviews), (SELECT MAX(updated_at) FROM cards) FROM attempts"
            ).fetchone(),
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
        """The attempts that may be reviews: the first finished attempt of each chunk on each
        day that can be rated (schedule.reviews keeps exactly these), oldest first. One
        abandoned in its first minute is rated nothing, so the next one that day is the review."""
        from drill.days import sql_day
        from drill.schedule import RATED_SQL
        rows = self.db.execute(
            f"SELECT *, MIN(ended_at) FROM attempts WHERE ended_at IS NOT NULL AND "
            f"{RATED_SQL} GROUP BY chunk, {sql_day('ended_at', day_start_hour)} "
            "ORDER BY ended_at")
        return [Attempt(**{k: row[k] for k in row.keys() if k != "MIN(ended_at)"})
                for row in rows]
