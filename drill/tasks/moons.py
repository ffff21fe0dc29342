"""`drill moons`: micrograd's demo with the learner's own MLP, margin_loss and fit.

The learner's `fit` runs as written; the task only watches it, through the `margin_loss` it
calls once a step: each call is timed and sent as a step (loss, accuracy, seconds), and the
first one's graph is counted, so the parent can say what one node of the scalar engine costs.
Once fit returns, the task scores the points and a grid with the trained model itself.
"""
import random
import time

from drill.grader.suitekit import Lesson, need, number, run as call
from drill.moons import grid, two_moons
from drill.tasks import asked_to_stop


class Separated(Lesson):
    """Raised through fit when a run that stops at an accuracy (`until`: 100 % for a speedrun's
    last split and drill moons --until-perfect) gets there, or when the parent asks it to stop
    (asked_to_stop); a Lesson, so that the call of fit lets it through."""


def count_nodes(*roots):
    """How many Values one step's loss is built from (each once), read through `_prev`: the
    graph of `roots` together (digits counts a batch's cross-entropies)."""
    seen, stack = {id(root) for root in roots}, list(roots)
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def run(module, args, emit):
    """Fit MLP(2, hidden + [1]) on the two moons `args` describe, emitting each step, then the
    final accuracy and the sign of the score over a grid; `stopped` when the parent asked the
    training to stop (drill.tasks.asked_to_stop)."""
    MLP, margin_loss, fit = need("MLP"), need("margin_loss"), need("fit")
    stopped = False
    X, y = two_moons(args["points"], args["noise"], args["seed"])
    sizes = list(args["hidden"]) + [1]
    random.seed(args["seed"])
    model = call(f"MLP(2, {sizes})", MLP, 2, sizes)
    started = time.perf_counter()
    step = 0

    def watched(*a, **k):
        nonlocal step, stopped
        if asked_to_stop():
            stopped = True
            raise Separated("stopped when asked")
        loss, accuracy = margin_loss(*a, **k)
        if step == 0:
            emit(nodes=count_nodes(loss))
        step += 1
        emit(step=step, steps=args["steps"], loss=number(loss.data, "the loss"),
             accuracy=number(accuracy, "the accuracy"), seconds=time.perf_counter() - started)
        if args.get("until") is not None and accuracy >= args["until"]:
            raise Separated("the accuracy asked for is reached")
        return loss, accuracy

    module.margin_loss = watched
    try:
        call(f"fit(model, X, y, steps={args['steps']}, alpha={args['alpha']})", fit, model, X, y,
             steps=args["steps"], alpha=args["alpha"])
    except Separated:
        pass
    finally:
        module.margin_loss = margin_loss
    seconds = time.perf_counter() - started
    right = sum((yi > 0) == (score(model, x) > 0) for x, yi in zip(X, y))
    box, cells = grid(X, args["columns"], args["rows"])
    emit(done=True, seconds=seconds, accuracy=right / len(y), X=X, y=y, box=list(box),
         grid=[1 if score(model, c) > 0 else -1 for c in cells], stopped=stopped)


def score(model, x):
    return number(call("model(x)", model, x).data, "model(x).data")
