"""`drill moons` and a run's last split: the training's progress bar (drill digits' too) and
plotext's pictures of the decision boundary and the curves (plotext is imported only to draw
them)."""
from rich.text import Text

from drill.clock import mmss as clock
from drill.render.common import err, out, plural


class TrainingProgress:
    """A training's progress bar on stderr (drill moons, drill digits, a speedrun's last split):
    step, loss, and the latest accuracy under the name `accuracy` (none when None), then
    "scoring" while drill digits scores the images; nothing when not a terminal. A step that
    reports no accuracy keeps the last one shown."""

    def __init__(self, steps, accuracy="accuracy"):
        self.steps, self.accuracy, self.progress, self.task = steps, accuracy, None, None

    def __enter__(self):
        if self.steps is not None and err.is_terminal:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeRemainingColumn)
            said = f"  {self.accuracy} {{task.fields[accuracy]}}" if self.accuracy else ""
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(),
                                     TextColumn("loss {task.fields[loss]}" + said),
                                     TimeRemainingColumn(), TextColumn("left · Ctrl-C stops",
                                                                       style="dim"),
                                     console=err, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("training", total=self.steps, loss="-",
                                               accuracy="-")
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def __call__(self, step):
        if self.progress and "scoring" in step:  # drill digits, once trained: the images scored
            self.progress.update(self.task, description="scoring")
        elif self.progress:
            shown = {"accuracy": f"{step['accuracy']:.0%}"} if "accuracy" in step else {}
            self.progress.update(self.task, completed=step["step"], loss=f"{step['loss']:.3f}",
                                 **shown)


def plotted(build):
    """A plotext figure as rich Text, as wide as the terminal (at most 80 columns)."""
    import plotext as plt
    plt.main()  # the whole figure, not the subplot an earlier picture (the curves) addressed
    plt.clf()
    plt.theme("clear" if out.no_color or not out.is_terminal else "pro")
    build(plt, min(out.width, 80))
    return Text.from_ansi(plt.build())


def decision_boundary(run):
    """The sign of the trained model's score over the grid, with the points on top."""
    from drill.moons import grid

    def build(plt, width):
        box, cells = grid(run.X, run.columns, run.rows)
        inside = [cell for cell, sign in zip(cells, run.grid) if sign > 0]
        plt.plotsize(width, 24)
        plt.scatter([c[0] for c in inside], [c[1] for c in inside], marker="·", color="cyan")
        for label, mark, colour in ((1, "o", "blue+"), (-1, "x", "red+")):
            points = [x for x, y in zip(run.X, run.y) if y == label]
            plt.scatter([p[0] for p in points], [p[1] for p in points], marker=mark,
                        color=colour)
        plt.xlim(box[0], box[1])
        plt.ylim(box[2], box[3])
        plt.title("o label 1, x label -1; · where your model scores above 0")
    return plotted(build)


def training_curves(run):
    """The loss and the accuracy of each step, side by side."""
    def build(plt, width):
        steps = [s["step"] for s in run.steps]
        plt.subplots(1, 2)
        plt.plotsize(width, 14)
        for column, (name, values) in enumerate((("loss", [s["loss"] for s in run.steps]),
                                                 ("accuracy", [s["accuracy"] for s in run.steps])), 1):
            plt.subplot(1, column)
            plt.plot(steps, values, marker="braille")
            plt.title(name)
            plt.xlabel("step")
    return plotted(build)


def moons_run(run):
    """After `drill moons`: the boundary, the curves, and what the engine cost."""
    demo = run.demo
    out.print(decision_boundary(run))
    out.print(training_curves(run))
    first = next((s["step"] for s in run.steps if s["accuracy"] == 1.0), None)
    sizes = list(demo.hidden) + [1]
    line = Text(f"MLP(2, {sizes}) on {demo.points} points, {plural(len(run.steps), 'step')} "
                f"in {run.seconds:.1f} s: ")
    line += (Text(f"{run.accuracy:.0%} of the points right", style="bold green" if
                  run.separated else "bold yellow"))
    line += Text(f" (first 100% seen at step {first})." if first else ".")
    out.print(line)
    if len(run.steps) < demo.steps:
        why = ("you stopped it: the pictures show what it had learned by then" if run.stopped
               else "every point was right")
        out.print(Text(f"Stopped at step {len(run.steps)} of {demo.steps}, as {why}; all "
                       f"{demo.steps} steps would take about {clock(run.whole_s)} at this pace.",
                       style="yellow" if run.stopped else "green"))
    if run.node_us is not None:
        out.print(Text(
            f"Each step built {run.nodes:,} Values and walked back through them: "
            f"{run.step_s * 1000:.0f} ms a step, {run.node_us:.1f} µs a Value. A tensor library "
            "does the same step as a few matrix products over arrays, with no Python object per "
            "number: that is why real libraries use tensors.", style="dim"))


def trained_split(run, problem):
    """After a run's last part, the network trained with the learner's file (the moons demo,
    the digits): the split, or why not."""
    if run is not None and run.reached:
        out.print(Text("Trained: ", style="bold green") + Text(
            f"your network got {run.score:.0%} {run.judged_on} right at step {len(run.steps)} "
            f"of {run.planned} ({run.seconds:.1f} s of training); that is the last split."))
        return
    why = problem if run is None else (f"after {plural(len(run.steps), 'step')} your network "
                                       f"had {run.score:.0%} {run.judged_on} right, not "
                                       f"{run.goal:.0%}")
    out.print(Text(f"The training did not finish the run: {why}. The run stays open; drill "
                   "check trains again.", style="yellow"))
