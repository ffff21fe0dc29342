"""What the grader's child sends, checked at the boundary: the form of every report, the one
escaping of child text, the examples drill keeps, the clean-up of a run's folder and the cap on
a stored result."""
import json
import os
import threading
import time

import pytest

from drill.grader import examples
from drill.grader.escape import escape
from drill.grader.folders import remove_tree
from drill.grader.reports import MAX_LINE, Broken, Reports
from drill.grader import results

TOKEN = "t0ken"


def line(event, **data):
    return json.dumps({"token": TOKEN, "event": event, **data}).encode()


def test_escape_spells_out_what_a_terminal_would_obey_and_keeps_the_rest():
    assert escape("ok\n\ttab é ✓") == "ok\n\ttab é ✓"
    assert escape("a\r\nb") == "a\nb"
    assert escape("\x1b]52;c;eA==\x07\r\x7f\x9b2J\u202e\u2066\ud800") == \
        "\\x1b]52;c;eA==\\x07\\r\\x7f\\x9b2J\\u202e\\u2066\\ud800"
    assert escape(b"\x1b") == escape(None) == escape(["x"]) == ""
    obeyed = [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
              *range(0x2066, 0x206A), 0xD800, 0xDBFF, 0xDC00, 0xDFFF]
    for code in obeyed:  # each alone in a string, as most strings hold none
        if chr(code) not in "\n\t":
            assert "\\" in escape(f"a{chr(code)}b"), hex(code)
    for code in (0x20, 0x7E, 0xA0, 0x061B, 0x200D, 0x2029, 0x202F, 0x206A, 0xE000, 0x1F600):
        assert escape(f"a{chr(code)}b") == f"a{chr(code)}b", hex(code)


@pytest.mark.parametrize("raw, why", [
    (b"[" * 100_000 + b"]" * 100_000, "not a report"),
    (b"not json", "not a report"),
    (json.dumps({"event": "done"}).encode(), "without this run's token"),
    (json.dumps(["token", TOKEN]).encode(), "without this run's token"),
    (line("result", status="pass"), "result has no id"),
    (line("result", id=["x"], status="pass"), "result.id is a list"),
    (line("result", id="x", status="passed"), "result.status is none of"),
    (line("result", id="x", status="pass", duration_s=float("nan")), "not a finite number"),
    (line("result", id="x", status="pass")[:-1] + b', "duration_s": 1' + b"0" * 400 + b"}",
     "result.duration_s is not a number"),
    (line("result", id="x", status="pass", duration_s=-1), "outside"),
    (line("result", id="x", status="fail", message={"text": "no"}), "result.message is a dict"),
    (line("result", id="x", status="fail", graph={"nodes": [{"id": 0, "children": [1]}],
                                                   "root": 0}), "names a node it does not hold"),
    (line("result", id="x", status="fail", graph={"nodes": [{"id": n} for n in range(41)],
                                                   "root": 0}), "not a list of 0 to 40 items"),
    (line("result", id="x", status="fail", graph={"nodes": [{"id": 0, "when": [1]}],
                                                   "root": 0}), "is a list, not a string"),
    (line("result", id="x", status="fail", examples={"zz": ["00"]}), "not a hex string"),
    (line("result", id="x", status="fail", examples={"00": ["00"] * 9}), "0 to 8 items"),
    (line("collected", tests=7), "collected.tests is not a list"),
    (line("collected", tests=[{"title": "x"}]), "has no id"),
    (line("launch", rockets=3), "unknown kind"),
    (line("task", data={"graph": None}), "unknown kind"),
    (b"x" * (MAX_LINE + 1), "longer than"),
])
def test_a_report_that_breaks_its_form_is_broken_with_a_reason(raw, why):
    with pytest.raises(Broken, match=why.replace("(", r"\(").replace(")", r"\)")):
        Reports(TOKEN).read(raw)


def test_a_report_of_the_right_form_comes_back_clean():
    reports = Reports(TOKEN)
    graph = {"nodes": [{"id": 0, "op": "\x1b]0;t\x07", "label": "L", "data": float("inf"),
                        "grad": None, "children": [1], "calls": 2, "order": "first"},
                       {"id": 1, "label": "\u202ea"}], "root": 0, "wrong": 1, "left_out": 3}
    event = reports.read(line("result", id="x", status="fail", duration_s=1, message="\x1b[2J",
                              output="o" * 5000, graph=graph, examples={"ab": ["00ff"]}))
    assert event["message"] == "\\x1b[2J" and event["duration_s"] == 1.0
    assert len(event["output"]) == 1001 and event["output"].endswith("…")
    node = event["graph"]["nodes"][0]
    assert node["op"] == "\\x1b]0;t\\x07" and node["calls"] == 2 and node["order"] == "first"
    assert event["graph"]["nodes"][1]["label"] == "\\u202ea"
    reports.read(line("done"))
    with pytest.raises(Broken, match="after the run said it was done"):
        reports.read(line("imported"))


MOONS = {"points": 4, "columns": 2, "rows": 1, "steps": 3}


@pytest.mark.parametrize("data, why", [
    ({"done": True, "seconds": 1, "accuracy": 1, "X": [], "y": [], "box": [0, 1, 0, 1],
      "grid": [1, -1]}, "report.X is not a list of 4 to 4"),
    ({"done": True, "seconds": 1, "accuracy": 1, "X": [[0, float("nan")]] * 4, "y": [1] * 4,
      "box": [0, 1, 0, 1], "grid": [1, -1]}, "not a finite number"),
    ({"done": True, "seconds": 1, "accuracy": 1, "X": [[0, 0]] * 4, "y": [1] * 3,
      "box": [0, 1, 0, 1], "grid": [1, -1]}, "report.y is not a list of 4 to 4"),
    ({"done": True, "seconds": 1, "accuracy": 1.5, "X": [[0, 0]] * 4, "y": [1] * 4,
      "box": [0, 1, 0, 1], "grid": [1, -1]}, "outside 0 to 1"),
    ({"step": 4, "steps": 3, "loss": 1, "accuracy": 0.5, "seconds": 0}, "step is not a whole"),
    ({"nodes": True}, "nodes is not a whole"),
    ({"anything": 1}, "a report moons does not send"),
])
def test_a_moons_report_must_match_the_run_asked_for(data, why):
    with pytest.raises(Broken, match=why):
        Reports(TOKEN, "moons", MOONS).read(line("task", data=data))


def test_a_whole_moons_report_is_taken():
    data = {"done": True, "seconds": 1, "accuracy": 0.75, "X": [[0, 0.5]] * 4, "y": [1, -1] * 2,
            "box": [0, 1, 0, 1], "grid": [1, -1]}
    assert Reports(TOKEN, "moons", MOONS).read(line("task", data=data))["data"]["X"][0] == [0, 0.5]
    with pytest.raises(Broken, match="unknown kind"):
        Reports(TOKEN, "moons", MOONS).read(line("collected", tests=[]))


def test_the_parent_never_waits_on_a_child_that_reads_none_of_its_claims():
    from drill.grader.parent import ChildRun
    read, write = os.pipe()
    run = ChildRun.__new__(ChildRun)
    run.claims, run.unsent, run.last_claim = os.fdopen(write, "wb", buffering=0), b"1\n" * 10 ** 6, True
    run.stop_asked = False
    os.set_blocking(write, False)
    begun = time.monotonic()
    run._send_claims()
    assert time.monotonic() - begun < 1 and run.unsent and run.claims is not None
    os.close(read)
    run._send_claims()  # the child is gone: what is left is dropped, and the pipe closed
    assert run.unsent == b"" and run.claims is None


def test_a_deep_booby_trapped_run_folder_is_removed_without_recursion(memory_tmp):
    tmp_path = memory_tmp
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("mine")
    os.chmod(outside, 0o500)
    run = tmp_path / "run"
    run.mkdir()
    here = os.open(run, os.O_RDONLY)
    for depth in range(3000):
        os.mkdir("d", dir_fd=here)
        below = os.open("d", os.O_RDONLY, dir_fd=here)
        if depth % 300 == 0:
            os.symlink(outside, "link", dir_fd=below)
            os.mkdir("locked", dir_fd=below)
            os.chmod(f"/proc/self/fd/{below}/locked", 0)
            os.mkfifo("fifo", dir_fd=below)
        os.close(here)
        here = below
    os.close(here)
    assert remove_tree(run) and not run.exists()
    assert (outside / "keep").read_text() == "mine" and oct(outside.stat().st_mode)[-3:] == "500"
    assert remove_tree(run) and remove_tree(tmp_path / "none" / "at all")
    os.symlink(outside, run)
    assert remove_tree(run) and not os.path.lexists(run) and (outside / "keep").exists()


def test_the_examples_drill_keeps_are_bounded_and_never_a_planted_file(drill_home):
    folder = examples.folder()
    folder.mkdir(parents=True)
    os.mkfifo(folder / "ops.json")
    os.symlink("/dev/urandom", folder / "topo.json")
    (folder / "nn.json").write_text(json.dumps({"ab": ["00"] * 20_000}))
    (folder / "train.json").write_bytes(b"[" * 100_000)
    begun = time.monotonic()
    assert examples.lend(["ops", "topo", "train", "full"]) == {}
    assert examples.lend(["nn"]) == {"ab": ["00"] * 8}
    assert time.monotonic() - begun < 1
    for n in range(100):
        examples.keep("backward", {f"{n:02x}": ["ff" * 1024] * 8})
    kept = json.loads((folder / "backward.json").read_text())
    assert len(kept) == examples.MAX_KEYS and len(json.dumps(examples.lend(["backward"]))) < \
        examples.LENT
    examples.keep("backward", {"63": []})
    assert "63" not in json.loads((folder / "backward.json").read_text())
    threads = [threading.Thread(target=examples.keep, args=("ops", {"cd": ["01"]}))
               for _ in range(4)]  # full's two children keep one chunk's at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert examples.lend(["ops"]) == {"cd": ["01"]}
    assert [p.name for p in folder.iterdir() if p.name.endswith(".part")] == []


def test_a_result_is_capped_and_what_is_stored_is_escaped_again_when_read_back():
    tests = [results.TestResult(f"ops::t{n}", "fail", "first line\n" + "m" * 5000,
                                test_code="c" * 5000, output="o" * 1000) for n in range(100)]
    result = results.capped(results.GradeResult("ops", "f", "quick", tests, output="p" * 10 ** 6))
    assert len(json.dumps(result.to_dict())) <= results.STORED
    assert tests[0].test_code and tests[-1].message == "first line" and not tests[-1].test_code
    assert len(result.output) < results.OUTPUT + 100
    stored = {"chunk": "ops", "file": "f", "profile": "quick", "problem": "\x1b]0;x\x07",
              "output": "\x1b[2J", "duration_s": "slow", "tests": [
                  {"name": "ops::t", "status": "fail", "message": "\r\x1b[32mPASS", "title": 7,
                   "graph": {"nodes": [{"id": 0, "op": "\x9b2J", "data": 10 ** 400}], "root": 0}},
                  "not a test"]}
    result = results.GradeResult.from_dict(stored)
    assert result.problem == "\\x1b]0;x\\x07" and result.output == "\\x1b[2J"
    assert result.duration_s == 0.0 and len(result.tests) == 1
    test = result.tests[0]
    assert test.message == "\\r\\x1b[32mPASS" and test.title == "" and test.graph is None


def test_a_graph_cut_to_forty_nodes_may_name_the_nodes_it_left_out():
    nodes = [{"id": n, "children": [n + 1]} for n in range(40)]
    cut = {"nodes": nodes, "root": 0, "left_out": 5}
    assert len(Reports(TOKEN).read(line("result", id="x", status="fail", graph=cut))
               ["graph"]["nodes"]) == 40
    for wrong in ({**cut, "left_out": 0}, {**cut, "nodes": nodes[:39] + [{"id": 39, "children": [45]}]}):
        with pytest.raises(Broken, match="names a node it does not hold"):
            Reports(TOKEN).read(line("result", id="x", status="fail", graph=wrong))


@pytest.mark.skipif(os.geteuid() != 0, reason="drops to another user, as root")
def test_a_user_other_than_root_removes_a_folder_it_left_without_permissions(memory_tmp):
    """Root reads a folder of mode 000 anyway; its owner must give itself the right first."""
    run = memory_tmp / "run"
    (run / "locked" / "deeper").mkdir(parents=True)
    (run / "locked" / "deeper" / "file").write_text("x")
    for path in (run, run / "locked", run / "locked" / "deeper", run / "locked" / "deeper" / "file"):
        os.chown(path, 65534, 65534)
    os.chmod(memory_tmp, 0o777)
    (run / "locked").chmod(0)
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(65534)
            os.setuid(65534)
            os._exit(0 if remove_tree(run) else 1)
        finally:
            os._exit(2)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 and not run.exists()
