"""drill moons: the demo trained in the grader's child, its pictures, and the moons speedrun."""
import json

from drill.moons import Demo, two_moons

from conftest import REFERENCE, drill

SMALL = ["--points", "16", "--hidden", "4", "--steps", "30"]
UP_TO_NN = REFERENCE.read_text()[:REFERENCE.read_text().index("class Neuron")]


def test_the_two_moons_are_drills_own_seeded_points():
    X, y = two_moons(40)
    assert two_moons(40) == (X, y) and two_moons(40, seed=1) != (X, y)
    assert y.count(1) == y.count(-1) == 20
    upper = [x for x, label in zip(X, y) if label == 1]
    lower = [x for x, label in zip(X, y) if label == -1]
    assert sum(p[1] for p in upper) / 20 > 0.3 > sum(p[1] for p in lower) / 20


def test_the_reference_separates_the_points_and_sends_the_grid(tmp_path):
    result = drill("moons", "--reference", *SMALL, "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["accuracy"] == 1.0
    assert data["steps_run"] == 30 == len(data["losses"]) == len(data["accuracies"])
    assert data["losses"][-1] < data["losses"][0]
    grid = data["grid"]
    assert len(grid["signs"]) == grid["columns"] * grid["rows"] and set(grid["signs"]) == {1, -1}
    assert data["nodes_per_step"] > 16 * 10 and data["microseconds_per_node"] > 0


def test_the_run_draws_the_boundary_and_the_curves_in_80_columns():
    result = drill("moons", "--reference", *SMALL)
    lines = result.output.splitlines()
    assert result.exit_code == 0 and "\x1b[" not in result.output
    assert max(len(line) for line in lines) <= 80
    assert any("o label 1, x label -1" in line for line in lines)
    assert any("loss" in line and "accuracy" in line for line in lines)
    words = " ".join(result.output.split())
    assert "100% of the points right" in words and "µs a Value" in words


def test_the_command_defaults_are_the_demos():
    from drill.cli import moons
    defaults = {p.name: p.default for p in moons.params}
    demo = Demo()
    assert (defaults["points"], defaults["steps"]) == (demo.points, demo.steps)
    assert tuple(int(n) for n in defaults["hidden"].split(",")) == demo.hidden


def test_without_a_passing_file_it_says_how_to_get_one():
    result = drill("moons")
    assert result.exit_code == 2 and "no file of yours has passed moons yet" in result.output


def test_a_file_that_breaks_in_fit_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(REFERENCE.read_text().replace("    history = []\n", "    history = []\n    1 / 0\n"))
    result = drill("moons", "--file", str(path), *SMALL)
    assert result.exit_code == 1 and "ZeroDivisionError" in result.output
    assert "Traceback" not in result.output


def test_bad_sizes_are_a_usage_error():
    result = drill("moons", "--reference", "--hidden", "8,x")
    assert result.exit_code == 2 and "is not sizes like 8,8" in result.output


def test_a_moons_speedrun_ends_with_a_split_per_chunk_and_the_trained_split(drill_home):
    start = drill("speedrun", "moons", "--no-watch", now="2026-11-26T09:00:00Z")
    assert start.exit_code == 0
    path = drill_home / "workspace" / "speedrun-moons.py"
    handed = path.read_text()
    assert "class Value" not in handed  # a blank file: the cards alone, the whole library's first
    assert handed.index("# # full — the whole library") < handed.index("# **`margin_loss(")
    assert "stub" not in handed.split("\n", 1)[1] and "drill card moons" not in handed
    path.write_text(UP_TO_NN)
    assert drill("check", now="2026-11-26T09:05:00Z").exit_code == 1
    path.write_text(REFERENCE.read_text())
    done = drill("check", now="2026-11-26T09:20:00Z")
    assert done.exit_code == 0, done.output
    assert "Trained:" in done.output and "Final time 20:00: your first finished run" in done.output
    runs = json.loads(drill("speedrun", "--history", "--json").output)
    assert [(r["chunk"], r["outcome"]) for r in runs] == [("moons", "passed")]
    assert runs[0]["splits"] == [["ops", 300.0], ["backward", 300.0], ["topo", 300.0],
                                 ["nn", 1200.0], ["train", 1200.0], ["full", 1200.0],
                                 ["moons", 1200.0], ["trained", 1200.0]]
    history = drill("speedrun", "--history").output
    assert "moons" in history and "moons: 1 run, 1 finished, best 20:00" in history


def test_the_moons_speedrun_is_the_library_from_a_blank_file_then_the_demo():
    from drill.catalog import get_chunk
    chunk = get_chunk("moons")
    run = chunk.as_run("speedrun")
    assert chunk.as_run("practice") is chunk and chunk.blanks and not run.blanks
    assert run.split_names() == ["ops", "backward", "topo", "nn", "train", "full", "moons",
                                 "trained"]
    assert run.target_s == 40 * 60 and chunk.target_s == 8 * 60
    assert get_chunk("full").as_run("speedrun").split_names() == list(get_chunk("full").suites)


def test_a_forged_training_report_is_not_drawn():
    """The task's report comes from the process the learner's code ran in: a report of the
    wrong shape is refused rather than drawn (or a traceback)."""
    from drill.demo import _well_formed
    good = {"done": True, "seconds": 1.5, "accuracy": 1.0, "X": [[0.1, 0.2], [1, -1]],
            "y": [1, -1], "box": [0, 1, 0, 1], "grid": [1, -1, 1, -1]}
    assert _well_formed(good)
    for key, bad in (("seconds", "1.5"), ("X", [[0.1]]), ("y", "11"), ("box", [0, 1]),
                     ("grid", [[1]]), ("accuracy", None)):
        assert not _well_formed({**good, key: bad}), key


def test_a_pass_of_moons_suggests_drill_moons_to_see_it_learn(drill_home):
    drill("start", "moons", "--no-watch")
    (drill_home / "workspace" / "moons.py").write_text(REFERENCE.read_text())
    passed = drill("check")
    assert passed.exit_code == 0
    said = " ".join(passed.output.split())
    assert "Try: drill moons: see your network learn the two moons." in said
    assert said.index("Try: drill moons") < said.index("Next: ")


def test_until_perfect_stops_once_every_point_is_right_and_says_how_long_all_would_take():
    result = drill("moons", "--reference", *SMALL, "--until-perfect", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["accuracy"] == 1.0 and not data["stopped"]
    assert data["steps_run"] == data["accuracies"].index(1.0) + 1 < 30
    shown = " ".join(drill("moons", "--reference", *SMALL, "--until-perfect").output.split())
    assert f"Stopped at step {data['steps_run']} of 30, as every point was right; all 30 " \
           "steps would take about 0:" in shown


def test_ctrl_c_draws_what_the_network_learned_so_far_and_exits_130(tmp_path):
    import os
    import signal
    import subprocess
    import time

    from conftest import DRILL_EXE
    proc = subprocess.Popen([DRILL_EXE, "moons", "--reference", "--steps", "2000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "80"})
    time.sleep(6)  # training by now: the child started and fit runs its steps
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    said = " ".join(out.split())
    assert "o label 1, x label -1" in out and "Traceback" not in out + err
    assert "of 2000, as you stopped it: the pictures show what it had learned by then" in said
