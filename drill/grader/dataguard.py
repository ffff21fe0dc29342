"""Defence in depth for the learner's database: noticed if a grading changed it, and put back.

The sandbox (sandbox.py) already keeps the child away from DRILL_HOME. Should it be off, or
fail, the parent still notes the database's identity before a grading (its inode, its header,
its size) and compares after: another drill writing at the same time keeps all three (it may
grow the file, never swap, shrink or rewrite its header), a file that deletes, replaces or
truncates it does not. A changed database is restored from a copy SQLite's backup API made
before the grading; that copy is only remade when the database has changed since.
"""
import os
import sqlite3
from pathlib import Path

HEADER = 18  # "SQLite format 3\0" and the page size


def _identity(path):
    try:
        stat = os.stat(path)
        with open(path, "rb") as f:
            return stat.st_dev, stat.st_ino, f.read(HEADER), stat.st_size
    except OSError:
        return None


class DatabaseWatch:
    """Notes the database at `path` before a grading; `changed()` and `restore()` after."""

    def __init__(self, path):
        self.path = Path(path)
        self.copy = self.path.parent / "backup" / self.path.name
        self.before = _identity(self.path)
        if self.before is not None:
            self._back_up()

    def _back_up(self):
        try:
            if self.copy.exists() and self.copy.stat().st_mtime >= self.path.stat().st_mtime:
                return
            self.copy.parent.mkdir(exist_ok=True)
            fresh = self.copy.with_suffix(f".{os.getpid()}")
            _backup(self.path, fresh)
            os.replace(fresh, self.copy)
        except (OSError, sqlite3.Error):
            pass  # no copy this time: the previous one, if any, stays

    def changed(self):
        if self.before is None:
            return False
        now = _identity(self.path)
        return now is None or now[:3] != self.before[:3] or now[3] < self.before[3]

    def restore(self):
        """Put the copy back; a sentence saying what was done."""
        try:
            for leftover in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{leftover}").unlink(missing_ok=True)
            _backup(self.copy, self.path)
            return "it was restored from the copy made before the grading"
        except (OSError, sqlite3.Error) as exc:
            return f"drill could not restore it ({exc}); a copy is in {self.copy}"


def _backup(source, target):
    if not Path(source).exists():
        raise FileNotFoundError(source)
    with sqlite3.connect(source, timeout=10) as src, sqlite3.connect(target, timeout=10) as dst:
        src.backup(dst)
    src.close()
    dst.close()
