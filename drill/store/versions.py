"""The store's versions of the learner's file: each kept once per run of identical texts, and
a version the database refuses kept aside in a file until the next drill puts it back. A part
of Store (drill.store.database), which takes the aside versions back when it opens."""
import json
import os
import sqlite3
from datetime import datetime

from drill.errors import DrillError
from drill.store.records import Snapshot, as_iso
from drill.store.busy import is_busy
from drill.store.sqlite_errors import repair
from drill.store.texts import VERSION_COLUMNS, pack


ASIDE = ("attempt_id", "content", "taken_at", "reason", "result")  # a version kept aside


class Versions:
    """Store's versions (a mixin: Store gives it `db`, `path`, `read_only` and `transaction`;
    Attempts the attempts they belong to)."""

    def add_snapshot(self, attempt_id, content, taken_at, reason, result=None):
        """Keep one version of the learner's file; `result` is a GradeResult when it was graded.
        If the database refuses it, the version goes to a file beside the database, which the
        next drill to open the store takes back in."""
        data = None if result is None else json.dumps(result.to_dict())
        try:
            with self.transaction():
                return self._insert_version(attempt_id, content, as_iso(taken_at), reason,
                                            None if result is None else int(result.passed), data)
        except sqlite3.DatabaseError as exc:
            if self.read_only or is_busy(exc):
                raise
            aside = self.aside_path()
            with open(aside, "a", encoding="utf-8") as f:  # a line of its own, even after one
                f.write("\n" + json.dumps(dict(zip(ASIDE, (attempt_id, content,  # a full disk cut
                                                            as_iso(taken_at), reason, data))))
                        + "\n")
            raise DrillError(f"{self.path} refused this version ({exc}); it is kept in {aside} "
                             "and goes back in the next time drill starts. " + repair(self.path))

    def _insert_version(self, attempt_id, content, taken_at, reason, passed, result,
                        counted=True):
        """Insert a version (in a transaction), sharing the text of the attempt's previous
        version when it is the same; a graded one is a check of its attempt, unless it was
        `counted` already (an import brings the attempt's count along)."""
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
        if passed is not None and counted:
            self.db.execute("UPDATE attempts SET checks = checks + 1 WHERE id = ?",
                            (attempt_id,))
        return cursor.lastrowid

    def aside_path(self):
        """Where versions the database refused wait to be taken back in."""
        return self.path.with_name(self.path.name + ".unsaved.jsonl")

    def _take_back(self):
        """Put back versions the database once refused (a graded pass ends its attempt), then
        remove their file. Left as it is while the database still refuses them: the command
        goes on, and meets the damage only if it reads the damaged part. What stays aside is
        written to a new file before the versions put back are committed, and replaces the old
        one after: a full disk leaves all as it was, and a line a full disk cut short stays
        aside as it is, never lost."""
        aside = self.aside_path()
        if not aside.is_file():
            return
        kept, unread = [], []
        for line in aside.read_bytes().splitlines():
            try:
                version = json.loads(line)
                kept.append({key: version[key] for key in ASIDE})
            except (ValueError, TypeError, KeyError):
                unread += [line] if line.strip() else []
        fresh = aside.with_name(aside.name + f".{os.getpid()}.part")
        try:
            with self.transaction():
                rest = [json.dumps(v).encode() for v in self._put_back(kept)] + unread
                if rest:
                    fresh.write_bytes(b"".join(line + b"\n" for line in rest))
        except (sqlite3.DatabaseError, OSError):
            fresh.unlink(missing_ok=True)
            return
        if rest:
            os.replace(fresh, aside)
        else:
            aside.unlink()

    def _put_back(self, kept):
        """Insert the kept versions whose attempt is in the database (in the caller's
        transaction); the others."""
        left = []
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

    def snapshots(self, attempt_id):
        rows = self.db.execute(f"SELECT {VERSION_COLUMNS} FROM snapshots s JOIN texts t ON "
                               "t.id = s.text_id WHERE attempt_id = ? ORDER BY s.id",
                               (attempt_id,))
        return [Snapshot(**row) for row in rows]
