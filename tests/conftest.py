"""Every test runs with its own DRILL_HOME and a fixed clock: the real home folder is never touched."""
import os
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from drill.catalog import load_catalog
from drill.cli import cli
from drill.grader.parent import grade
from drill.grader.warm import ForkServer
from drill.learner_file import read

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "micrograd.py"
CHUNKS = {c.name: c for c in load_catalog()}
DRILL_EXE = str(Path(sys.executable).with_name("drill"))  # the installed command


@pytest.fixture(autouse=True)
def drill_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DRILL_HOME", str(home))
    monkeypatch.setenv("DRILL_NOW", "2026-11-26T09:00:00+00:00")
    monkeypatch.setenv("DRILL_GRADER_IDLE", "0")  # no grader left behind unless a test wants one
    from drill.store import autobackup
    # A database a test opened itself (open_store, no command) waits for the next command's
    # backup, which would then be made in this test's home, with its backup_dir.
    autobackup._opened.clear()
    return home


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory):
    """drill's own list of the suites' tests, worked out once for the whole run rather than
    in every test's new DRILL_HOME (drill's subprocesses inherit the variable)."""
    import os
    os.environ["DRILL_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    os.environ.pop("DRILL_CACHE", None)


@pytest.fixture
def memory_tmp(tmp_path):
    """A folder in memory (/dev/shm) where the machine has one, else tmp_path: a tree of
    thousands of folders is removed in a second there, and in fifteen on a busy disk."""
    import tempfile

    from drill.grader.folders import remove_tree
    if not os.path.isdir("/dev/shm"):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="drill-test-"))
    yield folder
    remove_tree(folder)  # what a test leaves there may be too deep for shutil.rmtree


WARM = {}  # the session's warm grader, which verdict() grades with unless told otherwise


@pytest.fixture(scope="session", autouse=True)
def warm_grader():
    """One fork server for the whole run: the many gradings of the suites' tests fork from it,
    as watch mode's do. test_grading grades the hostile files cold as well."""
    with ForkServer() as server:
        WARM["server"] = server
        yield server


PATHS = ["cold", "warm", "reused"]  # the ways a grading's child starts: every sandbox test tries each


@pytest.fixture(scope="session", autouse=True)
def resident_grader(tmp_path_factory):
    """The grader `drill check` leaves behind, for the home of its own it is started in (on
    first use) and for the whole run; stopped at the end."""
    yield
    if RESIDENT:
        RESIDENT["stop"]()


RESIDENT = {}


def launcher(path):
    """What starts the child on the grading path `path` (PATHS): a cold child started ahead
    (drill check with no grader up), watch mode's warm grader, or a connection to the grader drill check leaves
    behind (reused)."""
    from drill.grader.parent import StartedAhead
    if path == "cold":
        return StartedAhead(1)  # as drill check starts it, before its own work
    if path == "warm":
        return WARM["server"]
    if not RESIDENT:
        RESIDENT.update(start_resident(Path(tempfile.mkdtemp(prefix="drill-resident-")), 3600))
    return RESIDENT["connect"]()


def start_resident(home, idle_s, wait_s=60):
    """Leave a grader behind for `home` (idle timeout `idle_s`) and wait until it answers; a
    dict of `pid`, `address`, `connect()` (a resident.Resident) and `stop()`."""
    import signal
    import time

    from drill.grader import resident
    saved = {k: os.environ.get(k) for k in ("DRILL_HOME", "DRILL_GRADER_IDLE")}
    os.environ.update(DRILL_HOME=str(home), DRILL_GRADER_IDLE=str(idle_s))
    try:
        address = resident.address()
        resident.leave_behind()
        until = time.monotonic() + wait_s
        while True:
            found = resident.reused()
            if found is not None:
                found.close()
                break
            assert time.monotonic() < until, "the grader left behind never answered"
            time.sleep(0.05)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    pid = int(address.with_suffix(".lock").read_text())

    def connect():
        import socket
        sock = socket.socket(socket.AF_UNIX)
        resident._at(address, sock.connect)
        return resident.Resident(sock)

    def stop():
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return {"pid": pid, "address": address, "connect": connect, "stop": stop}


def verdict(chunk, path, profile="quick", **kwargs):
    """Grade `path` on `chunk`, a chunk or its name (with the warm grader unless `launcher` is
    given); the GradeResult."""
    chunk = CHUNKS[chunk] if isinstance(chunk, str) else chunk
    return grade(chunk, read(path), profile, **{"launcher": WARM["server"], **kwargs})


def failures(result):
    return "\n".join(f"{t.name} [{t.status}]: {t.message}" for t in result.tests if t.status != "pass")


def drill(*args, now=None):
    """Run a drill command in-process (DRILL_NOW set to `now` if given); its click Result."""
    return CliRunner().invoke(cli, list(args), env={"DRILL_NOW": now} if now else {},
                              catch_exceptions=False)


def leftovers():
    """Live (not zombie) processes a hostile file started: each names itself drill-<something>
    (PR_SET_NAME), so that a test can look for it."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            alive = proc.name.isdigit() and (proc / "stat").read_text().split(") ")[1][0] != "Z"
            if alive and (proc / "comm").read_text().startswith("drill-"):
                found.append(proc.name)
        except (OSError, IndexError):
            continue
    return found
