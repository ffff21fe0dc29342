"""What `drill digits` costs: one step of the scalar engine, and whole runs beside `drill moons`.

    python benchmarks/digits_cost.py [--steps 5] [--runs 3]

First, one step of the reference's fit_digits (classifier(64, [16], 10), a batch of 32: forward,
cross-entropy, zero the grads, backward, update), median of `--steps` steps, three ways: as
Python runs it with its cycle collector on; with the collector held off during the step and
run once after it, as drill's task does; and, as the baseline, the same step in plain floats
(forward and backward written out by layer, no object per number), roughly what a tensor
library's inner loops do. Then, median of `--runs` runs each: `drill moons --reference --json`
and `drill digits --reference --json` as a learner runs them (a fresh DRILL_HOME, wall clock),
and the digits speedrun's last split, trained until 90 % of the held-out digits are right.
"""
import argparse
import gc
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

from rich.console import Console
from rich.table import Table

from drill.digits import Settings, dataset
from drill.tasks.moons import count_nodes

from drill.stub import reference_for

micrograd = types.ModuleType("micrograd")  # the reference digits file, as a learner's would be
exec(compile(reference_for("digits"), "micrograd.py", "exec"), micrograd.__dict__)

DRILL = str(Path(sys.executable).with_name("drill"))


def engine_step(model, X, y, settings, k, collector):
    """One step of the reference's loop, the collector on or held off until after it."""
    if not collector:
        gc.disable()
    micrograd.fit_digits(model, X, y, steps=1, batch_size=settings.batch, lr=settings.rate(k),
                         seed=k)
    if not collector:
        gc.enable()
        gc.collect()


def float_layers(model):
    """The model's weights as plain lists: per layer, rows of [w..., b]."""
    return [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in model.layers]


def float_step(layers, X, y, settings, k):
    """The same step in floats: forward keeping each layer's outputs, softmax and
    cross-entropy, then backward by hand and the update."""
    batch = random.Random(k).sample(range(len(X)), settings.batch)
    grads = [[[0.0] * len(row) for row in layer] for layer in layers]
    for i in batch:
        acts = [X[i]]
        for depth, layer in enumerate(layers):
            z = [sum(w * v for w, v in zip(row, acts[-1])) + row[-1] for row in layer]
            acts.append(z if depth == len(layers) - 1 else [math.tanh(v) for v in z])
        top = max(acts[-1])
        exps = [math.exp(v - top) for v in acts[-1]]
        upstream = [(e / sum(exps) - (c == y[i])) / len(batch) for c, e in enumerate(exps)]
        for depth in range(len(layers) - 1, -1, -1):
            a, out = acts[depth], acts[depth + 1]
            local = upstream if depth == len(layers) - 1 else \
                [u * (1 - o * o) for u, o in zip(upstream, out)]
            upstream = [0.0] * len(a)
            for row, grow, g in zip(layers[depth], grads[depth], local):
                for q, v in enumerate(a):
                    grow[q] += g * v
                    upstream[q] += g * row[q]
                grow[-1] += g
    for layer, glayer in zip(layers, grads):
        for row, grow in zip(layer, glayer):
            for q in range(len(row)):
                row[q] -= settings.rate(k) * grow[q]


def median_s(step, runs):
    times = []
    for k in range(runs):
        started = time.perf_counter()
        step(k)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def step_table(steps):
    settings = Settings()
    X, y, _, _ = dataset()
    random.seed(0)
    model = micrograd.classifier(64, list(settings.hidden), 10)
    batch = random.Random(0).sample(range(len(X)), settings.batch)
    nodes = count_nodes(*[micrograd.cross_entropy(model(X[i]), y[i]) for i in batch])
    on = median_s(lambda k: engine_step(model, X, y, settings, k, True), steps)
    held = median_s(lambda k: engine_step(model, X, y, settings, k, False), steps)
    layers = float_layers(model)
    floats = median_s(lambda k: float_step(layers, X, y, settings, k), steps)
    table = Table(title=f"one step of fit_digits (batch {settings.batch}, hidden 16), median "
                        f"of {steps} steps")
    for column in ("Values a step", "collector on s", "held off s", "µs a Value", "ms an image",
                   "plain floats s", "held off / floats"):
        table.add_column(column, justify="right")
    table.add_row(f"{nodes:,}", f"{on:.2f}", f"{held:.2f}", f"{held / nodes * 1e6:.1f}",
                  f"{held / settings.batch * 1000:.0f}", f"{floats:.3f}", f"{held / floats:.0f}×")
    return table


def command_s(*args):
    """A drill command's wall clock in a fresh DRILL_HOME, and its JSON."""
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        done = subprocess.run([DRILL, *args], capture_output=True, text=True, check=True,
                              env={**os.environ, "DRILL_HOME": home})
        return time.perf_counter() - started, json.loads(done.stdout)


def to_goal():
    """The digits speedrun's last split on the reference: training seconds, steps."""
    from drill.digits_run import train_to_goal
    with tempfile.TemporaryDirectory() as home:
        os.environ["DRILL_HOME"] = home
        run = train_to_goal(reference_for("digits"), 0.9)
    return run.seconds, len(run.steps), run.test_accuracy


def runs_table(runs):
    found = {"moons": [], "digits": [], "goal": []}
    for _ in range(runs):
        found["moons"].append(command_s("moons", "--reference", "--json"))
        found["digits"].append(command_s("digits", "--reference", "--json"))
        found["goal"].append(to_goal())
    median = lambda values: statistics.median(values)
    table = Table(title=f"whole runs, median of {runs}")
    for column in ("run", "wall s", "training s", "steps", "accuracy"):
        table.add_column(column, justify="left" if column == "run" else "right")
    moons = found["moons"]
    table.add_row("drill moons --reference", f"{median([s for s, _ in moons]):.1f}",
                  f"{median([d['seconds'] for _, d in moons]):.1f}",
                  str(moons[0][1]["steps_run"]), f"{median([d['accuracy'] for _, d in moons]):.0%}")
    digits = found["digits"]
    table.add_row("drill digits --reference", f"{median([s for s, _ in digits]):.1f}",
                  f"{median([d['seconds'] for _, d in digits]):.1f}",
                  str(digits[0][1]["steps_run"]),
                  f"{median([d['test_accuracy'] for _, d in digits]):.1%} held out")
    goal = found["goal"]
    table.add_row("digits speedrun's trained split", "",
                  f"{median([s for s, _, _ in goal]):.1f}", str(goal[0][1]),
                  f"{median([a for _, _, a in goal]):.1%} held out")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="steps timed each way")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command")
    args = parser.parse_args()
    console = Console()
    console.print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    console.print(step_table(args.steps))
    console.print(runs_table(args.runs))
    console.print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
