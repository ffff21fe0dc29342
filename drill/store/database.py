"""The store itself: the SQLite file opened, brought up to the current schema, and changed one
transaction at a time; its queries are the parts it is built from (attempts, versions,
summaries, transfer).

The schema is versioned with `PRAGMA user_version` and grows by the migrations of
drill.store.schema, one transaction each. The file runs in WAL mode with a busy timeout, so two
drill processes at once wait for each other rather than fail; every change is its own
transaction, so killing drill at any moment loses nothing already written. A file that is not a
drill database, or comes from a newer drill, is reported and never touched.
"""
import os
import sqlite3
import time
from pathlib import Path

from drill.errors import DrillError
from drill.store.attempts import Attempts
from drill.store.schema import MIGRATIONS
from drill.store.busy import BUSY_S
from drill.store.sqlite_errors import as_drill_error, read_only_message
from drill.store.summaries import Summaries
from drill.store.texts import with_functions
from drill.store.transfer import Transfer
from drill.store.versions import Versions


class Store(Attempts, Versions, Summaries, Transfer):
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


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an exception: one change, all or nothing."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _writable(path):
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def open_store():
    """The learner's store in DRILL_HOME. A database gone from a home that holds backups of it
    is never started afresh without a word (drill.store.autobackup.first_start)."""
    from drill.inuse import use
    from drill.paths import home
    from drill.store.autobackup import first_start, opened
    use(home())  # a restore waits for this drill to end (drill.inuse)
    path = home() / "drill.sqlite3"
    if not path.exists():
        first_start(path)
    store = Store(path)
    opened(path)  # looked at for a backup once the command is done
    return store
