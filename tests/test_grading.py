"""The grader: files that do not parse or load, hostile files, and the shape of its result."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drill.grader.parent import Limits
from drill.learner_file import read

from conftest import CHUNKS, PATHS, REFERENCE, failures, launcher, leftovers, verdict

HOSTILE = Path(__file__).parent / "hostile"
FAST = Limits(run_s=20, test_s=2, import_s=2)


@pytest.fixture(params=PATHS)
def started(request):
    """How the child starts: cold (drill check), forked by watch mode's warm grader, or by the
    grader drill check leaves behind."""
    return launcher(request.param)


def write(tmp_path, text, name="mine.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_file_that_does_not_parse_is_reported_as_file_and_line(tmp_path):
    path = write(tmp_path, "class Value:\n    def __init__(self, data)\n        pass\n")
    result = verdict("ops", path)
    assert not result.passed
    assert result.problem.startswith("mine.py:2: ")
    assert "def __init__(self, data)" in result.problem
    assert all(t.status == "error" for t in result.tests) and result.tests


def test_a_file_that_fails_to_load_names_its_line(tmp_path):
    path = write(tmp_path, "import math\n\nx = 1 / 0\n")
    result = verdict("ops", path)
    assert "ZeroDivisionError" in result.problem and "mine.py:3: x = 1 / 0" in result.problem


def test_importing_the_reference_is_refused(tmp_path):
    path = write(tmp_path, "from micrograd.engine import Value\n")
    result = verdict("ops", path)
    assert result.problem.startswith("mine.py:1: imports micrograd.engine")


def test_importing_the_reference_by_name_at_run_time_is_refused(tmp_path):
    path = write(tmp_path, "import importlib\nValue = importlib.import_module('reference.micrograd').Value\n")
    result = verdict("ops", path)
    assert not result.passed and "may not import reference" in result.problem


def test_nothing_is_written_beside_the_learner_s_file(tmp_path):
    path = write(tmp_path, REFERENCE.read_text())
    assert verdict("topo", path).passed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "mine.py"]


def test_the_result_has_the_documented_json_shape():
    data = json.loads(json.dumps(verdict("topo", REFERENCE).to_dict()))
    assert isinstance(data["chunk"], str) and data["passed"] is True
    assert isinstance(data["duration_s"], float) and data["tests"]
    for test in data["tests"]:
        assert set(test) >= {"name", "status", "message", "duration_s"}
        assert test["status"] in ("pass", "fail", "error", "timeout")
        assert isinstance(test["name"], str) and isinstance(test["duration_s"], float)


def test_a_failing_test_says_what_came_and_what_was_expected(tmp_path):
    broken = REFERENCE.read_text().replace(
        "            self.grad += out.grad\n            other.grad += out.grad",
        "            self.grad = out.grad\n            other.grad = out.grad")
    result = verdict("backward", write(tmp_path, broken))
    assert not result.passed
    assert "expected" in failures(result)


@pytest.mark.parametrize("name, reason", [
    ("exit_at_import", "called sys.exit(0) while loading"),
    ("fake_passed", "ended early"),
    ("os_exit_in_test", "ended early"),
    ("hang_at_import", "did not finish loading within 2 s"),
    ("hang_in_test", "did not finish within 2 s"),
    ("flood", "did not finish loading within 2 s"),
    ("patches_judge", "changes builtins.abs, math.isclose"),
    ("forges_reports", ""),
])
def test_a_hostile_file_is_contained_and_fails_with_its_reason(name, reason, started):
    begun = time.monotonic()
    result = verdict("ops", HOSTILE / f"{name}.py", limits=FAST, launcher=started)
    assert not result.passed
    assert reason in result.problem
    assert time.monotonic() - begun < FAST.run_s + 5
    assert result.tests


def test_a_keyboard_interrupt_raised_by_the_learner_s_code_fails_only_its_tests(started, tmp_path):
    """The child runs the tests in its own loop: an exception pytest would stop the whole
    session for is one more failure, with its reason, and the other tests still run."""
    interrupts = REFERENCE.read_text() + \
        "\n\ndef _add(self, other):\n    raise KeyboardInterrupt\n\n\nValue.__add__ = _add\n"
    result = verdict("ops", write(tmp_path, interrupts), limits=FAST, launcher=started)
    assert not result.passed and not result.problem, result.problem  # every test reported
    interrupted = [t for t in result.tests if "KeyboardInterrupt" in t.message]
    assert interrupted and all(t.status == "error" for t in interrupted)
    assert "at mine.py:" in failures(result) and "c = a + b`" in failures(result)
    assert any(t.status == "pass" for t in result.tests)


def test_patches_made_during_the_tests_are_undone_and_fail_them():
    result = verdict("ops", HOSTILE / "patches_during_tests.py", limits=FAST)
    assert not result.passed
    assert any("builtins.isinstance" in t.message for t in result.tests)
    assert all(t.status != "pass" for t in result.tests if "Value(" in t.message)


def test_failing_examples_are_kept_in_drill_home_and_lent_to_the_next_run(drill_home, tmp_path):
    """The child sends what hypothesis saved with each test's report; drill keeps it, and the
    next run of the chunk starts from it."""
    from drill.grader import examples
    broken = REFERENCE.read_text().replace("self.data * other.data", "self.data + other.data")
    assert not verdict("ops", write(tmp_path, broken)).passed
    kept = json.loads((drill_home / "examples" / "ops.json").read_text())
    assert kept and all(values for values in kept.values())
    assert examples.lend(["ops"]) == {key: sorted(values, key=lambda v: (len(v), v))
                                      for key, values in kept.items()}
    assert examples.lend(["topo"]) == {}


def test_memory_is_limited(started):
    limits = Limits(run_s=20, test_s=5, import_s=15, memory_bytes=512 * 1024 ** 2)
    result = verdict("ops", HOSTILE / "eat_memory.py", limits=limits, launcher=started)
    assert "MemoryError" in result.problem


def test_a_flood_of_output_is_cut_to_the_limit():
    result = verdict("ops", HOSTILE / "flood.py", limits=FAST)
    assert len(result.output) < FAST.output_bytes + 200
    assert "more bytes of output not kept" in result.output


@pytest.mark.parametrize("ending", ["", "raise ValueError('stop')\n"])
def test_a_debugging_print_at_the_end_of_a_file_reaches_the_verdict(tmp_path, started, ending):
    """The child's stdout is a pipe, so Python buffers what the file prints; the child exits at
    once when it is done, and a short print, the whole of what a file printed, was lost."""
    wrong = REFERENCE.read_text().replace("Value(self.data * other.data", "Value(self.data + other.data")
    mine = write(tmp_path, wrong + "print('debug: 2 * 3 =', (Value(2.0) * 3).data)\n" + ending)
    result = verdict("ops", mine, limits=FAST, launcher=started)
    assert not result.passed and "debug: 2 * 3 = 5.0" in result.output, result.output


def test_no_process_outlives_the_run(started):
    result = verdict("ops", HOSTILE / "lingering_process.py", limits=FAST, launcher=started)
    assert not result.passed
    deadline = time.monotonic() + 5  # the kernel ends the namespace's processes soon after
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers() == []


def test_the_queue_hands_plain_tests_a_few_ahead_and_properties_only_to_an_idle_child():
    from drill.grader.parent import TestQueue
    queue = TestQueue(2)
    assert queue.give(0) == ([], True)  # nothing collected yet: nothing to hand
    queue.collected(10, plain=8)  # 0-7 plain, 8 and 9 properties; a quarter of 8 kept for last
    queue.collected(12, plain=0)  # the second child's count changes nothing
    assert queue.give(0) == ([0, 1, 2], False)
    assert queue.give(2) == ([3], False)
    assert queue.give(0) == ([4, 5], False)  # then a property, which waits for an idle child
    assert queue.give(0) == ([8], False)
    assert queue.give(1) == ([], False)
    assert queue.give(0) == ([9], False)  # and nothing behind it
    assert queue.give(1) == ([7, 6], True)  # the plain tests kept for last, to the other child
    alone = TestQueue(1)
    alone.collected(7, plain=4)
    assert alone.give(0) == ([0, 1, 2, 4, 5, 6, 3], True)


def test_full_is_shared_between_the_cores_and_each_test_graded_once(monkeypatch, started):
    from drill.grader import parent
    from drill.grader.collection import expected_ids
    suites = [str(s) for s in CHUNKS["full"].suite_files()]
    monkeypatch.setattr(parent.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert parent.children(suites) == 2 and parent.children(suites[:1]) == 1
    assert parent.children(suites[:1], "thorough") == 2  # 100 examples a property: both cores
    by_child = {}
    result = verdict("full", REFERENCE, launcher=started,
                     on_event=lambda kind, event: kind == "result" and
                     by_child.setdefault(event["token"], []).append(event["id"]))
    ids = [test_id for _, test_id in expected_ids(suites)]
    assert result.passed and [t.name for t in result.tests] == \
        [f"{chunk}::{test_id.split('::')[-1]}" for chunk, test_id in expected_ids(suites)]
    assert len(by_child) == 2 and all(by_child.values())
    assert sorted(sum(by_child.values(), [])) == sorted(ids)  # each test once, in one child


FIXTURES = """
import pytest


@pytest.fixture
def seven():
    return 7


@pytest.fixture
def doubled(request):
    return request.param * 2


def test_a_fixture(seven):
    assert seven == 7


@pytest.mark.parametrize("doubled", [3], indirect=True)
def test_an_indirect_parameter(doubled):
    assert doubled == 6


@pytest.fixture
def mine():  # parametrised indirectly, yet it makes its own value
    return "the fixture's"


@pytest.mark.parametrize("mine", ["the parameter"], indirect=True)
def test_a_fixture_that_takes_no_parameter(mine):
    assert mine == "the fixture's"


@pytest.mark.parametrize("x, y", [(1, 2), (3, 4)])
def test_parameters(x, y):
    assert y == x + 1


@pytest.mark.parametrize("x", [5])
def test_a_parameter_beside_a_fixture(x, seven):
    assert (x, seven) == (5, 7)
"""


def test_a_suite_s_own_fixtures_are_still_set_up_by_pytest(tmp_path):
    """The child hands a test its parameters itself (child.parameters_of), and leaves every
    test needing a fixture, or a parameter passed to one, to pytest."""
    from drill.catalog import load_catalog
    from drill.grader.parent import grade
    folder = tmp_path / "chunks" / "fixtures"
    folder.mkdir(parents=True)
    (folder / "chunk.toml").write_text('title = "Fixtures"\norder = 1\ntarget = "1:00"\n')
    (folder / "test_fixtures.py").write_text(FIXTURES)
    (chunk,) = load_catalog(folder.parent)
    result = grade(chunk, read(REFERENCE), "quick")
    assert result.passed and len(result.tests) == 6, failures(result)


def test_hypothesis_draws_the_numbers_of_the_learners_file_alone(tmp_path):
    """Hypothesis now and then draws a number written in a "local" module's source; drill's own
    (local when installed editable) are marked read before the learner's file is imported, so
    only the learner's numbers are drawn, and no child spends a tenth of a second reading drill."""
    learner = tmp_path / "learner_numbers.py"
    learner.write_text("SCALE = 123456.75\n")
    code = ("import sys; from drill.grader import childkit, profiles; "
            "from hypothesis.internal.conjecture import providers; "
            "profiles.constants_from_the_learner_alone(); "
            f"sys.path.insert(0, {str(tmp_path)!r}); import learner_numbers; "
            "found = providers._get_local_constants(); "
            "print(123456.75 in found.floats, childkit.MAX_MESSAGE in found.integers)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
