"""The sandbox: files that attack the learner's data, the machine or the verdict's inputs fail
with their true reason, and leave everything as it was."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drill.grader import sandbox
from drill.grader.parent import ColdStart, Limits
from drill.learner_file import read
from drill.store import open_store

from conftest import CHUNKS, REFERENCE, drill, leftovers, verdict

HOSTILE = Path(__file__).parent / "hostile"
FAST = Limits(run_s=20, test_s=2, import_s=2)
CONFINED = all(p.on for p in sandbox.protections() if p.name != "memory")  # cgroup: where it can

ATTACKS = [
    ("wipes_database", "Permission denied"),
    ("daemon", ""),
    ("kills_drill", "No such process"),
    ("huge_file", "Permission denied: '/tmp/drill-huge-file'"),
    ("fork_bomb", "Resource temporarily unavailable"),
    ("rewrites_suites", "Permission denied"),
    ("plants_files", "Permission denied"),
    ("reads_reference", "Permission denied"),
    # a checkout's reference folder cannot even be listed; an installed one's file is refused
    ("drops_import_blocker", "micrograd"),
    ("lying_float", ""),
    ("forges_partial_reports", "a list of tests that is not drill's"),
    ("dup2_results", "the grader's results pipe"),
    ("segfault", "your file crashed the interpreter (SIGSEGV)"),
]


def fingerprint(*roots):
    """{path: sha256} of every file under `roots`: what must be byte for byte the same. Of the
    bytecode drill itself writes (__pycache__), only which files there are."""
    found = {}
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                found[str(path)] = "pyc" if path.parent.name == "__pycache__" else \
                    hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def learner(drill_home):
    """A learner's home with a database, a config and a workspace file: their data."""
    open_store().db.close()
    (drill_home / "config.toml").write_text('workspace = ""\n')
    (drill_home / "workspace").mkdir(exist_ok=True)
    (drill_home / "workspace" / "ops.py").write_text("class Value:\n    pass\n")
    return drill_home


def install():
    import sysconfig

    from drill.paths import PACKAGE, data_root
    pth = {str(p) for p in Path(sysconfig.get_paths()["purelib"]).glob("*.pth")}
    return fingerprint(PACKAGE, Path(data_root()) / "chunks", Path(data_root()) / "reference"), pth


@pytest.mark.skipif(not CONFINED, reason="the attacks are tried only inside a full sandbox")
@pytest.mark.parametrize("launcher", ["warm", "cold"])
@pytest.mark.parametrize("name, reason", ATTACKS)
def test_an_attack_fails_with_its_reason_and_leaves_everything_as_it_was(name, reason, launcher,
                                                                         learner, warm_grader):
    data, drill_files = fingerprint(learner / "drill.sqlite3", learner / "config.toml",
                                    learner / "workspace"), install()
    begun = time.monotonic()
    result = verdict("ops", HOSTILE / f"{name}.py", limits=FAST,
                     launcher=warm_grader if launcher == "warm" else ColdStart())
    assert time.monotonic() - begun < FAST.run_s + 2
    assert not result.passed and result.tests
    assert reason in result.problem
    time.sleep(2 if name == "daemon" else 0)  # the daemon meant to strike after the check
    assert fingerprint(learner / "drill.sqlite3", learner / "config.toml",
                       learner / "workspace") == data
    assert install() == drill_files
    assert leftovers() == []
    assert not os.path.exists("/tmp/drill-huge-file")


def test_numbers_are_read_through_floats_own_methods():
    from drill.grader import suitekit

    class Liar(float):
        def __float__(self):
            return 42.0

    class Spoof:
        __class__ = property(lambda self: float)

    assert suitekit.number(Liar(1.5), "x") == 1.5 and type(suitekit.number(Liar(1.5), "x")) is float
    assert suitekit.number(7, "x") == 7.0
    for wrong in (Spoof(), True, 1j):
        with pytest.raises(AssertionError, match="should be a plain number"):
            suitekit.number(wrong, "x")


def test_lying_numbers_do_not_pass():
    result = verdict("ops", HOSTILE / "lying_float.py", limits=FAST)
    assert not any(t.status == "pass" for t in result.tests if "test_add" in t.name)
    assert any("plain number" in t.message for t in result.tests)


def test_the_child_carries_nothing_of_drills_environment(tmp_path):
    env = sandbox.environment(str(tmp_path))
    assert "DRILL_HOME" not in env and env["TMPDIR"] == str(tmp_path)


def test_landlock_alone_confines_a_process_without_namespaces(tmp_path, drill_home):
    """Landlock needs no privilege: a plain child shut in by it can neither read DRILL_HOME nor
    write beside its folder, nor signal its parent."""
    if not sandbox.protections()[0].on:
        pytest.skip("this kernel has no Landlock")
    drill_home.mkdir(exist_ok=True)
    run = tmp_path / "run"
    run.mkdir()
    secret = drill_home / "secret"
    secret.write_text("x")
    script = f"""
import os, sys, signal
from drill.grader import sandbox
assert sandbox.landlock([{str(run)!r}], [{str(drill_home)!r}])
for attempt in (lambda: open({str(secret)!r}).read(), lambda: open("/tmp/drill-ll", "w"),
                lambda: os.kill(os.getppid(), 0)):
    try:
        attempt()
        sys.exit("not confined")
    except PermissionError:
        pass
open(os.path.join({str(run)!r}, "ok"), "w").write("yes")
"""
    done = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True,
                          env=sandbox.environment(str(run)))
    assert done.returncode == 0, done.stderr
    assert (run / "ok").read_text() == "yes"


def test_a_hidden_folder_beside_files_hides_only_itself(tmp_path):
    """In an installed drill the reference sits in site-packages, beside plain files: each of
    them is allowed one by one, with a file's rights, and the hidden folder stays shut."""
    if not sandbox.protections()[0].on:
        pytest.skip("this kernel has no Landlock")
    root, run = tmp_path / "site", tmp_path / "run"
    (root / "hidden").mkdir(parents=True)
    run.mkdir()
    (root / "beside.py").write_text("seen")
    (root / "hidden" / "reference.py").write_text("secret")
    script = f"""
import sys
from drill.grader import sandbox
everything = sandbox.readable([])
sandbox.readable = lambda hidden, suites: everything + sandbox._beside({str(root)!r}, hidden)
assert sandbox.landlock([{str(run)!r}], [{str(root / "hidden")!r}])
assert open({str(root / "beside.py")!r}).read() == "seen"
try:
    open({str(root / "hidden" / "reference.py")!r}).read()
    sys.exit("the hidden folder was read")
except PermissionError:
    pass
"""
    done = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True,
                          env=sandbox.environment(str(run)))
    assert done.returncode == 0, done.stderr


def test_doctor_lists_each_protection_on_or_off_with_why():
    from drill.grader import cgroup
    result = drill("doctor")
    assert result.exit_code == 0
    found = {p.name: p for p in sandbox.protections()}
    assert list(found) == list(sandbox.NAMES)
    for p in found.values():
        line = next(line for line in result.output.splitlines() if line.startswith(p.name + " "))
        assert line[len(p.name):].split()[0] == ("on" if p.on else "off")
        assert p.reason.split()[0] in line
    assert found["memory"].on == (cgroup.base()[0] is not None)
    if not found["memory"].on:  # and it says what holds instead
        assert "bounded per process" in found["memory"].reason
    if CONFINED:
        assert all(p.on for p in found.values() if p.name != "memory")


def test_forced_off_drill_still_grades_and_says_what_is_off(monkeypatch, tmp_path):
    from conftest import REFERENCE
    monkeypatch.setenv("DRILL_SANDBOX", "off")
    assert all(not p.on for p in sandbox.protections())
    assert "forced off" in sandbox.problems()
    assert verdict("ops", REFERENCE, launcher=ColdStart()).passed
    broken = tmp_path / "broken.py"
    broken.write_text(REFERENCE.read_text().replace("self.data * other.data", "self.data + other.data"))
    assert not verdict("ops", broken, launcher=ColdStart()).passed
    result = drill("doctor")
    assert "forced off" in result.output


@pytest.mark.skipif(not CONFINED, reason="the attacks are tried only inside a full sandbox")
def test_after_every_attack_an_empty_file_still_fails_every_chunk(tmp_path):
    from drill.attempt import grade
    from drill.errors import DrillError
    empty = tmp_path / "empty.py"
    empty.write_text("")
    for chunk in CHUNKS.values():
        try:
            result = grade(chunk, read(empty), "quick", limits=FAST)
        except DrillError:  # a worksheet's: an empty file is not one at all
            assert chunk.kind == "worksheet"
            continue
        assert not result.passed and result.tests, chunk.name


def test_with_the_sandbox_off_a_destroyed_database_is_restored_and_fails_the_run(monkeypatch,
                                                                                   learner):
    store = open_store()
    store.db.execute("CREATE TABLE IF NOT EXISTS mark (x)")
    store.db.execute("INSERT INTO mark VALUES (42)")
    store.db.close()
    monkeypatch.setenv("DRILL_SANDBOX", "off")
    result = verdict("ops", HOSTILE / "wipes_database.py", limits=FAST, launcher=ColdStart())
    assert "changed drill's database during the grading; it was restored" in result.problem
    import sqlite3
    with sqlite3.connect(learner / "drill.sqlite3") as db:
        assert db.execute("SELECT x FROM mark").fetchall() == [(42,)]
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_copy_is_kept_after_each_graded_version_and_not_made_before_a_grading(monkeypatch,
                                                                                  learner):
    """A version recorded (in the WAL, not yet in the main file) is in the copy a later attack
    is restored from; and a grading of a database that has a copy does not wait for a new one."""
    import sqlite3

    from drill.attempt import record, start
    from drill.clock import now
    from drill.grader import dataguard
    store = open_store()
    attempt = start(store, CHUNKS["ops"]).attempt
    result = verdict("ops", REFERENCE, limits=FAST)
    record(store, attempt, "the learner's version\n", result, now())
    dataguard._settled(store.path)
    copies = list((learner / "backup").glob("drill.sqlite3.*"))
    assert len(copies) == 1 and not copies[0].name.endswith(".part")
    store.db.execute("UPDATE attempts SET hints_used = 7")  # written after the last copy
    store.db.commit()
    made = copies[0].stat().st_mtime_ns
    monkeypatch.setenv("DRILL_SANDBOX", "off")
    attacked = verdict("ops", HOSTILE / "wipes_database.py", limits=FAST, launcher=ColdStart())
    assert "it was restored from drill's copy, made after your last graded version" in \
        attacked.problem
    assert copies[0].stat().st_mtime_ns == made  # the grading did not copy first
    assert open_store().snapshots(attempt.id)[-1].content == "the learner's version\n"
    with sqlite3.connect(learner / "drill.sqlite3") as db:
        assert db.execute("SELECT hints_used FROM attempts").fetchone() == (0,)


def test_a_copy_left_half_made_by_a_killed_drill_is_swept(learner):
    """kill -9 in the middle of a copy leaves a .part file of up to the database's size."""
    from drill.grader import dataguard
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store = open_store()
    watch = dataguard.DatabaseWatch(store.path)
    backup = learner / "backup"
    left = backup / f"{watch.copy.name}.{dead.pid}-1.part"
    ours = backup / f"{watch.copy.name}.{os.getpid()}-2.part"  # a live drill's, being made
    left.write_bytes(b"half")
    ours.write_bytes(b"half")
    os.utime(watch.copy, (0, 0))  # stale: the next copy is made, and sweeps
    dataguard.keep_copy(store.path)
    dataguard._settled(store.path)
    assert not left.exists() and ours.exists() and watch.copy.stat().st_mtime > 0


def test_suites_outside_the_package_are_read_where_they_are(tmp_path):
    """The parent may grade with suites the child's own drill does not hold (a checkout's, run
    beside an installed drill): the child may read the folders of the suites it is given."""
    import shutil
    from drill.catalog import load_catalog
    from drill.grader.parent import grade
    chunks = tmp_path / "chunks"
    shutil.copytree(CHUNKS["topo"].folder, chunks / "topo")
    topo = next(c for c in load_catalog(chunks) if c.name == "topo")
    result = grade(topo, read(REFERENCE), "quick", launcher=ColdStart())
    assert result.passed, result.problem or [t.message for t in result.tests if t.status != "pass"]
