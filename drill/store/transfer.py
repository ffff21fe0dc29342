"""drill export and drill import: every attempt, version and split out of a store as plain data,
salvaging what can be read of a damaged one, and back into an empty store. A part of Store
(drill.store.database); drill.store.export_check vets an export before it comes back in."""
import sqlite3

from drill.errors import DrillError
from drill.store.texts import VERSION_COLUMNS


class Transfer:
    """Store's export and import (a mixin: Store gives it `db`, `path` and `transaction`;
    Attempts and Versions the inserts)."""

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
                                     row["reason"], row.get("passed"), row.get("result"),
                                     counted=False)
            for row in data.get("splits", []):
                self._insert("splits", row)

    def _insert(self, table, row):
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
