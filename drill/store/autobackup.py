"""Backups drill makes on its own: after an attempt ends, and every EVERY of a long one.

Once drill has recorded something (after the verdict is shown: never between a save and its
verdict), a thread works out whether one is due from the database and the last backup (`due`),
so that every way an attempt ends (a pass, abandon, a fresh start) leads to one. The backup
itself is made by a process of its own at the lowest priority (`python -m
drill.store.autobackup`): a thread of drill's would hold its interpreter's lock while waiting
for a core, and stall the watch loop and the grading that come first. The command waits for it
at its end (drill killed meanwhile, it finishes on its own). What kept a backup from a folder
is said once.
"""
import json
import os
import shutil
import sqlite3
import sys
import threading
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path

from drill.errors import DrillError
from drill.store.backups import (STATE, described, found, make, progress, remember, state,
                                 way_back)

EVERY = timedelta(minutes=30)  # the most practice an automatic backup may lag behind

_wanted = set()  # databases to look at, the worker's queue
_worker = None
_guard = threading.Lock()
_to_say = []
_opened = set()  # the learner's databases this command opened (drill.store.open_store)


def due(made, progress, now):
    """Whether an automatic backup is due, the last having been `made` ({"at", "ended",
    "version"}, or None) and the database now holding `progress` ((attempts ended, the latest
    version's id)): when an attempt has ended since, or versions have come in for EVERY."""
    ended, version = progress
    if made is None:
        return progress != (0, 0)
    if ended != made["ended"]:
        return True
    return version != made["version"] and now - datetime.fromisoformat(made["at"]) >= EVERY


def opened(db_path):
    """The command opened the learner's database at `db_path`: `afterwards` looks at it."""
    _opened.add(Path(db_path))


def automatic(db_path):
    """Make a backup of the database at `db_path` in the background if one is due. Cheap when
    nothing was written since the last look: the files' times are compared, nothing opened."""
    global _worker
    db_path = Path(db_path)
    own = db_path.parent / "backups"
    if not db_path.is_file() or not os.access(db_path.parent, os.W_OK) or not _news(db_path, own):
        return
    with _guard:
        _wanted.add(db_path)
        if _worker is None:
            _worker = threading.Thread(target=_in_background, name="drill-backups")
            _worker.start()


def _news(db_path, own):
    """Whether the database was written since backups last looked at it."""
    try:
        looked = os.stat(own / STATE).st_mtime
    except OSError:
        return True
    written = [os.stat(db_path).st_mtime]
    with suppress(OSError):
        log = os.stat(f"{db_path}-wal")
        if log.st_size:  # an empty log is a reader's: any command opening the database makes one
            written.append(log.st_mtime)
    return max(written) >= looked


def _in_background():
    """The worker: it is not a daemon, so drill exits once it is done."""
    global _worker
    while True:
        with _guard:
            if not _wanted:
                _worker = None
                return
            db_path = _wanted.pop()
        _tell(_backup_if_due(db_path), db_path.parent / "backups")


def _backup_if_due(db_path):
    """Make a backup if one is due: None if none was, else [what went wrong, in words]."""
    from drill.clock import now
    own = db_path.parent / "backups"
    try:
        moment = now()
        if not due(state(own).get("made"), _progress(db_path), moment):
            own.mkdir(exist_ok=True)
            (own / STATE).touch()  # looked: nothing to do until the database is written again
            return None
    except (OSError, sqlite3.Error) as exc:
        return [f"no backup was made of {db_path} ({exc})"]
    return _made_apart(db_path, moment)


def _progress(db_path):
    """(attempts ended, the latest version's id) of the database, as `due` takes them."""
    db = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return progress(db)
    finally:
        db.close()


def _made_apart(db_path, moment):
    """[what kept it from a folder] of a backup made by `main` in a process of its own, niced
    from its first instruction, in a session of its own (Ctrl-C at the prompt lets it finish)."""
    import subprocess  # here: every command that opens the store imports this module
    lowest = ["nice", "-n", "19"] if shutil.which("nice") else []
    made = subprocess.run([*lowest, sys.executable, "-I", "-m", "drill.store.autobackup",
                           str(db_path), moment.isoformat()], capture_output=True, text=True,
                          start_new_session=True)
    try:
        return json.loads(made.stdout)
    except ValueError:
        said = (made.stderr.strip().splitlines() or ["nothing said"])[-1]
        return [f"no backup was made of {db_path} (it ended with {made.returncode}: {said})"]


def main():
    """`python -m drill.store.autobackup DATABASE WHEN`: make the backup; print what kept it
    from a folder (JSON)."""
    try:
        problems = make(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]))[1]
    except DrillError as exc:
        problems = [str(exc)]
    print(json.dumps(problems))


def say(line):
    """Something about backups for the learner, said after the command (`settled`)."""
    _to_say.append(line)


def _tell(problems, own):
    """Keep what went wrong in making a backup to be said, each problem once: the same problem
    again is not said again until a backup has gone everywhere."""
    if problems is None:
        return
    said = state(own).get("said")
    if not problems:
        if said:
            remember(own, said=None)
        return
    if problems[0] != said:
        for problem in problems:
            say(problem)
        remember(own, said=problems[0])


def afterwards():
    """At the end of a command: a backup of each database it opened if one is due (an attempt
    may have ended), waited for (drill would wait for it before exiting anyway); what there is
    to say about backups, each thing once."""
    for db_path in list(_opened):
        automatic(db_path)
    _opened.clear()
    return settled()


def settled():
    """Wait for a backup being made in the background; what it has to say, once."""
    worker = _worker
    if worker is not None:
        worker.join()
    said, _to_say[:] = list(_to_say), []
    return said


if __name__ == "__main__":
    main()


def first_start(db_path):
    """A database missing from a home whose backups folder holds backups of it (it was there,
    and is gone) is a DrillError naming the way back. A home with no database but backups
    elsewhere (backup_dir, the grader's copy) is said, once: the command makes the database."""
    own = db_path.parent / "backups"
    backups = found(db_path)
    way = way_back(db_path, keeping=False, backups=backups)
    if way and any(b.path.parent == own for b in backups):
        raise DrillError(f"{db_path} is missing: {way}; to start afresh instead, move {own} "
                         "away")
    if backups:
        say(f"there is no database in {db_path.parent} yet, but {backups[0].path.parent} holds "
            f"a backup ({described(backups[0])}): `drill restore` puts it back")
