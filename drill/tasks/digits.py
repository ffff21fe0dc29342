"""`drill digits`: the learner's classifier trained on the handwritten digits.

The task calls the learner's `fit_digits` one step at a time (steps=1, each with a seed and a
learning rate of its own), so the parent hears every step and can stop the training between
two; the first step's cross-entropies are counted, so the parent can say what one Value costs.
Python's cycle collector is held off during a step and run after it: a step builds about
100,000 Values, each in a reference cycle with its `_backward`, and the collector's passes over
them while they are built would make the step about five times slower
(benchmarks/digits_cost.py). Once trained, the task reads the network's guess for every
held-out image, and for every TRAIN_SAMPLE-th training image (as many), with the model itself:
scoring an image costs about half of training on it, so scoring all 1,442 would add a third to
the run. The parent works out the accuracies from those guesses and the labels it reads itself.
"""
import gc
import random
import time

from drill.digits import CLASSES, TRAIN_SAMPLE, Settings, dataset, share_right
from drill.grader.suitekit import fail, need, number, run as call
from drill.tasks import asked_to_stop
from drill.tasks.moons import count_nodes

# Images guessed between two passes of the cycle collector, and two reports to the parent:
# scoring images takes long enough that the parent must hear the run is alive.
COLLECT_EVERY = 100


def run(module, args, emit):
    """Train classifier(64, hidden, 10) as `args["settings"]` say, emitting each step; with a
    `goal`, check the held-out accuracy every `check_every` steps and stop once it is reached.
    Then the guesses for every training and held-out image, and `stopped` when the parent
    asked the training to stop (drill.tasks.asked_to_stop)."""
    classifier, fit_digits = need("classifier"), need("fit_digits")
    settings = Settings(**{**args["settings"], "hidden": tuple(args["settings"]["hidden"])})
    goal = args.get("goal")
    X, y, X_test, y_test = dataset()
    hidden = list(settings.hidden)
    random.seed(settings.seed)
    model = call(f"classifier(64, {hidden}, {CLASSES})", classifier, 64, hidden, CLASSES)
    logits(model, X[0], f"classifier(64, {hidden}, {CLASSES})(X[0])")  # before it trains
    trained_s, stopped = 0.0, False
    gc.disable()
    try:
        for k in range(settings.steps):
            if asked_to_stop():
                stopped = True
                break
            started = time.perf_counter()
            loss = one_step(module, fit_digits, model, X, y, settings, k, emit)
            trained_s += time.perf_counter() - started
            step = {"step": k + 1, "steps": settings.steps, "loss": loss, "seconds": trained_s}
            if goal is not None and (k + 1) % settings.check_every == 0:
                step["accuracy"] = share_right(guesses(model, X_test, emit), y_test)
            emit(**step)
            if goal is not None and step.get("accuracy", 0.0) >= goal:
                break
        emit(done=True, seconds=trained_s, train=guesses(model, X[::TRAIN_SAMPLE], emit),
             test=guesses(model, X_test, emit), stopped=stopped)
    finally:
        gc.enable()


def one_step(module, fit_digits, model, X, y, settings, k, emit):
    """Step `k` of the training: fit_digits with steps=1; its loss. The first step's
    cross-entropies are counted (emitted as `nodes`) when fit_digits calls `cross_entropy`."""
    lr, seed = settings.rate(k), settings.seed + k
    losses = None
    counting = k == 0 and hasattr(module, "cross_entropy")
    if counting:
        cross_entropy, made = module.cross_entropy, []

        def counted(*a, **kw):
            made.append(cross_entropy(*a, **kw))
            return made[-1]
        module.cross_entropy = counted
    try:
        losses = call(f"fit_digits(model, X, y, steps=1, batch_size={settings.batch}, "
                      f"lr={lr:g}, seed={seed})", fit_digits, model, X, y, steps=1,
                      batch_size=settings.batch, lr=lr, seed=seed)
    finally:
        if counting:
            module.cross_entropy = cross_entropy
            if made:
                emit(nodes=count_nodes(*made))
            del made[:]
        gc.collect()
    if type(losses) is not list or len(losses) != 1:
        fail("fit_digits(..., steps=1) should return a list of one loss, but it returned "
             f"{'a list of ' + str(len(losses)) if type(losses) is list else 'a'} "
             f"{type(losses).__name__}")
    return number(losses[0], "the loss fit_digits returned")


def guesses(model, X, emit):
    """The digit the model scores highest, for each input; `scoring` emitted as it goes."""
    found = []
    for i, x in enumerate(X):
        scores = logits(model, x, f"model(X[{i}])")
        found.append(max(range(CLASSES), key=scores.__getitem__))
        if i % COLLECT_EVERY == COLLECT_EVERY - 1:
            gc.collect()
            emit(scoring=i + 1)
    return found


def logits(model, x, what):
    """The model's CLASSES logits for `x`, as numbers; a Lesson when they are not that."""
    found = call(what, lambda: [number(z.data, "a logit's .data") for z in model(x)])
    if len(found) != CLASSES:
        fail(f"{what} should give {CLASSES} logits, one a digit, but it gave {len(found)}")
    return found
