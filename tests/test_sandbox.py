"""The sandbox: files that attack the learner's data, the machine or the verdict's inputs fail
with their true reason, and leave everything as it was."""
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drill.grader import cgroup, sandbox
from drill.grader.parent import ColdStart, Limits
from drill.grader.results import STORED
from drill.learner_file import read
from drill.store import open_store

from conftest import CHUNKS, PATHS, REFERENCE, drill, failures, launcher, leftovers, verdict

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
@pytest.mark.parametrize("grading", PATHS)
@pytest.mark.parametrize("name, reason", ATTACKS)
def test_an_attack_fails_with_its_reason_and_leaves_everything_as_it_was(name, reason, grading, learner):
    data, drill_files = fingerprint(learner / "drill.sqlite3", learner / "config.toml",
                                    learner / "workspace"), install()
    begun = time.monotonic()
    result = verdict("ops", HOSTILE / f"{name}.py", limits=FAST,
                     launcher=launcher(grading))
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


@pytest.mark.parametrize("grading", PATHS)
def test_lying_numbers_do_not_pass(grading):
    result = verdict("ops", HOSTILE / "lying_float.py", limits=FAST, launcher=launcher(grading))
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
from drill.grader import cgroup, sandbox
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
from drill.grader import cgroup, sandbox
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
@pytest.mark.parametrize("grading", PATHS)
def test_after_every_attack_an_empty_file_still_fails_every_chunk(tmp_path, grading):
    from drill.attempt import grade
    from drill.errors import DrillError
    empty = tmp_path / "empty.py"
    empty.write_text("")
    for chunk in CHUNKS.values():
        try:
            result = grade(chunk, read(empty), "quick", limits=FAST, launcher=launcher(grading))
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


# Issue 29's attacks: what one grading leaves must not change the next, nothing the child sends
# may raise in drill or reach the terminal, and the run's limits hold for the whole run.
FORGERIES = ["deep", "no_id", "list_id", "tests_int", "huge_duration", "dict_message",
             "result_first", "many_tests", "forged_list", "huge_graph", "endless_line",
             "huge_messages", "surrogate"]
LINGERING = [("poisons_examples", "your file defines no `Value`"),
             ("fills_run_folder", "your file defines no `Value`"),
             ("ipc_and_sockets", "udp: Permission denied; unix: Permission denied; memfd: "
                                 "Permission denied; shm: Permission denied; msg: Permission "
                                 "denied; theirs: Permission denied")]


def ipc_objects():
    """The SysV IPC objects of the machine, by kind: none of a run's may outlive it."""
    return {kind: Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
            for kind in ("shm", "msg", "sem")}


def hostile(tmp_path, name):
    """The hostile file `name` (forges_report_shapes-deep: the file forges_report_shapes.py
    under that name, which picks its forgery), where the test's tmp folder holds it."""
    path = tmp_path / f"{name}.py"
    path.write_text((HOSTILE / f"{name.split('-')[0]}.py").read_text())
    return path


def after_the_attack(learner, result, begun, reason):
    """What every attack must leave: a verdict within the run's limit, with its reason and no
    traceback; nothing of the run alive or on disk; a result no larger than an honest one;
    and the reference graded on the same home passes, in normal time."""
    assert time.monotonic() - begun < FAST.run_s + 2
    assert not result.passed and result.tests and reason in result.problem + \
        "\n".join(t.message for t in result.tests), result.problem
    assert "Traceback" not in result.problem
    assert leftovers() == []
    assert list((learner / "runs").iterdir()) == []
    assert len(json.dumps(result.to_dict())) <= STORED
    begun = time.monotonic()
    reference = verdict("ops", REFERENCE, limits=FAST)
    assert reference.passed, reference.problem or failures(reference)
    assert time.monotonic() - begun < 10


@pytest.mark.skipif(not CONFINED, reason="the attacks are tried only inside a full sandbox")
@pytest.mark.parametrize("grading", PATHS)
@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_report_fails_the_run_with_a_reason_and_never_raises(forgery, grading, learner,
                                                                      tmp_path):
    begun = time.monotonic()
    result = verdict("ops", hostile(tmp_path, f"forges_report_shapes-{forgery}"), limits=FAST,
                     launcher=launcher(grading))
    after_the_attack(learner, result, begun, "the grader's results pipe carried ")


@pytest.mark.skipif(not CONFINED, reason="the attacks are tried only inside a full sandbox")
@pytest.mark.parametrize("grading", PATHS)
@pytest.mark.parametrize("name, reason", LINGERING)
def test_nothing_an_attack_leaves_reaches_the_next_grading(name, reason, grading, learner,
                                                           tmp_path):
    """Examples planted or flooded, a run folder filled and booby-trapped, sockets, memfd and
    SysV IPC: the next grading on the same home passes as if none had run."""
    import ctypes
    import socket
    libc = ctypes.CDLL(None, use_errno=True)
    theirs = libc.shmget(0x0D711, 4096, 0o1600)  # another program's segment (IPC_CREAT)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 47931))
    udp.setblocking(False)
    unix = socket.socket(socket.AF_UNIX)
    listener = Path("/tmp/drill-listener.sock")
    listener.unlink(missing_ok=True)
    unix.bind(str(listener))
    unix.listen()
    unix.setblocking(False)
    before = ipc_objects()
    try:
        begun = time.monotonic()
        result = verdict("ops", hostile(tmp_path, name), limits=FAST,
                         launcher=launcher(grading))
        for server in (udp, unix):
            with pytest.raises(BlockingIOError):  # no datagram, no connection
                server.recv(64) if server is udp else server.accept()
        assert ipc_objects() == before
        after_the_attack(learner, result, begun, reason)
    finally:
        udp.close()
        unix.close()
        listener.unlink(missing_ok=True)
        libc.shmctl(theirs, 0, None)  # IPC_RMID
    kept = learner / "examples"
    assert not (learner / "hypothesis").exists()
    for path in kept.iterdir() if kept.exists() else ():
        assert path.is_file() and not path.is_symlink() and path.stat().st_size < 64 * 1024


@pytest.mark.skipif(not CONFINED, reason="the attacks are tried only inside a full sandbox")
@pytest.mark.skipif(cgroup.base()[0] is None, reason="no cgroup for the runs here: " +
                    cgroup.base()[1])
@pytest.mark.parametrize("grading", PATHS)
def test_memory_is_bounded_for_the_whole_run_where_the_cgroup_is_on(grading, learner, tmp_path,
                                                                    warm_grader):
    begun = time.monotonic()
    result = verdict("ops", hostile(tmp_path, "forks_memory-bounded"), limits=FAST,
                     launcher=launcher(grading))
    after_the_attack(learner, result, begun, "")
    assert not list(cgroup.base()[0].glob(cgroup.PREFIX + f"{os.getpid()}-*"))


@pytest.mark.skipif(not CONFINED, reason="the attacks are tried only inside a full sandbox")
def test_a_recorded_check_grows_the_database_by_no_more_than_the_largest_honest_result(learner):
    """Every report filled to its bounds with text that does not compress: the result is cut
    to STORED bytes, which an honest grading (an empty file on full, thorough, the largest)
    never reaches, and the database grows by no more."""
    from drill.attempt import record, start
    from drill.clock import now
    empty = learner / "workspace" / "empty.py"
    empty.write_text("")
    honest = verdict("full", empty, "thorough")
    assert "[cut" not in json.dumps(honest.to_dict()) and \
        len(json.dumps(honest.to_dict())) < STORED
    fat = verdict("full", HOSTILE / "fat_messages.py", "thorough", limits=FAST)
    assert len(json.dumps(fat.to_dict())) <= STORED
    store = open_store()
    attempt = start(store, CHUNKS["full"]).attempt
    database = learner / "drill.sqlite3"

    def size():
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return database.stat().st_size

    before = size()
    record(store, attempt, "class Value: pass\n", fat, now())
    assert size() - before <= STORED * 1.1  # a page's worth of slack


EVIL = ("\x1b]52;c;", "\x1b]0;", "\x1bP", "\x1b[2J", "\x1b[H", "\x07", "\r", "\u202e", "\x9b")


def obeyed(text):
    """The sequences of escapes_terminal.py a terminal would obey, found in `text`."""
    return [s for s in EVIL if s in text]


def test_no_text_of_the_learner_s_code_reaches_the_terminal(learner, tmp_path, monkeypatch):
    """A message, printed output, a title and an _op carrying OSC 52, a title, a DCS, a cleared
    screen, a carriage return and a bidi override: `drill check`'s plain output, its JSON, the
    watch panel and what `drill resume` reads back carry none of them, only their spelling."""
    import io

    from rich.console import Console

    from drill import render
    from drill.attempt import last_result, record, start
    from drill.clock import now
    from drill.render import check as check_screen
    from drill.render.watch import watch_panel
    from drill.watch import Screen
    path = hostile(tmp_path, "escapes_terminal")
    plain = drill("check", "backward", "--file", str(path))
    assert plain.exit_code == 1 and obeyed(plain.output) == [] and "\\x1b]52;c;" in plain.output
    assert "\x1b" not in drill("check", "ops", "--file", str(path), "--json").output
    result = verdict("backward", path, limits=FAST)
    ops = [node["op"] for t in result.tests if t.graph for node in t.graph["nodes"]]
    assert any(op.startswith("\\x1b]52;c;") for op in ops) and not any(map(obeyed, ops))
    terminal = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                       width=80)
    monkeypatch.setattr(check_screen, "out", terminal)
    render.check_result(result)
    store = open_store()
    attempt = start(store, CHUNKS["backward"]).attempt
    record(store, attempt, path.read_text(), result, now())
    stored = json.loads(store.snapshots(attempt.id)[-1].result)  # as an older drill kept it
    stored["tests"][0]["message"] = stored["problem"] = stored["output"] = EVIL[0] + "x\x07"
    stored["tests"][0]["graph"] = {"nodes": [{"id": 0, "op": "\x1b[2J", "label": "\x1b]0;t\x07"}],
                                   "root": 0}
    store.db.execute("UPDATE snapshots SET result = pack(?) WHERE id = ?",
                     (json.dumps(stored), store.snapshots(attempt.id)[-1].id))
    store.db.commit()
    resumed = last_result(store, store.attempt(attempt.id))
    assert resumed.tests[0].message == "\\x1b]52;c;x\\x07"
    screen = Screen(CHUNKS["backward"], store.attempt(attempt.id), path, result=resumed)
    terminal.print(watch_panel(screen))
    screen.result = result
    terminal.print(watch_panel(screen))
    shown = terminal.file.getvalue()
    assert obeyed(shown) == [] and "\\x1b]52;c;" in shown


def test_without_a_mount_namespace_the_run_folder_is_still_removed_whatever_it_holds(monkeypatch,
                                                                                    memory_tmp):
    """With the sandbox off the run writes in DRILL_HOME/runs itself: its 3,000-deep chain of
    folders, links to the home and folders without permissions are removed, and nothing the
    links point to is touched."""
    monkeypatch.setenv("DRILL_SANDBOX", "off")
    monkeypatch.setenv("DRILL_HOME", str(memory_tmp))
    open_store().db.close()
    (memory_tmp / "config.toml").write_text('workspace = ""\n')
    data = fingerprint(memory_tmp / "drill.sqlite3", memory_tmp / "config.toml")
    result = verdict("ops", HOSTILE / "fills_run_folder.py", limits=FAST, launcher=ColdStart())
    assert not result.passed and "Traceback" not in result.problem
    assert list((memory_tmp / "runs").iterdir()) == []
    assert fingerprint(memory_tmp / "drill.sqlite3", memory_tmp / "config.toml") == data


def test_the_runs_sweep_never_raises_and_takes_only_dead_drills_folders(learner):
    from drill.grader import parent
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    runs = learner / "runs"
    chain = runs / f"{dead.pid}-x"
    chain.mkdir(parents=True)
    os.makedirs(chain / "/".join(["d"] * 400))
    (chain / "locked").mkdir()
    (chain / "locked").chmod(0)
    mine, odd = runs / f"{os.getpid()}-y", runs / "99999999999999999999-z"
    mine.mkdir()
    odd.mkdir()
    (learner / "hypothesis").mkdir()
    os.mkfifo(learner / "hypothesis" / "fifo")
    parent._swept.clear()
    assert parent.runs_folder() == runs
    assert sorted(p.name for p in runs.iterdir()) == sorted([mine.name, odd.name])
    assert not (learner / "hypothesis").exists()


def test_a_full_disk_never_costs_a_version_kept_aside(monkeypatch, learner):
    """The versions the database refused wait in drill.sqlite3.unsaved.jsonl: a full disk
    while drill puts them back leaves the file as it was, and a line a full disk cut short
    stays in it."""
    from drill.attempt import start
    store = open_store()
    attempt = start(store, CHUNKS["ops"]).attempt
    versions = store.snapshots(attempt.id)
    store.db.close()
    aside = learner / "drill.sqlite3.unsaved.jsonl"
    kept = {"attempt_id": attempt.id, "content": "x = 1\n", "taken_at": "2026-11-26T09:00:00+00:00",
            "reason": "check", "result": None}
    elsewhere = {**kept, "attempt_id": 999}
    aside.write_text("\n" + json.dumps(kept) + "\n\n" + json.dumps(elsewhere) + "\n\n{\"attem")
    before = aside.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as disk:
        disk.setattr(Path, "write_bytes", full)
        store = open_store()
        assert aside.read_bytes() == before and store.snapshots(attempt.id) == versions
        store.db.close()
    store = open_store()
    assert [s.content for s in store.snapshots(attempt.id)[len(versions):]] == ["x = 1\n"]
    left = [line for line in aside.read_text().splitlines() if line]
    assert [json.loads(left[0])["attempt_id"], left[1]] == [999, '{"attem']


def test_a_run_cgroup_is_found_only_where_memory_and_pids_are_delegated(tmp_path):
    def tree(controllers, enabled):
        (tmp_path / "cgroup.controllers").write_text(" ".join(controllers))
        for folder, names in enabled.items():
            (tmp_path / folder).mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / "cgroup.subtree_control").write_text(" ".join(names))
            (tmp_path / folder / "cgroup.procs").write_text("")

    tree(["cpu", "io"], {})
    assert cgroup.base(tmp_path, "/")[0] is None and "no memory or pids" in \
        cgroup.base(tmp_path, "/")[1]
    tree(["cpu", "memory", "pids"], {"user.slice": ["memory"], "user.slice/app.slice":
                                     ["memory", "pids"], "user.slice/app.slice/term.scope": []})
    assert cgroup.base(tmp_path, "/user.slice/app.slice/term.scope") == \
        (tmp_path / "user.slice/app.slice", "")
    assert "delegates memory and pids" in cgroup.base(tmp_path, "/user.slice")[1]
    assert cgroup.base(None, None) == cgroup.base() or cgroup.base()[0] is not None


@pytest.mark.skipif(cgroup._mount() is None or os.geteuid() != 0,
                    reason="makes a cgroup in this machine's cgroup v2 hierarchy, as root")
def test_a_run_cgroup_holds_every_process_of_the_run_and_ends_them_all(tmp_path):
    """On the real hierarchy (here, where it may lack the memory and pids controllers, without
    their limits): a process that joins it, and all it starts, die when the group ends."""
    where = cgroup.base(needed=())[0]
    if where is None:
        pytest.skip("no cgroup v2 folder this process may write")
    group = cgroup.RunGroup(1 << 30, 64, where=where)
    if group.path is None:  # no memory.max to write: make it by hand, as the limits' file is
        group.path = where / f"{cgroup.PREFIX}{os.getpid()}-test"
        group.path.mkdir()
    script = (f"from drill.grader import cgroup; cgroup.join({str(group.path)!r}); import os, time\n"
              "if os.fork() == 0: os.setsid(); time.sleep(60)\ntime.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 10
    while len((group.path / "cgroup.procs").read_text().split()) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    inside = (group.path / "cgroup.procs").read_text().split()
    path = group.path
    group.end()
    child.wait(timeout=5)
    assert not path.exists()
    assert all(not Path(f"/proc/{pid}").exists() or
               Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z" for pid in inside)


@pytest.mark.parametrize("forgery, why", [("empty", "report.X is not a list of 30 to 30 items"),
                                          ("nan", "is nan, not a finite number")])
def test_a_forged_moons_report_ends_drill_moons_with_a_reason(forgery, why, tmp_path):
    """`drill moons` draws only a report that matches the run it asked for: as many finite
    points as asked, labels for each, a whole grid."""
    result = drill("moons", "--file", str(hostile(tmp_path, f"forges_moons-{forgery}")))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert why in result.output and result.output.startswith("drill: ")
