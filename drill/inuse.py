"""Which drills use a home's database now, so that `drill restore` never swaps it under one.

Every drill that opens the database, or guards it around a grading, holds a shared lock on
DRILL_HOME/in-use.lock until it exits; `drill restore` takes that lock alone for the swap, or
refuses. Without it, a restore made while `drill check` graded sent the check's new version into
the file set aside, and one made while `drill graph` ran was undone by the grading's guard (it
saw the database change and put its copy back, with the hints taken since). The lock is the
kernel's: a drill killed outright holds nothing.
"""
import fcntl
import os
from contextlib import contextmanager

from drill.errors import DrillError

_held = {}  # {"folder": the home this process holds a lock in, "fd": its descriptor}


def use(folder):
    """Hold the home `folder`'s lock, shared, for the rest of this process (waiting while a
    restore swaps the database). One home at a time: a process moving to another home lets go
    of the last. A home drill cannot write to is used without a lock: nothing can restore it."""
    folder = os.fspath(folder)
    if _held.get("folder") == folder:
        return
    _let_go()
    try:
        fd = os.open(os.path.join(folder, "in-use.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                     0o600)
    except OSError:
        return
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held.update(folder=folder, fd=fd)


@contextmanager
def alone(folder):
    """The home's lock held by this process alone for the body (a restore's swap), then shared
    again; a DrillError at once if another drill uses the database."""
    use(folder)
    fd = _held.get("fd") if _held.get("folder") == os.fspath(folder) else None
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(fd, fcntl.LOCK_SH)  # a failed change of lock may have dropped the old
            raise DrillError("another drill is using this home's database (a check, a graph, a "
                             "training or a command still running): let it end, then restore"
                             ) from None
    try:
        yield
    finally:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)


def _let_go():
    fd = _held.pop("fd", None)
    _held.pop("folder", None)
    if fd is not None:
        os.close(fd)
