"""Defence in depth for the learner's database: noticed if a grading changed it, and put back.

The sandbox (sandbox.py) already keeps the child away from DRILL_HOME. Should it be off, or
fail, the parent still notes the database's identity before a grading (its inode, its header,
its size) and compares after: another drill writing at the same time keeps all three (it may
grow the file, never swap, shrink or rewrite its header), a file that deletes, replaces or
truncates it does not. A changed database is restored from a copy made with SQLite's backup API.

The copy is of one database file (its device and inode are in the copy's name). It is made
before the first grading, and then kept up to date after each graded version is recorded and
each attempt opened (`keep_copy`), in a thread of its own: a year of history is a copy of a few
hundred MB, a second of work that must stand neither before a verdict nor beside the grading's
children on the machine's cores. What a restore can lose is what was written after the last
such moment: the attempt's heartbeat, a hint counted, and only with the sandbox off.
"""
import os
import sqlite3
import threading
from contextlib import suppress
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
_copying = {}  # path: the thread bringing its copy up to date
_wanted = set()  # paths written to since their thread last looked
_lock = threading.Lock()


def _written_at(path):
    """When the database was last written: in WAL mode most writes reach only its log."""
    times = [os.stat(path).st_mtime]
    with suppress(OSError):
        times.append(os.stat(f"{path}-wal").st_mtime)
    return max(times)


def keep_copy(path):
    """Bring the copy of the database at `path` up to date in the background: one thread per
    database, which looks again if asked while it copies. It is not a daemon: a process that
    exits waits for it."""
    path = Path(path)
    with _lock:
        _wanted.add(path)
        if path in _copying:
            return
        thread = _copying[path] = threading.Thread(target=_copy_while_wanted, args=(path,))
    thread.start()


def _copy_while_wanted(path):
    while True:
        with _lock:
            if path not in _wanted:
                del _copying[path]
                return
            _wanted.discard(path)
        watch = DatabaseWatch(path, copy_now=False)
        if watch.before is not None:
            watch.copy_if_stale()


def _settled(path):
    """Wait for a copy of `path` being made, if one is."""
    thread = _copying.get(Path(path))
    if thread is not None:
        thread.join()


class DatabaseWatch:
    """Notes the database at `path` before a grading; `changed()` and `restore()` after. With
    `copy_now`, a database that has no copy yet gets one before the grading."""

    def __init__(self, path, copy_now=True):
        from drill.inuse import use
        self.path = Path(path)
        use(self.path.parent)  # no restore swaps the database while this drill guards it
        self.before = _identity(self.path)
        if self.before is not None:
            device, inode = self.before[:2]
            self.copy = self.path.parent / "backup" / f"{self.path.name}.{device}-{inode}"
            if copy_now and not self.copy.exists():
                _settled(self.path)
                self.copy_if_stale()

    def copy_if_stale(self):
        """A new copy if the database was written since the last one. It replaces that one
        only if the database kept its identity while it was read (a grading that damaged it
        in that time is restored from the copy before)."""
        fresh = self.copy.with_name(f"{self.copy.name}.{os.getpid()}-{threading.get_ident()}.part")
        try:
            self._sweep(others=False)
            if self.copy.exists() and self.copy.stat().st_mtime >= _written_at(self.path):
                return
            self.copy.parent.mkdir(exist_ok=True)
            _backup(f"file:{self.path}?mode=ro", str(fresh))
            if not self.changed() or not self.copy.exists():
                os.replace(fresh, self.copy)
                self._sweep(others=True)
        except (OSError, sqlite3.Error):
            pass  # no copy this time: the previous one, if any, stays
        finally:
            with suppress(OSError):
                fresh.unlink()

    def _sweep(self, others):
        """Copies that drills killed while they made them left half done, and (with `others`)
        copies of a database that is no longer this one (an older file, an older drill's)."""
        for other in self.copy.parent.glob(self.path.name + "*"):
            if other.suffix == ".part":
                maker = other.suffixes[-2].lstrip(".").split("-")[0]
                gone = maker.isdigit() and not alive(int(maker))
            else:
                gone = others and other != self.copy
            if gone:
                with suppress(OSError):
                    other.unlink()

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
        _settled(self.path)
        try:
            try:
                _backup(str(self.copy), str(self.path))  # page by page, as SQLite writes: drill's own
            except sqlite3.DatabaseError:      # connections stay valid; unless it is garbage
                for leftover in ("", "-wal", "-shm", "-journal"):
                    Path(f"{self.path}{leftover}").unlink(missing_ok=True)
                _backup(str(self.copy), str(self.path))
            return "it was restored from drill's copy, made after your last graded version"
        except (OSError, sqlite3.Error) as exc:
            return f"drill could not restore it ({exc}); a copy is in {self.copy}"


def alive(pid):
    """Whether a process `pid` lives (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


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
