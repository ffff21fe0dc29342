"""The two-moons dataset and the demo's settings, in drill's own seeded code (standard library
only), so the moons suite, the demo in the grader's child and the benchmarks draw the same points.

Two interleaved half circles of radius 1: the upper one centred at (0, 0), labelled 1, and the
lower one centred at (1, 0.5), labelled -1, each point moved by Gaussian noise.
"""
import math
import random
from dataclasses import asdict, dataclass

SEED = 0
# A file of this name in the training's run folder asks it to stop at the end of the step and
# draw what the network learned so far (drill moons, Ctrl-C).


def two_moons(n, noise=0.1, seed=SEED):
    """`n` points (lists of two floats) and their labels (1 or -1), half on each moon, in an
    order that alternates the moons; the same `seed` gives the same points."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        upper = i % 2 == 0
        x0, x1 = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        X.append([x0 + rng.gauss(0, noise), x1 + rng.gauss(0, noise)])
        y.append(1 if upper else -1)
    return X, y


@dataclass(frozen=True)
class Demo:
    """One run of the demo: how many points, the hidden layers of MLP(2, hidden + [1]), the
    steps of `fit`, the L2 strength, and the seeds of the data and of the weights."""
    points: int = 30
    hidden: tuple = (8, 8)
    steps: int = 100
    alpha: float = 1e-4
    noise: float = 0.1
    seed: int = SEED

    def to_dict(self):
        return {**asdict(self), "hidden": list(self.hidden)}


def grid(X, columns, rows, margin=0.25):
    """The corners and the points of a `columns` × `rows` grid over the points' box widened by
    `margin`: ((x_min, x_max, y_min, y_max), [[x, y] row by row from the top])."""
    x_min = min(p[0] for p in X) - margin
    x_max = max(p[0] for p in X) + margin
    y_min = min(p[1] for p in X) - margin
    y_max = max(p[1] for p in X) + margin
    cells = [[x_min + (x_max - x_min) * (c + 0.5) / columns,
              y_max - (y_max - y_min) * (r + 0.5) / rows]
             for r in range(rows) for c in range(columns)]
    return (x_min, x_max, y_min, y_max), cells
