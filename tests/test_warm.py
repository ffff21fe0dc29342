"""The warm grader: every save is judged afresh under the same limits, a newer save stops an
older grading at once, and a grader that dies is started again."""
import os
import sys
import threading
import time

import pytest

from drill.catalog import load_catalog
from drill.grader.parent import Cancel, grade
from drill.learner_file import read
from drill.grader.warm import ForkServer, Prestarted

from conftest import CHUNKS, REFERENCE, failures, verdict
from test_grading import HOSTILE
BUG = CHUNKS["backward"].mutants()[0]  # = instead of += in + 's backward


@pytest.fixture(params=["fork", "prestarted"])
def grader(request, warm_grader):
    """The fork server, or (where there is no fork) a runner started ahead of each save."""
    if request.param == "fork":
        yield warm_grader
    else:
        with Prestarted() as prestarted:
            yield prestarted


def test_each_save_is_judged_afresh_never_from_a_module_kept_before(grader, tmp_path):
    path = tmp_path / "backward.py"
    right, wrong = REFERENCE.read_text(), REFERENCE.read_text().replace(BUG["old"], BUG["new"])
    for text, passes in ((right, True), (wrong, False), (right, True), (wrong, False)):
        path.write_text(text)
        result = verdict("backward", path, launcher=grader)
        assert result.passed == passes, failures(result)


def test_a_child_that_exits_early_fails_with_its_reason(grader):
    result = verdict("ops", HOSTILE / "exit_at_import.py", launcher=grader)
    assert "called sys.exit(0) while loading" in result.problem


def test_a_newer_save_stops_the_grading_still_running(warm_grader):
    cancel, done = Cancel(), {}
    events = []
    thread = threading.Thread(target=lambda: done.update(result=verdict(
        "ops", HOSTILE / "hang_in_test.py", launcher=warm_grader, cancel=cancel,
        on_event=lambda kind, event: events.append(kind))))
    thread.start()
    while "collected" not in events:  # the tests are handed out: the first never ends by itself
        time.sleep(0.01)
    time.sleep(0.1)
    asked = time.monotonic()
    cancel.set()
    thread.join()
    assert time.monotonic() - asked < 2
    assert done["result"].problem == "stopped: a newer save replaced this version"
    assert not done["result"].passed
    assert not os.path.exists(f"/proc/{cancel.runs[0].proc.pid}")  # killed, and reaped by the server


def test_a_grader_that_died_is_started_again(warm_grader):
    warm_grader.proc.kill()
    warm_grader.proc.wait()
    assert verdict("topo", REFERENCE, launcher=warm_grader).passed


def test_a_grader_that_cannot_start_leaves_the_run_to_a_cold_child():
    class Broken(ForkServer):
        command = [sys.executable, "-c", "pass"]  # exits at once, never answers

    with Broken() as broken:
        assert verdict("topo", REFERENCE, launcher=broken).passed


PROBE = """
import os

from drill.grader.suitekit import examples

BOUND = examples(1.0)  # settings made as the suite is imported, under the profile then in force
IMPORTED_BY = os.getpid()


def test_probe():
    apart = IMPORTED_BY != os.getpid()
    assert False, f"{NEWS} examples {BOUND.max_examples}, collected apart {apart}"
"""


def test_the_suites_are_collected_once_per_profile_and_never_served_once_changed(tmp_path):
    """The server collects the suites once per profile (hypothesis binds the profile as a suite
    is imported): for the quick profile before any save, for the thorough one only once a
    grading has ended, so that a first save never waits on it; a suite changed since is
    collected by the child."""
    folder = tmp_path / "chunks" / "probe"
    folder.mkdir(parents=True)
    (folder / "chunk.toml").write_text('title = "Probe"\norder = 1\ntarget = "1:00"\n')
    suite = folder / "test_probe.py"
    suite.write_text(PROBE.replace("{NEWS}", "first"))
    (chunk,) = load_catalog(folder.parent)

    def message(profile):
        (test,) = grade(chunk, read(REFERENCE), profile, launcher=server).tests
        return test.message

    with ForkServer(collect=[str(suite)]) as server:
        time.sleep(3)  # time enough to collect both profiles, were both collected at the start
        assert message("thorough") == "first examples 100, collected apart False"
        until = time.monotonic() + 60
        while "apart True" not in message("thorough"):  # the server collects while idle
            assert time.monotonic() < until, "the server never served a collected session"
            time.sleep(0.2)
        assert message("thorough") == "first examples 100, collected apart True"
        assert message("quick") == "first examples 10, collected apart True"
        suite.write_text(PROBE.replace("{NEWS}", "then"))
        assert message("quick") == "then examples 10, collected apart False"


DRAWS = """
from hypothesis import given, settings, strategies as st

SEEN = []


@settings(database=None)  # no failure kept to replay first: only the seed decides the examples
@given(st.floats(0, 1))
def test_draws(x):
    SEEN.append(x)
    assert len(SEEN) < 6, repr(SEEN[:5])  # fails from the sixth example on: the first five
"""


def test_each_save_draws_examples_of_its_own(tmp_path):
    """A forked child inherits the server's state, hypothesis' source of seeds included: each
    property is seeded afresh in each child, so every save is tried on new examples."""
    folder = tmp_path / "chunks" / "draws"
    folder.mkdir(parents=True)
    (folder / "chunk.toml").write_text('title = "Draws"\norder = 1\ntarget = "1:00"\n')
    (folder / "test_draws.py").write_text(DRAWS)
    (chunk,) = load_catalog(folder.parent)
    with ForkServer(collect=[]) as server:
        drawn = {grade(chunk, read(REFERENCE), "quick", launcher=server).tests[0].message
                 for _ in range(3)}
    assert len(drawn) == 3 and all(message.startswith("[") for message in drawn)
