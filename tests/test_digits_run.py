"""drill digits: the UCI digits shipped and split, the training in the grader's child, its
pictures, the reports the child may send, and the digits speedrun's last split."""
import json

import pytest

from drill.digits import SCALE, dataset, images, split
from drill.grader.reports import Broken, Reports

from drill.stub import reference_for

from conftest import REFERENCE, drill

TINY = ["--hidden", "4", "--steps", "3", "--batch", "8"]
LIBRARY = REFERENCE.read_text()  # the lecture's library: full passes, digits does not
DIGITS = reference_for("digits")


def test_the_digits_are_the_1797_uci_images_with_their_labels():
    found = images()
    assert len(found) == 1797
    assert all(len(pixels) == 64 and all(0 <= v <= 16 for v in pixels) for pixels, _ in found)
    digits = [d for _, d in found]
    assert sorted(set(digits)) == list(range(10)) and min(map(digits.count, range(10))) >= 170
    assert found[0] == ([0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11,
                         8, 0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1,
                         12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0], 0)


def test_the_split_is_fixed_stratified_and_the_inputs_scaled():
    train, test = split(images())
    assert (len(train), len(test)) == (1442, 355) and split(images()) == (train, test)
    assert sorted(map(repr, train + test)) == sorted(map(repr, images()))
    for digit in range(10):
        held = sum(d == digit for _, d in test) / sum(d == digit for _, d in train + test)
        assert 0.18 < held < 0.22
    X, y, X_test, y_test = dataset()
    assert (len(X), len(X_test)) == (1442, 355) and y_test == [d for _, d in test]
    assert X[0] == [level / SCALE for level in train[0][0]] and max(map(max, X)) == 16 / SCALE


def test_the_reference_trains_and_reports_the_accuracies_and_losses():
    result = drill("digits", "--reference", *TINY, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["steps_run"] == 3 == len(data["losses"]) and data["seconds"] > 0
    assert 0 <= data["test_accuracy"] <= 1 and 0 <= data["train_accuracy"] <= 1
    assert (data["test_scored"], data["train_scored"]) == (355, 361)
    confusion = data["confusion"]
    assert len(confusion) == 10 and sum(map(sum, confusion)) == 355
    assert sum(confusion[d][d] for d in range(10)) / 355 == data["test_accuracy"]
    assert data["nodes_per_step"] > 8 * 64 * 4 and data["microseconds_per_node"] > 0
    assert data["settings"] == {"hidden": [4], "steps": 3, "batch": 8, "lr": 2.0, "seed": 0,
                                "check_every": 20}


def test_the_run_draws_digits_guesses_confusion_and_loss_in_80_columns():
    result = drill("digits", "--reference", *TINY)
    assert result.exit_code == 0 and "\x1b[" not in result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    said = " ".join(result.output.split())
    assert "Held-out digits, your network's guess under each (✗: wrong, then the right one):" \
        in lines
    assert "a row for each digit, a column for each guess of your network" in said
    assert "loss: the mean cross-entropy of each step's batch" in said
    assert "of the 355 held-out digits right" in said and "µs a Value" in said
    assert "✗" in said  # three tiny steps leave wrong guesses, each marked
    drawn = [line for line in lines if set(line) <= set(" ▀▄█") and line.strip()]
    assert len(drawn) >= 8  # two rows of digits, four lines each


def test_a_digit_is_four_lines_of_eight_half_blocks():
    from drill.render.digits import digit_lines
    pixels = [16] * 8 + [0] * 8 + [0] * 8 + [16] * 8 + [16] * 16 + [0] * 16
    assert [line.plain for line in digit_lines(pixels, colour=False)] == \
        ["▀" * 8, "▄" * 8, "█" * 8, " " * 8]
    coloured = digit_lines(pixels, colour=True)
    assert [line.plain for line in coloured] == ["▀" * 8] * 4
    assert "rgb(255,255,255) on rgb(0,0,0)" in str(coloured[0].spans[0].style)


def test_the_command_defaults_are_the_settings():
    from drill.cli import digits
    from drill.digits import Settings
    defaults, settings = {p.name: p.default for p in digits.params}, Settings()
    assert (defaults["steps"], defaults["batch"]) == (settings.steps, settings.batch)
    assert tuple(int(n) for n in defaults["hidden"].split(",")) == settings.hidden


def test_without_a_passing_file_it_says_how_to_get_one():
    result = drill("digits")
    assert result.exit_code == 2
    assert "no file of yours has passed digits yet: drill start digits" in result.output


def test_file_and_reference_together_is_a_usage_error(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(DIGITS)
    result = drill("digits", "--file", str(path), "--reference")
    assert result.exit_code == 2 and "pick one" in result.output


@pytest.mark.parametrize("missing", ["classifier", "fit_digits"])
def test_a_file_without_the_classifier_or_its_loop_is_one_line(tmp_path, missing):
    path = tmp_path / "mine.py"
    source = DIGITS
    path.write_text(source.replace(f"def {missing}(", "def renamed(")
                    .replace(f"class {missing}(", "class renamed("))
    result = drill("digits", "--file", str(path), *TINY)
    assert result.exit_code == 1 and f"your file defines no `{missing}`" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_classifier_with_the_wrong_number_of_logits_is_told(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(DIGITS.replace(
        "hidden)[-1], nclasses,", "hidden)[-1], nclasses - 1,"))
    result = drill("digits", "--file", str(path), *TINY)
    assert result.exit_code == 1 and "classifier(64, [4], 10)(X[0]) should give 10 logits, one a " \
        "digit, but it gave 9" in result.output and "Traceback" not in result.output


def test_a_file_that_breaks_in_fit_digits_is_one_line(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(DIGITS.replace("    losses = []\n",
                                                  "    losses = []\n    1 / 0\n"))
    result = drill("digits", "--file", str(path), *TINY)
    assert result.exit_code == 1 and "ZeroDivisionError" in result.output
    assert "Traceback" not in result.output


ARGS = {"settings": {"hidden": [4], "steps": 3, "batch": 8, "lr": 2.0, "seed": 0,
                     "check_every": 20}, "goal": None, "sizes": [361, 355]}


def report(data):
    return json.dumps({"token": "t", "event": "task", "data": data})


def test_the_childs_reports_are_checked_before_they_are_drawn():
    """The reports come from the process the learner's code ran in: a guess that is no digit,
    too few or too many of them, a step past the run's or a loss that is not a finite number
    end the run instead of reaching the pictures."""
    done = {"done": True, "seconds": 1.5, "train": [1] * 361, "test": [2] * 355}
    step = {"step": 1, "steps": 3, "loss": 2.3, "seconds": 0.5}
    reports = Reports("t", "digits", ARGS)
    assert reports.read(report(step))["data"] == step
    assert reports.read(report({**step, "accuracy": 0.5}))["data"]["accuracy"] == 0.5
    assert reports.read(report(done))["data"]["test"] == [2] * 355
    for bad in ({**done, "test": [2] * 354}, {**done, "test": [10] + [2] * 354},
                {**done, "train": ["1"] * 361}, {**done, "test": [True] * 355},
                {**done, "seconds": -1}, {**step, "step": 4}, {**step, "loss": float("nan")},
                {**step, "steps": 80}, {**step, "accuracy": 1.5}, {"scoring": 10 ** 9},
                {**done, "guesses": "\x1b[2J"}, {"nodes": "many"}):
        with pytest.raises(Broken):
            Reports("t", "digits", ARGS).read(report(bad))


@pytest.fixture
def digits_goal(monkeypatch):
    """A speedrun's last split trains for 4 steps of a tiny network, towards the goal of digits'
    table, or the one `goal(g)` sets."""
    import drill.digits_run
    from drill.digits import Settings
    monkeypatch.setattr(drill.digits_run, "SPEEDRUN",
                        Settings(hidden=(4,), steps=4, batch=8, check_every=2))
    trained, wanted = drill.digits_run.train_to_goal, {}
    monkeypatch.setattr(drill.digits_run, "train_to_goal", lambda content, goal, **options:
                        trained(content, wanted.get("goal", goal), **options))
    return lambda value: wanted.update(goal=value)


def test_the_digits_speedrun_is_the_library_then_digits_then_the_trained_split():
    from drill.catalog import get_chunk
    run = get_chunk("digits").as_run("speedrun")
    assert run.split_names() == ["ops", "backward", "topo", "nn", "train", "full", "digits",
                                 "trained"]
    assert (run.trained, run.goal, run.target_s) == ("digits", 0.9, 45 * 60)


def test_a_digits_speedrun_ends_once_the_network_reads_the_goal_of_the_held_out_digits(
        drill_home, digits_goal):
    start = drill("speedrun", "digits", "--no-watch", now="2026-11-26T09:00:00Z")
    assert start.exit_code == 0, start.output
    path = drill_home / "workspace" / "speedrun-digits.py"
    assert "class Value" not in path.read_text() and "digits speedrun" in path.read_text()
    path.write_text(LIBRARY)
    assert drill("check", now="2026-11-26T09:10:00Z").exit_code == 1
    path.write_text(DIGITS)
    short = drill("check", now="2026-11-26T09:30:00Z")  # 90 % is out of reach in 4 tiny steps
    said = " ".join(short.output.split())
    assert "The training did not finish the run: after 4 steps your network had" in said
    assert "of the held-out digits right, not 90%. The run stays open" in said
    digits_goal(0.1)
    done = drill("check", now="2026-11-26T09:40:00Z")
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "Trained: your network got" in said and "of the held-out digits right at step 2 of 4" \
        in said and "Final time 40:00: your first finished run" in said
    runs = json.loads(drill("speedrun", "--history", "--json").output)
    assert [(r["chunk"], r["outcome"]) for r in runs] == [("digits", "passed")]
    assert runs[0]["splits"] == [["ops", 600.0], ["backward", 600.0], ["topo", 600.0],
                                 ["nn", 600.0], ["train", 600.0], ["full", 1800.0],
                                 ["digits", 1800.0], ["trained", 2400.0]]
    history = drill("speedrun", "--history").output
    assert "digits: 1 run, 1 finished, best 40:00" in history and "trained" in history


def test_ctrl_c_shows_what_the_network_learned_so_far_and_exits_130():
    import os
    import signal
    import subprocess
    import time

    from conftest import DRILL_EXE
    proc = subprocess.Popen([DRILL_EXE, "digits", "--reference", "--hidden", "4", "--steps",
                             "2000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "80"})
    time.sleep(6)  # training by now: the child started and fit_digits runs its steps
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    said = " ".join(out.split())
    assert "Held-out digits, your network's guess under each" in out
    assert "Traceback" not in out + err
    assert "of 2000, as you stopped it: the pictures show what it had learned by then" in said


def test_logits_that_are_not_numbers_are_told_and_their_text_escaped(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(DIGITS + '''

class Forged:
    data = "\\x1b[2Jseven"


class ForgedModel:
    def __init__(self, model):
        self.model = model

    def __call__(self, x):
        return [Forged()] * 10

    def parameters(self):
        return self.model.parameters()


made = classifier
classifier = lambda nin, hidden, nclasses: ForgedModel(made(nin, hidden, nclasses))
''')
    result = drill("digits", "--file", str(path), *TINY)
    assert result.exit_code == 1 and "a logit's .data should be a plain number" in result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output
