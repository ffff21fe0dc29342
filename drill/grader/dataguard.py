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
MAGIC = b"SQLite format 3\0"


def _identity(path):
    """(device, inode, header, size), or None. The header is read through a descriptor kept
    open for good: closing any descriptor of the file would drop this process's POSIX locks on
    it, the store's included, and another drill would then remove the WAL from under it."""
    try:
        stat = os.stat(path)
        key = (stat.st_dev, stat.st_ino)
        if _held.get(path, (None,))[0] != key:
            _held[path] = (key, os.open(path, os.O_RDONLY | os.O_CLOEXEC))
        return stat.st_dev, stat.st_ino, os.pread(_held[path][1], HEADER, 0), stat.st_size
    except OSError:
        return None


_held = {}  # path: ((device, inode), descriptor), one for each database ever looked at


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
            fresh = self.copy.with_name(f"{self.copy.name}.{os.getpid()}")
            try:
                _backup(f"file:{self.path}?mode=ro", str(fresh))
                os.replace(fresh, self.copy)
            finally:
                fresh.unlink(missing_ok=True)
        except (OSError, sqlite3.Error):
            pass  # no copy this time: the previous one, if any, stays

    def changed(self):
        """Swapped, shrunk, or its header rewritten. A database in WAL mode may have no header
        yet (its pages still in the log): then only the first two count."""
        if self.before is None:
            return False
        now = _identity(self.path)
        if now is None or now[:2] != self.before[:2] or now[3] < self.before[3]:
            return True
        return self.before[2].startswith(MAGIC) and now[2] != self.before[2]

    def restore(self):
        """Put the copy back; a sentence saying what was done."""
        try:
            try:
                _backup(str(self.copy), str(self.path))  # page by page, as SQLite writes: drill's own
            except sqlite3.DatabaseError:      # connections stay valid; unless it is garbage
                for leftover in ("", "-wal", "-shm", "-journal"):
                    Path(f"{self.path}{leftover}").unlink(missing_ok=True)
                _backup(str(self.copy), str(self.path))
            return "it was restored from the copy made before the grading"
        except (OSError, sqlite3.Error) as exc:
            return f"drill could not restore it ({exc}); a copy is in {self.copy}"


def _backup(source, target):
    """Copy `source` (a path, or a read-only URI: a writable connection closing here could
    checkpoint and remove the WAL under drill's own open store) into `target`."""
    src = sqlite3.connect(source, timeout=10, uri=source.startswith("file:"))
    try:
        dst = sqlite3.connect(target, timeout=10)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
