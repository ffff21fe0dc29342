"""Homes that are not what drill expects: read-only, damaged, a file, or an import of the wrong
shape. Each is one line and a non-zero exit, never a traceback, and nothing written is lost."""
import json
import shlex
import shutil
import sqlite3
import subprocess

import pytest

from drill.store import Store

from conftest import DRILL_EXE, REFERENCE, drill


def read_only_run(home, *args):
    """Run drill with `home` mounted read-only (a private mount namespace: even root cannot
    write there); the CompletedProcess."""
    if shutil.which("unshare") is None:
        pytest.fail("these tests need unshare(1) to mount the home read-only")
    inner = (f"mount --bind {home} {home} && mount -o remount,bind,ro {home} && "
             f"{shlex.join([DRILL_EXE, *args])}")
    return subprocess.run(["unshare", "-m", "sh", "-c", inner], capture_output=True, text=True,
                          env={"DRILL_HOME": str(home), "DRILL_NOW": "2026-11-26T10:00:00+00:00",
                               "PATH": "/usr/bin:/bin", "COLUMNS": "80"})


def passed_topo(home):
    drill("start", "topo", "--no-watch")
    (home / "workspace" / "topo.py").write_text(REFERENCE.read_text())
    assert drill("check").exit_code == 0


def test_a_read_only_home_reads_and_refuses_to_write_in_one_line(drill_home):
    passed_topo(drill_home)
    for command in (["today"], ["stats"], ["stats", "topo"], ["history"], ["show", "1"],
                    ["export"]):
        done = read_only_run(drill_home, *command)
        assert done.returncode == 0, (command, done.stderr)
    assert "topo" in read_only_run(drill_home, "history").stdout
    refused = read_only_run(drill_home, "start", "ops", "--no-watch")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"drill: {drill_home} is read-only: drill can show what it holds but not record "
        "anything; make the folder writable or set DRILL_HOME to another one"]


def test_a_read_only_home_grades_elsewhere_records_nothing_and_refuses_settings(drill_home,
                                                                                 tmp_path):
    passed_topo(drill_home)
    mine = tmp_path / "mine.py"
    mine.write_text(REFERENCE.read_text())
    before = sorted(p.name for p in drill_home.iterdir())
    checked = read_only_run(drill_home, "check", "topo", "--file", str(mine))
    assert checked.returncode == 0 and "PASS  topo" in checked.stdout
    assert checked.stderr.strip() == (f"drill: {drill_home} is read-only: this grading runs in a "
                                      "temporary folder and nothing of it is recorded")
    drawn = read_only_run(drill_home, "graph", "a*b", "a=2", "b=3", "--file", str(mine))
    assert drawn.returncode == 0 and "grad" in drawn.stdout, drawn.stderr
    trained = read_only_run(drill_home, "moons", "--reference", "--steps", "2", "--points", "4",
                            "--json")
    assert trained.returncode in (0, 1) and json.loads(trained.stdout)["steps_run"] == 2
    for command, says in ((["config", "new_per_day", "2"], "cannot keep the setting in "
                           f"{drill_home / 'config.toml'} (Read-only file system)"),
                          (["export", "-o", str(drill_home / "x.json")], "cannot write")):
        refused = read_only_run(drill_home, *command)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert says in refused.stderr
    assert sorted(p.name for p in drill_home.iterdir()) == before


def settle(path):
    """Everything written so far into the database file itself, none left in its WAL."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def damage(path, table):
    """Overwrite the root pages of `table` and its indexes with junk, leaving the rest of the
    database readable."""
    settle(path)
    db = sqlite3.connect(path)
    roots = [r for r, in db.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = ?",
                                    (table,))]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with open(path, "r+b") as f:
        for root in roots:
            f.seek((root - 1) * size)
            f.write(b"\xde\xad" * (size // 2))


def test_damaged_pages_are_one_line_and_a_check_s_version_is_kept_beside_and_taken_back(drill_home):
    drill("start", "topo", "--no-watch")
    path = drill_home / "drill.sqlite3"
    (drill_home / "workspace" / "topo.py").write_text(REFERENCE.read_text())
    assert drill("check", "--file", str(drill_home / "workspace" / "topo.py"), "topo").exit_code == 0
    healthy = drill_home / "healthy.sqlite3"
    settle(path)
    shutil.copy(path, healthy)
    damage(path, "snapshots")
    checked = drill("check")
    lines = checked.output.strip().splitlines()
    assert checked.exit_code == 2 and "drill: " in lines[-1] and "Traceback" not in checked.output
    assert "refused this version" in lines[-1] and "drill export -o rescue.json" in lines[-1]
    aside = drill_home / "drill.sqlite3.unsaved.jsonl"
    first = next(line for line in aside.read_text().splitlines() if line)  # each after a newline
    assert json.loads(first)["content"] == REFERENCE.read_text()
    for command in (["show", "1"], ["diff"], ["check"]):  # check keeps its version aside again
        done = drill(*command)
        assert done.exit_code == 2 and done.output.count("\n") == 1, (command, done.output)
        assert done.output.startswith(f"drill: {path} ") and "drill export -o" in done.output
    exported = drill("export", "-o", str(drill_home / "rescue.json"))
    assert exported.exit_code == 1 and "the export lacks all of the snapshots table" in exported.output
    assert len(json.loads((drill_home / "rescue.json").read_text())["attempts"]) == 1
    shutil.copy(healthy, path)  # the learner puts a good copy back: the version goes back in
    for stale in ("-wal", "-shm"):
        (drill_home / f"drill.sqlite3{stale}").unlink(missing_ok=True)
    assert drill("today").exit_code == 0
    store = Store(path)
    assert [s.content for s in store.snapshots(1)] == [REFERENCE.read_text()] * 2
    assert store.attempt(1).outcome == "passed" and not aside.exists()


def test_damaged_attempts_are_one_line_for_start_and_the_read_commands(drill_home):
    passed_topo(drill_home)
    path = drill_home / "drill.sqlite3"
    damage(path, "attempts")
    for command in (["start", "ops", "--no-watch"], ["today"], ["history"], ["stats"]):
        done = drill(*command)
        assert done.exit_code == 2 and done.output.count("\n") == 1, (command, done.output)
        assert done.output.startswith(f"drill: {path} is damaged (")


def export_of_one_attempt():
    drill("start", "topo", "--no-watch")
    return json.loads(drill("export").output)


@pytest.mark.parametrize("spoil, says", [
    (lambda d: d["attempts"][0].update(id="one"), "attempts[0]: id must be a whole number, not 'one'"),
    (lambda d: d["attempts"][0].pop("chunk"), "attempts[0] lacks the field 'chunk'"),
    (lambda d: d["snapshots"].append({"attempt_id": 9}), "snapshots[1] lacks the field 'taken_at'"),
    (lambda d: d["attempts"].append("x"), "attempts[1] is not a record"),
    (lambda d: d["attempts"][0].update(evil="1); DROP TABLE attempts; --"),
     "attempts[0] has a field drill does not know: 'evil'"),
    (lambda d: d["settings"].update(new_per_day="many"), "setting new_per_day must be"),
    (lambda d: d["attempts"][0].update(chunk="nosuch"),
     "attempts[0]: chunk 'nosuch' is no chunk of this drill"),
    (lambda d: d.pop("snapshots"), "has no snapshots section, which drill export always writes"),
    (lambda d: d.pop("attempts"), "has no attempts section"),
])
def test_an_import_of_the_wrong_shape_is_refused_naming_the_first_bad_record(tmp_path, monkeypatch,
                                                                             spoil, says):
    data = export_of_one_attempt()
    data["snapshots"] = [{"attempt_id": 1, "taken_at": data["attempts"][0]["started_at"],
                          "reason": "check", "content": "x"}]
    spoil(data)
    source = tmp_path / "export.json"
    source.write_text(json.dumps(data))
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("DRILL_HOME", str(fresh))
    refused = drill("import", str(source))
    assert refused.exit_code == 2 and refused.output.count("\n") == 1 and says in refused.output
    assert not (fresh / "drill.sqlite3").exists() and not (fresh / "config.toml").exists()


@pytest.mark.parametrize("variable", ["DRILL_HOME", "DRILL_WORKSPACE"])
def test_a_home_or_workspace_that_is_a_file_is_one_line(tmp_path, monkeypatch, variable):
    afile = tmp_path / "afile"
    afile.write_text("")
    monkeypatch.setenv(variable, str(afile))
    done = drill("start", "ops", "--no-watch")
    assert done.exit_code == 2
    assert done.output == f"drill: {variable} is {afile}, which is a file, not a folder: point " \
                          "it at a folder\n"

