"""`drill moons`: the demo run on a learner's file, from the parent's side.

The training runs in the grader's child (drill.tasks.moons); this module picks the file, starts
the task with limits fit for a training run, and turns its events into a `DemoRun`: the steps,
the final accuracy and grid, and what the scalar engine cost per step and per node.
"""
import signal
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from drill.errors import DrillError
from drill.learner_file import read
from drill.moons import Demo

# The boundary's grid, in cells: a few more than the characters of the plot's 80 columns, so
# that every character shows one.
GRID = (76, 20)
# A training run may take minutes on a slow engine; Ctrl-C stops it sooner.
TRAINING_S = 900.0


class Paced:
    """What a training's steps cost the scalar engine: for a run with `steps` (those it ran),
    `seconds` (all of them), `nodes` (Values in one step's graph) and `planned` (the steps it
    was to run)."""

    @property
    def step_s(self):
        return self.seconds / len(self.steps) if self.steps else None

    @property
    def node_us(self):
        return self.step_s / self.nodes * 1e6 if self.steps and self.nodes else None

    @property
    def whole_s(self):
        """How long all the steps planned (`planned`) would take at this run's pace."""
        return self.step_s * self.planned if self.steps else None


@dataclass
class DemoRun(Paced):
    demo: Demo
    file: str
    steps: list = field(default_factory=list)  # [{step, loss, accuracy, seconds}]
    nodes: int = 0        # Values in one step's loss graph
    seconds: float = 0.0  # fit's time, all steps
    accuracy: float = None  # of the trained model, scored by the task itself
    X: list = field(default_factory=list)
    y: list = field(default_factory=list)
    box: list = field(default_factory=list)  # x_min, x_max, y_min, y_max of the grid
    grid: list = field(default_factory=list)  # sign of the score per cell, row by row from the top
    columns: int = GRID[0]
    rows: int = GRID[1]
    stopped: bool = False  # stopped when asked (Ctrl-C): the pictures are of what it learned so far
    goal: float = 1.0  # the accuracy a speedrun's last split asks for: every point right
    judged_on = "of the points"  # what the accuracy is the share of, in words

    @property
    def separated(self):
        return self.accuracy == 1.0

    @property
    def score(self):
        return self.accuracy

    @property
    def reached(self):
        return self.accuracy >= self.goal

    @property
    def planned(self):
        return self.demo.steps

    def to_dict(self):
        return {"demo": self.demo.to_dict(), "file": self.file, "steps_run": len(self.steps),
                "losses": [s["loss"] for s in self.steps],
                "accuracies": [s["accuracy"] for s in self.steps], "accuracy": self.accuracy,
                "seconds": self.seconds, "nodes_per_step": self.nodes,
                "seconds_per_step": self.step_s, "microseconds_per_node": self.node_us,
                "points": {"X": self.X, "y": self.y},
                "grid": {"columns": self.columns, "rows": self.rows, "box": self.box,
                         "signs": self.grid}, "stopped": self.stopped}


def train(learner, demo=Demo(), on_step=None, cancel=None, until=None):
    """Run the demo on the learner's file (a learner_file.LearnerFile) in the grader's child;
    the DemoRun, or a DrillError saying why it did not finish. `on_step(event)` hears each
    step as it ends; with `until`, fit stops at the first step whose accuracy reaches it."""
    from drill.grader.parent import Limits, run_task
    found = DemoRun(demo, str(learner.path))

    def heard(kind, event):
        data = event.get("data") if kind == "task" else None
        if isinstance(data, dict) and _is(int, data.get("step")) and \
                all(_is(float, data.get(k)) for k in ("loss", "accuracy")):
            found.steps.append(data)
            if on_step:
                on_step(data)

    args = {**demo.to_dict(), "columns": GRID[0], "rows": GRID[1],
            "until": until}
    done = run_task("moons", learner, args,
                    limits=Limits(run_s=TRAINING_S + 30, test_s=TRAINING_S), on_event=heard,
                    cancel=cancel)
    if done.problem:
        raise DrillError(done.problem, exit_code=1)
    for event in done.events:  # sent by drill's task, but from the process the learner's code ran in
        if _is(int, event.get("nodes")):
            found.nodes = event["nodes"]
        if event.get("done") and _well_formed(event):
            found.seconds, found.accuracy = float(event["seconds"]), float(event["accuracy"])
            found.X, found.y, found.box, found.grid = (event["X"], event["y"], event["box"],
                                                       event["grid"])
            found.stopped = event.get("stopped") is True
    if found.accuracy is None:
        raise DrillError("your file sent no trained model back", exit_code=1)
    return found


class Stop:
    """Asks a training run in the grader's child to stop at the end of its step and send what
    the network learned so far (ChildRun.ask_to_stop). Passed to
    run_task as its `cancel`, which attaches the run."""

    def __init__(self):
        self.runs, self.asked = [], False

    def attach(self, run):
        self.runs.append(run)
        if self.asked:
            self.ask()

    def ask(self):
        self.asked = True
        for run in self.runs:
            run.ask_to_stop()


@contextmanager
def first_interrupt_stops(stop):
    """While training: the first Ctrl-C asks the run to stop (`stop`), and drill draws what it
    learned; a second one interrupts drill at once (KeyboardInterrupt)."""
    def heard(signum, frame):
        if stop.asked:
            raise KeyboardInterrupt
        stop.ask()
    previous = signal.signal(signal.SIGINT, heard)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _is(kind, value):
    """An exact int (not bool), or for float any plain number."""
    return type(value) is int if kind is int else type(value) in (int, float)


def _well_formed(event):
    """Whether a finished run's report has the shapes the pictures draw."""
    numbers = lambda xs, n=None: isinstance(xs, list) and (n is None or len(xs) == n) and \
        all(_is(float, x) for x in xs)
    return (_is(float, event.get("seconds")) and _is(float, event.get("accuracy"))
            and isinstance(event.get("X"), list) and all(numbers(x, 2) for x in event["X"])
            and numbers(event.get("y")) and numbers(event.get("box"), 4)
            and numbers(event.get("grid")))


@contextmanager
def kept_file(content, name):
    """A version kept in the store (`content`) as a learner's file of its own, `name`.py in a
    temporary folder: what a training in the grader's child is handed."""
    with tempfile.TemporaryDirectory(prefix=f"drill-{name}-") as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(content, encoding="utf-8")
        yield read(path)


def last_passing(store, chunk="moons"):
    """The last version of the learner's that passed `chunk` (a practice, or a speedrun that
    far); a DrillError when there is none."""
    for attempt in reversed(store.attempts(chunk)):
        passed = [s for s in store.snapshots(attempt.id) if s.passed]
        if passed:
            return passed[-1].content
    raise DrillError(f"no file of yours has passed {chunk} yet: drill start {chunk}, or "
                     f"drill {chunk} --file F (--reference runs drill's own)")


def run_demo(demo, learner=None, reference=False, **options):
    """`drill moons`: the demo on the learner's file (a LearnerFile), the reference, or the
    learner's last passing file."""
    if reference:
        from drill.paths import reference_file
        return train(read(reference_file()), demo, **options)
    if learner:
        return train(learner, demo, **options)
    from drill.store import open_store
    with kept_file(last_passing(open_store()), "moons") as kept:
        return train(kept, demo, **options)


# The steps a speedrun's last split may train for, and what its progress bar calls accuracy.
STEPS, ACCURACY = Demo().steps, "accuracy"


def train_to_goal(content, goal, on_step=None, cancel=None):
    """A speedrun's last split: train a kept version with the demo's settings until its
    accuracy on the points reaches `goal`; the DemoRun."""
    with kept_file(content, "moons") as kept:
        run = train(kept, on_step=on_step, cancel=cancel, until=goal)
    run.goal = goal
    return run
