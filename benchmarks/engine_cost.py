"""What one step of the moons demo costs the scalar engine, per step and per Value, as a table.

    python benchmarks/engine_cost.py [--steps 7]

For each size of network and dataset: one step of the reference's `fit` (margin_loss, zero the
grads, backward, update) timed over several steps (median), the Values one step's loss graph
holds, and so the cost of one Value. The baseline, measured in the same run on the same weights
and points: the same step in plain floats (forward and backward written out by layer, no object
per number), which is roughly what a tensor library's inner loops do.
"""
import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from drill.moons import two_moons
from drill.tasks.moons import count_nodes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
import micrograd  # noqa: E402  (the reference, as a learner's file would be)

SIZES = [(30, [8, 8]), (60, [8, 8]), (30, [16, 16]), (100, [16, 16])]


def value_step(model, X, y, alpha):
    """One step of the reference's loop; the loss Value."""
    loss, _ = micrograd.margin_loss(model, X, y, alpha)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= 0.5 * p.grad
    return loss


def float_layers(model):
    """The model's weights as plain lists: per layer, rows of [w..., b]."""
    return [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in model.layers]


def float_step(layers, X, y, alpha):
    """The same step in floats: forward keeping each layer's outputs, then backward by hand."""
    grads = [[[0.0] * len(row) for row in layer] for layer in layers]
    n = len(X)
    for x, yi in zip(X, y):
        acts = [x]
        for layer in layers:
            a = acts[-1]
            acts.append([math.tanh(sum(w * v for w, v in zip(row, a)) + row[-1]) for row in layer])
        score = acts[-1][0]
        upstream = [(-yi / n) if 1 - yi * score > 0 else 0.0]
        for k in range(len(layers) - 1, -1, -1):
            a, out = acts[k], acts[k + 1]
            local = [u * (1 - o * o) for u, o in zip(upstream, out)]
            upstream = [0.0] * len(a)
            for j, (row, g) in enumerate(zip(layers[k], local)):
                for i, v in enumerate(a):
                    grads[k][j][i] += g * v
                    upstream[i] += g * row[i]
                grads[k][j][-1] += g
    for layer, glayer in zip(layers, grads):
        for row, grow in zip(layer, glayer):
            for i in range(len(row)):
                row[i] -= 0.5 * (grow[i] + 2 * alpha * row[i])


def median_s(step, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=7, help="steps timed per size")
    args = parser.parse_args()
    table = Table(title=f"one step of fit, median of {args.steps} steps")
    for column in ("points", "hidden", "Values/step", "engine s", "µs/Value", "floats s",
                   "ratio"):
        table.add_column(column, justify="right")
    for points, hidden in SIZES:
        X, y = two_moons(points)
        random.seed(0)
        model = micrograd.MLP(2, hidden + [1])
        nodes = count_nodes(micrograd.margin_loss(model, X, y)[0])
        layers = float_layers(model)
        engine = median_s(lambda: value_step(model, X, y, 1e-4), args.steps)
        floats = median_s(lambda: float_step(layers, X, y, 1e-4), args.steps)
        table.add_row(str(points), ",".join(map(str, hidden)), f"{nodes:,}", f"{engine:.3f}",
                      f"{engine / nodes * 1e6:.1f}", f"{floats:.4f}", f"{engine / floats:.0f}×")
    Console().print(table)


if __name__ == "__main__":
    main()
