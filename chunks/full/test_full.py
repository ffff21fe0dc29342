"""full, on its own: the whole file run as the learner would run it.

The other suites of full judge one chunk each, and may lend what the contract lets them (train's
models offer `zero_grad()` to a loop that calls it). This one lends nothing: the file's own
`train` trains the file's own `MLP(3, [4, 4, 1])` on the lecture's dataset, and the loss must
fall. It builds on every other split, so when one of them fails it waits on that one.
"""
import random

from drill.grader.results import EVERY
from drill.grader.suitekit import (LECTURE_XS, LECTURE_YS, Lesson, fail, fmt, need, number,
                                   on_its_own, run, written_call)

SEED, STEPS, LR = 1, 20, 0.1  # any start falls: checked on 3,000 seeds (to 0.85 of it at worst)


def test_your_train_trains_your_own_mlp():
    """on its own: your train on your own MLP(3, [4, 4, 1]), nothing lent, lowers the loss"""
    try:
        MLP, train = need("MLP"), need("train")
        call = written_call("train(model, xs, ys", [], {"steps": STEPS, "lr": LR})
        program = (f"import random; random.seed({SEED}); xs = {LECTURE_XS}; ys = {LECTURE_YS}; "
                   f"model = MLP(3, [4, 4, 1]); losses = {call}")
        random.seed(SEED)
        model = run(program, MLP, 3, [4, 4, 1])
        losses = run(program, on_its_own, "train", train, model, [list(x) for x in LECTURE_XS],
                     list(LECTURE_YS), steps=STEPS, lr=LR)
        if not isinstance(losses, (list, tuple)) or len(losses) != STEPS:
            fail(f"`{program}` gave `losses == {fmt(losses)[:80]}`, expected a list of {STEPS} "
                 "losses, one a step.")
        first, last = (number(losses[i], f"losses[{i}] of `{call}`") for i in (0, -1))
        if not last < first:
            fail(f"`{program}` took the loss from {fmt(first)} to {fmt(last)}, expected it to "
                 f"fall: your own network, trained by your own loop, should fit the lecture's "
                 "four examples better after 20 steps. The other splits pass, so look at what "
                 "only the whole does: does train step the parameters your MLP's parameters() "
                 "returns, every time it is called?")
    except Lesson as lesson:
        lesson.owner = lesson.owner or EVERY
        raise
