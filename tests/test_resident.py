"""The grader `drill check` leaves behind: the next check and `drill graph` hand it their file,
it is one per home, it replaces a socket left by one that died, and it ends on its own."""
import os
import socket
import subprocess
import sys
import time

from drill.grader import parent, resident

from conftest import REFERENCE, drill, start_resident

BUG = "self.data * other.data"


def gone(pid, within):
    """Whether process `pid` has ended (or is a zombie) within `within` seconds."""
    until = time.monotonic() + within
    while time.monotonic() < until:
        try:
            if open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def cold_starts(monkeypatch):
    """Count the cold children drill starts from now on (ahead of a run or for it)."""
    started = []
    cold = parent.start_runner
    monkeypatch.setattr(parent, "start_runner", lambda *a: started.append(1) or cold(*a))
    return started


def test_a_check_leaves_a_grader_behind_which_the_next_check_and_graph_reuse(
        drill_home, monkeypatch, tmp_path):
    monkeypatch.setenv("DRILL_GRADER_IDLE", "60")
    started = cold_starts(monkeypatch)
    assert resident.reused() is None
    assert drill("check", "ops", "--file", str(REFERENCE)).exit_code == 0
    assert started == [1] * parent.cores()  # no grader was up: cold children (a thorough
    #                                         check's, one per core), and a grader left behind
    until = time.monotonic() + 60
    while (found := resident.reused()) is None:
        assert time.monotonic() < until
        time.sleep(0.05)
    found.close()
    pid = int(resident.address().with_suffix(".lock").read_text())
    try:
        buggy = tmp_path / "ops.py"
        buggy.write_text(REFERENCE.read_text().replace(BUG, "self.data + other.data"))
        assert drill("check", "ops", "--file", str(REFERENCE)).exit_code == 0
        assert drill("check", "ops", "--file", str(buggy)).exit_code == 1  # afresh each time
        assert drill("check", "ops", "--file", str(REFERENCE)).exit_code == 0
        graphed = drill("graph", "a*b", "a=2", "b=3", "--file", str(REFERENCE))
        assert graphed.exit_code == 0, graphed.output
        assert started == [1] * parent.cores()  # every one since forked by the grader left behind
        assert resident.address().with_suffix(".lock").read_text() == f"{pid}\n"
    finally:
        os.kill(pid, 15)


def test_the_grader_left_behind_ends_once_idle_for_its_timeout(tmp_path):
    grader = start_resident(tmp_path / "home", idle_s=1)
    connection = grader["connect"]()
    time.sleep(1.5)
    assert not gone(grader["pid"], 0)  # a drill still connected keeps it
    connection.close()
    assert gone(grader["pid"], 5)
    assert not grader["address"].exists()


def test_a_socket_left_by_a_grader_that_died_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_HOME", str(tmp_path / "home"))
    address = resident.address()
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(address))  # bound, never listening, then closed: as after a kill -9
    stale.close()
    address.with_suffix(".lock").write_text("999999\n")
    monkeypatch.setenv("DRILL_GRADER_IDLE", "60")
    assert resident.reused() is None  # refused: the check grades cold
    grader = start_resident(tmp_path / "home", idle_s=60)
    try:
        assert grader["pid"] != 999999
        connection = grader["connect"]()
        connection.close()
    finally:
        grader["stop"]()


def test_each_home_has_its_own_grader_and_a_second_in_one_home_steps_aside(tmp_path):
    first = start_resident(tmp_path / "one", idle_s=60)
    second = start_resident(tmp_path / "two", idle_s=60)
    try:
        assert first["pid"] != second["pid"] and first["address"] != second["address"]
        newcomer = subprocess.run([sys.executable, "-I", "-m", "drill.grader.resident",
                                   str(first["address"]), "60"], timeout=60)
        assert newcomer.returncode == 0  # the home's lock was held: it left at once
        assert first["address"].with_suffix(".lock").read_text() == f"{first['pid']}\n"
        first["connect"]().close()  # the first still serves
    finally:
        first["stop"]()
        second["stop"]()
    assert gone(first["pid"], 5) and gone(second["pid"], 5)


def test_no_grader_is_left_behind_where_a_child_could_reach_its_socket(monkeypatch):
    """Without the seccomp filter a learner's file could make a socket and connect to the
    grader's; with the sandbox off, nothing confines it at all: drill check then grades cold."""
    from drill.grader import sandbox
    monkeypatch.setenv("DRILL_GRADER_IDLE", "60")
    started = cold_starts(monkeypatch)
    real = sandbox.off
    monkeypatch.setattr(sandbox, "off", lambda: [("sockets", "no seccomp filter here")])
    assert not resident.wanted()
    assert drill("check", "ops", "--file", str(REFERENCE)).exit_code == 0
    assert started == [1] * parent.cores()
    time.sleep(1)
    assert resident.reused() is None and not list(resident.address().parent.glob("*.lock"))
    monkeypatch.setattr(sandbox, "off", real)
    monkeypatch.setenv("DRILL_SANDBOX", "off")
    assert not resident.wanted()


def test_a_check_of_a_worksheet_starts_no_child_and_leaves_no_grader(drill_home, monkeypatch,
                                                                     tmp_path):
    """drill grades a worksheet itself: a child loading pytest for it, or a grader left behind
    collecting every suite, would be CPU spent for nothing."""
    monkeypatch.setenv("DRILL_GRADER_IDLE", "60")
    started, left = cold_starts(monkeypatch), []
    monkeypatch.setattr(resident, "leave_behind", lambda: left.append(1))
    assert drill("start", "chain", "--no-watch").exit_code == 0
    sheet = tmp_path / "sheet.py"
    sheet.write_text((drill_home / "workspace" / "chain.py").read_text())
    for named in ([], ["chain"], ["chain", "--file", str(sheet)]):  # the open attempt's or not
        checked = drill("check", *named)
        assert checked.exit_code == 1 and "answers right" in checked.output  # unfilled
    assert started == [] and left == []
