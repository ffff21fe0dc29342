"""The learner's backups: consistent, checked, compressed copies of the database in
DRILL_HOME/backups and in the folder the `backup_dir` setting names, thinned by a rotation in
the spirit of Anki's; drill.store.restore puts one back.

A backup is made with SQLite's backup API (never a file copy of a live database) into a file of
its own, checked with `PRAGMA integrity_check`, compressed, synced to disk and only then given
its name: a file with a backup's name is whole and was good when made, and drill killed at any
moment leaves the database and every earlier backup as they were (the half file it leaves ends
in `.part`, and the next backup sweeps it). The name says when it was made (UTC) and how many
attempts it holds, so listing them opens none:

    drill-2026-11-26T090000Z-12-attempts.sqlite3.gz

Gunzipped, a backup is an ordinary SQLite file that `sqlite3` opens.

drill.store.autobackup makes them on its own. The grader's copy of the database
(drill.grader.dataguard, DRILL_HOME/backup) is listed and restored beside them: it is the
freshest copy there is, made after each graded version, to undo a grading that harmed the
database. `way_back` is the words that name the newest good one wherever the database fails.
"""
import json
import os
import re
import sqlite3
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from drill.errors import DrillError
from drill.store.busy import BUSY_S

NAME = re.compile(r"drill-(\d{4}-\d\d-\d\dT\d{6}Z)-(\d+)-attempts\.sqlite3\.gz")
STAMP = "%Y-%m-%dT%H%M%SZ"
LEVEL = 1  # gzip's fastest: versions are compressed already, and a backup must be quick
STATE = ".state.json"  # the last backup made ("made") and the last problem said ("said")


@dataclass
class Backup:
    """A backup found in a folder, or the grader's copy (`copy`)."""
    path: Path
    at: datetime
    attempts: int  # None for a grader's copy that cannot be read
    size: int
    copy: bool = False

    def to_dict(self):
        return {"at": self.at.isoformat(), "size": self.size, "attempts": self.attempts,
                "path": str(self.path), "kind": "copy" if self.copy else "backup"}


def folders(db_path):
    """Where backups of the database at `db_path` go: DRILL_HOME/backups, then the folder
    `backup_dir` names, if set."""
    from drill import config
    own = Path(db_path).parent / "backups"
    try:
        chosen = config.load()["backup_dir"]
    except DrillError:  # a config.toml drill cannot read is said by the commands that read it
        chosen = ""
    return [own] + ([Path(chosen)] if chosen and Path(chosen).resolve() != own.resolve() else [])


def found(db_path):
    """Every backup of the database at `db_path`, newest first: those in each folder, and the
    grader's copy."""
    backups = [b for place in folders(db_path) for b in in_folder(place)] + grader_copies(db_path)
    return sorted(backups, key=lambda b: (b.at, b.path.name), reverse=True)


def in_folder(place):
    """The backups in the folder `place` (none if it cannot be read)."""
    try:
        names = sorted(os.listdir(place))
    except OSError:
        return []
    backups = []
    for match in filter(None, map(NAME.fullmatch, names)):
        with suppress(OSError):  # gone meanwhile: another drill's rotation
            backups.append(Backup(Path(place, match[0]), datetime.strptime(match[1], STAMP)
                                  .replace(tzinfo=timezone.utc), int(match[2]),
                                  os.stat(Path(place, match[0])).st_size))
    return backups


def grader_copies(db_path):
    """The grader's copy of the database (drill.grader.dataguard names it after the file's
    device and inode), timed by when it was written."""
    db_path = Path(db_path)
    copies = []
    for path in (db_path.parent / "backup").glob(db_path.name + ".*"):
        if re.fullmatch(r"\.\d+-\d+", path.name[len(db_path.name):]):
            with suppress(OSError):
                stat = path.stat()
                copies.append(Backup(path, datetime.fromtimestamp(stat.st_mtime, timezone.utc),
                                     _attempts_in(path), stat.st_size, copy=True))
    return copies


def _attempts_in(path):
    """How many attempts the (not live) database file at `path` holds, or None."""
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?immutable=1", uri=True)
        try:
            return db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return None


def kept(times, now, last=10, days=7, weeks=4, months=12):
    """Which of the backups made at `times` the rotation keeps (their indexes): the newest
    `last`, and the newest of each of the latest `days` days, `weeks` weeks and `months` months
    that have one (in UTC), so that a learner who practises now and then keeps as many as one
    who practises daily. A backup made after `now` (the clock was set back) is kept."""
    order = sorted(range(len(times)), key=lambda i: times[i], reverse=True)
    keep = set(order[:last]) | {i for i in order if times[i] > now}
    for period, count in ((lambda t: t.date(), days), (lambda t: t.isocalendar()[:2], weeks),
                          (lambda t: (t.year, t.month), months)):
        newest = {}
        for i in order:
            newest.setdefault(period(times[i]), i)
        keep.update(list(newest.values())[:count])
    return keep


def make(db_path, at):
    """Back up the database at `db_path` now (`at`): into DRILL_HOME/backups, then a copy into
    backup_dir; each folder rotated. ([the Backup in each folder it reached], [what kept it from
    a folder, in words]). A DrillError if the database fails its check (a damaged database is
    never backed up) or DRILL_HOME/backups cannot be written."""
    db_path = Path(db_path)
    places = folders(db_path)
    try:
        with holding(places):
            target, at, attempts, progress = _packed(db_path, places[0], at)
            problems = [_place(target, place) for place in places[1:]]
            for place in places:
                _rotate(place, at)
            made_at(places[0], at, progress)
    except OSError as exc:
        raise DrillError(f"no backup was made of {db_path}: {exc.strerror or exc} in "
                         f"{places[0]}")
    landed = [place / target.name for place, problem in zip(places, [""] + problems)
              if not problem]
    return ([Backup(path, at, attempts, path.stat().st_size) for path in landed],
            [p for p in problems if p])


def _packed(db_path, folder, at):
    """(the backup file made in `folder`, when its name says it was made, attempts, progress):
    a copy of the database, checked, then compressed under its name."""
    work = folder / f".drill-{os.getpid()}.sqlite3.part"
    try:
        try:
            snapshot(db_path, work)
            attempts, progress = checked(work)
        except (DrillError, sqlite3.DatabaseError) as exc:
            why = exc if isinstance(exc, DrillError) else f"SQLite cannot read it ({exc})"
            way = way_back(db_path)
            raise DrillError(f"no backup was made of {db_path}: {why}" + (f"; {way}" if way else ""))
        target, at = _free_name(folder, at, attempts)
        _write_whole(target, lambda out: _gzip(work, out))
        return target, at, attempts, progress
    finally:
        work.unlink(missing_ok=True)


def snapshot(db_path, target):
    """A consistent copy of the database at `db_path` (live, perhaps), read (never written)
    through SQLite's backup API."""
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_S)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def progress(db):
    """(attempts ended, the latest version's id) of an open database: what a backup holds of
    the learner's work, as `due` compares it."""
    ended, version = db.execute("SELECT COUNT(ended_at), (SELECT MAX(id) FROM snapshots) "
                                "FROM attempts").fetchone()
    return ended, version or 0


def checked(path):
    """(attempts, progress) of the database file at `path` after SQLite's integrity check
    (progress as `due` takes it); a DrillError saying what is wrong otherwise. The file is left
    in rollback-journal mode, so it opens anywhere as an ordinary SQLite file."""
    from drill.store.schema import MIGRATIONS
    try:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            verdict = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise DrillError(f"it fails SQLite's integrity check ({verdict[0]})")
            if db.execute("PRAGMA user_version").fetchone()[0] > len(MIGRATIONS):
                raise DrillError("it was written by a newer drill")
            db.execute("PRAGMA journal_mode = DELETE")
            return db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0], progress(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise DrillError(f"it is not a drill database that SQLite can read ({exc})")


def _free_name(folder, at, attempts):
    """The backup's name in `folder`: one made within the same second as another is named a
    second later, so that names stay in the order the backups were made."""
    while True:
        target = folder / (f"drill-{at.astimezone(timezone.utc).strftime(STAMP)}-{attempts}"
                           "-attempts.sqlite3.gz")
        if not any(b.at == at.replace(microsecond=0) for b in in_folder(folder)):
            return target, at.replace(microsecond=0)
        at += timedelta(seconds=1)


def _gzip(source, out):
    import gzip
    import shutil
    with open(source, "rb") as data, gzip.GzipFile("drill.sqlite3", "wb", LEVEL, out, 0) as gz:
        shutil.copyfileobj(data, gz, 1 << 20)


def _write_whole(target, fill):
    """Write `target` whole or not at all: `fill(file)` writes into a `.part` beside it, which is
    synced to disk and then renamed."""
    part = target.with_name(target.name + ".part")
    with open(part, "wb") as out:
        fill(out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, target)
    synced(target.parent)


def synced(folder):
    """Sync a folder's entries to disk (a rename in it survives a power cut)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _place(backup, place):
    """A copy of `backup` in the folder `place`; what kept it from there, in words, or ''."""
    import shutil
    problem = unreachable(place)
    if problem:
        return f"{problem}: this backup is only in {backup.parent}"
    try:
        with open(backup, "rb") as data:
            _write_whole(place / backup.name, lambda out: shutil.copyfileobj(data, out, 1 << 20))
    except OSError as exc:
        return f"backup_dir {place} refused a backup ({exc.strerror}): it is only in {backup.parent}"
    return ""


def unreachable(place):
    """Why backups cannot go to the folder `place`, in words, or ''."""
    if not Path(place).is_dir():
        return f"backup_dir {place} is missing (a drive not plugged in?)"
    if not os.access(place, os.W_OK | os.X_OK):
        return f"backup_dir {place} is not writable"
    return ""


def _rotate(place, now):
    """Remove the backups in `place` that the rotation does not keep (only files with a
    backup's name: a folder of the learner's may hold other things)."""
    backups = in_folder(place)
    keep = kept([b.at for b in backups], now)
    for i, backup in enumerate(backups):
        if i not in keep:
            with suppress(OSError):
                backup.path.unlink()


@contextmanager
def holding(places):
    """DRILL_HOME/backups to this drill alone while it makes or restores a backup: drills take
    turns, and a `.part` file found meanwhile was left by one that was killed, so it goes."""
    import fcntl
    places[0].mkdir(exist_ok=True)
    with open(places[0] / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for place in places:
            for leftover in place.glob("*.part*") if place.is_dir() else ():
                with suppress(OSError):
                    leftover.unlink()
        yield


def made_at(own, at, progress):
    """Note that the database, holding `progress` (as `due` takes it), is in a backup as of
    `at`: the next automatic one is due from there."""
    remember(own, made={"at": at.isoformat(), "ended": progress[0], "version": progress[1]})


def state(own):
    """What DRILL_HOME/backups/.state.json keeps: the last backup "made", the problem last
    "said"."""
    try:
        return json.loads((own / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remember(own, **changes):
    kept = {**state(own), **changes}
    with suppress(OSError):
        _write_whole(own / STATE, lambda out: out.write(json.dumps(kept).encode()))


def newest_good(backups):
    """The newest of `backups` (a database's, newest first: `found`) to name as the way back,
    or None. A backup was checked when it was made; the grader's copy is checked now."""
    for backup in backups:
        if not backup.copy or _passes_quick_check(backup.path):
            return backup
    return None


def _passes_quick_check(path):
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?immutable=1", uri=True)
        try:
            return db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            db.close()
    except sqlite3.Error:
        return False


def described(backup):
    """When a backup was made (local time), what it holds, and whether it is drill's copy."""
    held = "" if backup.attempts is None else \
        f", {backup.attempts} attempt{'' if backup.attempts == 1 else 's'}"
    return (backup.at.astimezone().strftime("%Y-%m-%d %H:%M") + held +
            (", drill's copy" if backup.copy else ""))


def way_back(db_path, keeping=True, backups=None):
    """The words that name the newest good backup and `drill restore`, or '' if there is none;
    `backups`: the database's, where the caller has listed them already (`found`). Never fails:
    it is said while something else already has."""
    try:
        best = newest_good(found(db_path) if backups is None else backups)
    except (OSError, sqlite3.Error):
        return ""
    if best is None:
        return ""
    return (f"`drill restore` puts back the newest good backup ({described(best)})" +
            (", keeping the damaged file" if keeping else ""))
