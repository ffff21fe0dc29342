"""`drill digits`: the learner's classifier trained on the handwritten digits, from the
parent's side.

The training runs in the grader's child (drill.tasks.digits); this module picks the file,
starts the task with limits fit for a training, and turns its reports (checked by
drill.grader.reports) into a `DigitsRun`: the steps, and the network's guess for every image,
from which it works out the accuracies and the confusion matrix against the labels drill reads
itself. The speedrun of digits ends here too: `train_to_goal` (drill.attempt.train_split).
"""
from dataclasses import dataclass, field

from drill.demo import TRAINING_S, Paced, kept_file, last_passing
from drill.digits import CLASSES, TRAIN_SAMPLE, Settings, dataset, share_right
from drill.errors import DrillError

# The longest the parent waits between two reports of the child before it stops the run (the
# grader's import limit, which a task's reports keep renewing): a step on a loaded machine, or
# a slow engine, may take several seconds, and 100 images scored about as long.
QUIET_S = 60.0
# How a speedrun's last split trains (drill digits' defaults), the steps it may train for, and
# what its progress bar calls accuracy.
SPEEDRUN = Settings()
STEPS, ACCURACY = SPEEDRUN.steps, "held-out"


@dataclass
class DigitsRun(Paced):
    settings: Settings
    file: str
    y_train: list  # the digits of the training images scored (TRAIN_SAMPLE), from drill's copy
    y_test: list   # and of the held-out ones
    steps: list = field(default_factory=list)  # [{step, loss, seconds, accuracy (at checks)}]
    nodes: int = 0        # Values in one step's cross-entropies
    seconds: float = 0.0  # the training's time, all steps (checks of the held-out set aside)
    train: list = field(default_factory=list)  # the network's guess for each of those
    test: list = field(default_factory=list)   # and for each held-out one
    stopped: bool = False  # stopped when asked (Ctrl-C): the pictures are of what it learned so far
    goal: float = None  # the held-out accuracy a speedrun's last split asks for
    judged_on = "of the held-out digits"  # what the accuracy is the share of, in words

    @property
    def test_accuracy(self):
        return share_right(self.test, self.y_test)

    @property
    def train_accuracy(self):
        return share_right(self.train, self.y_train)

    score = test_accuracy

    @property
    def reached(self):
        return self.goal is not None and self.test_accuracy >= self.goal

    @property
    def planned(self):
        return self.settings.steps

    def confusion(self):
        """rows[digit][guess]: how many held-out images of each digit got each guess."""
        rows = [[0] * CLASSES for _ in range(CLASSES)]
        for guess, digit in zip(self.test, self.y_test):
            rows[digit][guess] += 1
        return rows

    @property
    def example_ms(self):
        """What one image of a batch costs a step (forward and backward), in milliseconds."""
        return self.step_s / self.settings.batch * 1000 if self.steps else None

    def to_dict(self):
        return {"settings": self.settings.to_dict(), "file": self.file,
                "test_accuracy": self.test_accuracy, "train_accuracy": self.train_accuracy,
                "losses": [s["loss"] for s in self.steps],
                "checks": [[s["step"], s["accuracy"]] for s in self.steps if "accuracy" in s],
                "train_scored": len(self.y_train), "test_scored": len(self.y_test),
                "seconds": self.seconds, "steps_run": len(self.steps),
                "seconds_per_step": self.step_s, "nodes_per_step": self.nodes,
                "microseconds_per_node": self.node_us, "confusion": self.confusion(),
                "test_guesses": self.test, "stopped": self.stopped}


def train(learner, settings=Settings(), on_step=None, cancel=None, goal=None):
    """Train on the learner's file (a learner_file.LearnerFile) in the grader's child; the
    DigitsRun, or a DrillError saying why it did not finish. `on_step(step)` hears each step
    as it ends, then how many images are scored ({"scoring": n}); with `goal`, the training
    stops once a check of the held-out set reaches it."""
    from drill.grader.parent import Limits, run_task
    _, y_train, _, y_test = dataset()
    found = DigitsRun(settings, str(learner.path), y_train[::TRAIN_SAMPLE], y_test, goal=goal)

    def heard(kind, event):  # checked by drill.grader.reports before it gets here
        data = event.get("data") if kind == "task" else None
        if isinstance(data, dict) and "step" in data:
            found.steps.append(data)
        if on_step and isinstance(data, dict) and ("step" in data or "scoring" in data):
            on_step(data)

    args = {"settings": settings.to_dict(), "goal": goal,
            "sizes": [len(found.y_train), len(y_test)]}
    done = run_task("digits", learner, args, on_event=heard, cancel=cancel,
                    limits=Limits(run_s=TRAINING_S + 30, test_s=TRAINING_S, import_s=QUIET_S))
    if done.problem:
        raise DrillError(done.problem, exit_code=1)
    for event in done.events:
        if "nodes" in event:
            found.nodes = event["nodes"]
        if event.get("done"):
            found.seconds, found.train, found.test = event["seconds"], event["train"], event["test"]
            found.stopped = event.get("stopped") is True
    if not found.test:
        raise DrillError("your file sent no trained model back", exit_code=1)
    return found


def run_digits(settings, learner=None, reference=False, **options):
    """`drill digits`: train on the learner's file (a LearnerFile), drill's reference, or the
    learner's last file that passed digits."""
    if learner:
        return train(learner, settings, **options)
    if reference:
        from drill.stub import reference_for
        content = reference_for("digits")
    else:
        from drill.store import open_store
        content = last_passing(open_store(), "digits")
    with kept_file(content, "digits") as kept:
        return train(kept, settings, **options)


def train_to_goal(content, goal, on_step=None, cancel=None):
    """A speedrun's last split: train a kept version as `drill digits` does by default, until
    the held-out accuracy reaches `goal`; the DigitsRun."""
    with kept_file(content, "digits") as kept:
        return train(kept, SPEEDRUN, on_step=on_step, cancel=cancel, goal=goal)
