"""What drill says when SQLite refuses: busy, read-only or damaged, each in one line with the
way out, wherever the error is met (the store, or any command through the CLI)."""
import sqlite3
from pathlib import Path

from drill.errors import DrillError
from drill.store.busy import BUSY_S, is_busy

def repair(path):
    """What to do about a database damaged in part: save what can still be read, and put back
    the newest good backup (or, with none, start afresh with what was saved)."""
    from drill.store.backups import way_back
    way = way_back(path)
    return ("`drill export -o rescue.json` saves what it can still read; " +
            (way if way else "move the database away and `drill import rescue.json` starts "
             "afresh with it"))


def read_only_message(path):
    return (f"{path.parent} is read-only: drill can show what it holds but not record "
            "anything; make the folder writable or set DRILL_HOME to another one")


def as_drill_error(exc, path=None):
    """The one line for an SQLite error met anywhere: busy, read-only, or damaged."""
    from drill.paths import home
    path = path or home() / "drill.sqlite3"
    if is_busy(exc):
        return DrillError(f"{path} stayed busy for {BUSY_S} s (another drill is writing to "
                          "it); try again in a moment")
    if "readonly" in str(exc) or "read-only" in str(exc):
        return DrillError(read_only_message(Path(path)))
    if isinstance(exc, sqlite3.DatabaseError) and "file is not a database" in str(exc):
        from drill.store.backups import way_back  # nothing in it can be read: no export
        way = way_back(path)
        return DrillError(f"{path} is damaged ({exc}): {way}" if way else
                          f"{path} is not a drill database or is damaged ({exc}); drill left "
                          "it as it is, and has no backup of it: move it away to start afresh")
    return DrillError(f"{path} is damaged ({exc}); drill left it as it is. " + repair(path))
