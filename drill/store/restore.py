"""drill restore: a backup put back as the learner's database once it passes SQLite's integrity
check, the database it replaces kept beside it under a dated name. Restoring deletes nothing.
"""
import os
import sqlite3
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path

from drill.errors import DrillError
from drill.inuse import alone
from drill.store.backups import (STAMP, Backup, checked, folders, found, holding, in_folder,
                                 made_at, snapshot, synced)


def restore(db_path, at, name=None):
    """Put back the backup `name` (a path, or a name `drill backup --list` shows), or else the
    newest that passes its check, as the database at `db_path`. (the Backup put back, the path
    the database it replaced is kept at (None if there was none), [(a Backup passed over, why)]).
    A DrillError, and nothing changed, when no backup passes."""
    db_path = Path(db_path)
    watched = _watched(db_path.parent)
    if watched:
        raise DrillError(f"a drill is watching attempt {watched[0]} in another terminal: quit it "
                         "(q) first, or the database would change under it")
    candidates = [chosen(db_path, name)] if name else found(db_path)
    if not candidates:
        raise DrillError(f"there is no backup of {db_path} to restore (drill backup makes one)")
    try:
        with alone(db_path.parent):
            return _put_back(db_path, at, candidates, name)
    except OSError as exc:
        raise DrillError(f"drill could not restore {db_path}: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}")


def _put_back(db_path, at, candidates, name):
    """`restore`'s work, while no other drill makes or restores a backup."""
    places, skipped = folders(db_path), []
    with holding(places):
        work = places[0] / f".restoring-{os.getpid()}.sqlite3.part"
        try:
            for backup in candidates:
                try:
                    _unpack(backup.path, work)
                    backup.attempts, progress = checked(work)
                    break
                except DrillError as exc:
                    skipped.append((backup, str(exc)))
            else:
                raise DrillError(_none_passes(name, skipped))
            _sync(work)
            kept = _set_aside(db_path, at)
            os.replace(work, db_path)
            synced(db_path.parent)
            made_at(places[0], at, progress)  # what was put back is in a backup already
        finally:
            work.unlink(missing_ok=True)
    return backup, kept, skipped


def _watched(home):
    """The attempts a drill is watching now: drill.attempt.claim holds watching-<id>.lock."""
    import fcntl
    busy = []
    for lock in home.glob("watching-*.lock"):
        with suppress(OSError), open(lock) as held:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy.append(lock.stem.split("-", 1)[1])
    return busy


def chosen(db_path, name):
    """The backup `name`: its number in `drill backup --list`, its file, or its file's name."""
    backups = found(db_path)
    if name.isdigit():
        if not 1 <= int(name) <= len(backups):
            raise DrillError(f"there is no backup #{name}: drill backup --list numbers "
                             f"{'them from 1' if backups else 'none yet'}")
        return backups[int(name) - 1]
    path = Path(name).expanduser()
    if path.is_file():
        match = [b for b in in_folder(path.parent) if b.path.name == path.name]
        stat = path.stat()
        return match[0] if match else Backup(path.absolute(), datetime.fromtimestamp(
            stat.st_mtime, timezone.utc), None, stat.st_size)
    for backup in backups:
        if backup.path.name == name:
            return backup
    if path.is_dir():
        raise DrillError(f"{name} is a folder; name a backup file in it (drill backup --list "
                         "shows them)")
    raise DrillError(f"no backup called {name} (drill backup --list shows them)")


def _none_passes(name, skipped):
    backup, why = skipped[-1]
    if name:
        return f"{backup.path} cannot be restored: {why}; drill changed nothing"
    return (f"none of the {len(skipped)} backups passes its check (the oldest, {backup.path}: "
            f"{why}); drill changed nothing")


def _unpack(source, target):
    """The database a backup holds, written to `target`: a backup is gunzipped; a database file
    (the grader's copy, one a restore kept) is read through SQLite, with its write-ahead log."""
    import gzip
    import shutil
    import zlib
    try:
        with open(source, "rb") as raw:
            if raw.read(2) != b"\x1f\x8b":
                snapshot(Path(source), target)
                return
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) as data, open(target, "wb") as out:
                shutil.copyfileobj(data, out, 1 << 20)
    except (OSError, EOFError, zlib.error) as exc:
        raise DrillError(f"it cannot be read whole ({exc})")
    except sqlite3.DatabaseError as exc:
        raise DrillError(f"SQLite cannot read it ({exc})")


def _sync(path):
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _set_aside(db_path, at):
    """Keep the database being replaced beside it as drill-<when>-replaced.sqlite3, with its
    write-ahead log. What the log holds is first written into the database where SQLite can
    (nothing is written into a file it cannot read), so that no moment of the renames parts
    the two."""
    if not db_path.exists():
        return None
    log = Path(f"{db_path}-wal")
    if log.exists() and log.stat().st_size:
        with suppress(sqlite3.Error):
            db = sqlite3.connect(db_path)
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
    stamp = at.astimezone(timezone.utc).strftime(STAMP)
    kept, number = db_path.with_name(f"drill-{stamp}-replaced.sqlite3"), 1
    while kept.exists():
        number += 1
        kept = db_path.with_name(f"drill-{stamp}-replaced-{number}.sqlite3")
    for side in ("-wal", "-shm"):
        if Path(f"{db_path}{side}").exists():
            os.replace(f"{db_path}{side}", f"{kept}{side}")
    os.replace(db_path, kept)
    return kept
