"""train: the training loop, judged against the lecture's loop run on a copy of the same model.

Most tests train a one-neuron model the suite builds from your `Value` (tanh(w·x + b), or the
plain line w·x + b), so the verdict is about the loop and not about your network. Before your
`train` runs, the suite deep-copies the model and trains the copy with the lecture's loop, written
here with your Value's operations; your losses and final parameters must match that run. The
last test trains your own MLP(3, [4, 4, 1]) on the lecture's dataset.
"""
import copy
import random

import pytest
from hypothesis import strategies as st

from drill.grader.suitekit import (LECTURE_XS, LECTURE_YS, Offered, builds_on, close, examples,
                                   fail, fmt, given, made, need, number, read, relies, run,
                                   written_call)

# A loop may add the squared errors in another order, so the floats may differ in the last bits.
REL, ABS = 1e-6, 1e-9
# Why no parameter moves, in the learner's terms: the usual causes.
UNMOVED = ("update after loss.backward(), while the grads hold this step's gradient (set them "
           "to 0 before backward, not after it), and change p.data by -lr * p.grad.")
LEFT_THE_GRAPH = ("loss.backward() reached none of the model's outputs (each `model(x)` kept "
                  "grad 0), so the loss is not built from them: a loss computed from their "
                  "`.data`, or wrapped anew in Value(...), is a number with no graph behind it. "
                  "Build it from the Values model(x) returns: sum((ypred - y) ** 2).")
GRAD_WRITTEN = ("the update changed the grads instead of the parameters: it is p.data that "
                "moves, p.data -= lr * p.grad.")


# The operations a model and the loss are made of: confirmed (forward and backward) before a
# loop is judged, so that a bug of theirs is named as ops' or backward's, not as the loop's.
LOOP_OPS = ("a + b", "a * 2", "a * b", "sum([a, b])", "a - 2", "a ** 2", "a.tanh()")


class TinyModel:
    """tanh(w·x + b), or the line w·x + b when `squash` is False: what the contract lets train
    use, `__call__`, `parameters()` and `zero_grad()`, built from the learner's Values."""

    def __init__(self, w, b, squash=True):
        builds_on("train", *LOOP_OPS, gradients=True)
        Value = need("Value")
        self.w = [run(f"Value({fmt(wi)})", Value, wi) for wi in w]
        self.b = run(f"Value({fmt(b)})", Value, b)
        self.squash = squash
        self.outputs = []  # what model(x) returned since the loop under test began

    def __call__(self, x):
        out = self.b
        for wi, xi in zip(self.w, x):
            out = out + wi * xi
        out = out.tanh() if self.squash else out
        self.outputs.append(out)
        return out

    def reached(self):
        """True when a backward pass has reached one of the outputs the model gave."""
        return any(number(o.grad, "an output's `.grad`") != 0 for o in self.outputs)

    def parameters(self):
        return self.w + [self.b]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def __getattr__(self, name):
        raise AttributeError(f"the model has no `{name}`: train may use only model(x), "
                             "model.parameters() and model.zero_grad()")

    def __repr__(self):
        shape = "tanh(w·x + b)" if self.squash else "w·x + b"
        return f"{shape} with w = {show(p.data for p in self.w)}, b = {fmt(self.b.data)}"


def show(numbers):
    """A list of numbers as the learner would write it."""
    return "[" + ", ".join(fmt(x) for x in numbers) + "]"


def lecture_neuron():
    """A tanh neuron on the lecture's dataset: every parameter has a clear gradient there."""
    return TinyModel([0.4, -0.7, 0.2], 0.1), LECTURE_XS, LECTURE_YS


def line():
    """A line fitted to three points: no tanh, so the loss is a plain parabola."""
    return TinyModel([0.5], -0.25, squash=False), [[1.0], [-2.0], [0.5]], [1.0, 0.0, -1.0]


def squared_error(model, xs, ys):
    """The sum of (model(x) - y) ** 2 over the dataset, as a Value."""
    terms = [(model(x) - y) ** 2 for x, y in zip(xs, ys)]
    return sum(terms[1:], terms[0])


def backprop(model, xs, ys):
    """Forward pass, every grad set to 0, backward: the loss Value, gradients in place."""
    loss = squared_error(model, xs, ys)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    return loss


def example_by_example(model, xs, ys, steps, lr):
    """A loop that steps after each example, not once over the whole dataset: the parameters
    it ends with."""
    for _ in range(steps):
        for x, y in zip(xs, ys):
            loss = (model(x) - y) ** 2
            for p in model.parameters():
                p.grad = 0.0
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
    return values(model)


def unmoved(model, grads=None):
    """Why `model`'s parameters did not move in your train: a loss with no graph to the model,
    an update written into the grads (given the step's gradient `grads`), or the usual."""
    if not model.reached():
        return LEFT_THE_GRAPH
    if grads is not None:
        now = [number(p.grad, f"`model.parameters()[{i}].grad`")
               for i, p in enumerate(model.parameters())]
        if any(g != 0 and not close(g, want, REL, ABS) for g, want in zip(now, grads)):
            return GRAD_WRITTEN
    return UNMOVED


def lecture_loop(model, xs, ys, steps, lr):
    """The lecture's loop: each step's loss, and the parameters before and after every step."""
    snapshots = [values(model)]
    losses = []
    for _ in range(steps):
        loss = backprop(model, xs, ys)
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
        snapshots.append(values(model))
    return losses, snapshots


def values(model):
    """The parameters' numbers, in the order of model.parameters()."""
    return [number(p.data, f"`model.parameters()[{i}].data`")
            for i, p in enumerate(model.parameters())]


def train_yours(model, xs, ys, *args, **options):
    """Your `train` on `model`: the call as written, the losses as floats, the final parameters."""
    train, Value = need("train"), need("Value")
    call = written_call("train(model, xs, ys", args, options)
    losses = run(call, train, model, [list(x) for x in xs], list(ys), *args, **options)
    if not isinstance(losses, (list, tuple)):
        fail(f"`{call}` returned {fmt(losses)[:80]}, expected the list of the losses, one float "
             "per step: append each step's loss to a list and return it.")
    for i, loss in enumerate(losses):
        if isinstance(loss, Value):
            fail(f"`{call}` returned Values (losses[{i}] is {fmt(loss)[:60]}), expected plain "
                 "floats: append `loss.data`, the number, not the Value `loss` (a list of "
                 "Values keeps every step's whole graph alive).")
        number(loss, f"losses[{i}] of `{call}`")
    return call, [float(loss) for loss in losses], values(model)


class Trial:
    """Your `train` on a model, and the lecture's loop on a deep copy made before, one step
    further (so that a loss taken one step late can be named)."""

    def __init__(self, model, xs, ys, where=None, **options):
        model.outputs = []
        twin, self.spare = copy.deepcopy(model), copy.deepcopy(model)
        self.model, self.xs, self.ys = model, xs, ys
        self.steps, self.lr = options.get("steps", 20), options.get("lr", 0.1)
        self.where = where or f"model = {model!r}, xs = {xs}, ys = {ys}"
        self.call, self.losses, self.params = train_yours(model, xs, ys, **options)
        self.want_losses, self.snapshots = run(
            "the lecture's loop (with your Value) on a copy of the model",
            lecture_loop, twin, xs, ys, self.steps + 1, self.lr)
        self.size = len(xs)

    def say(self, what):
        fail(f"`{self.call}` with {self.where}: {what}", program=self.call)

    def stepped_each_example(self):
        """True when your parameters are where a step after each example leads (and the
        lecture's loop, one step over all the examples, leads elsewhere)."""
        if self.size < 2:
            return False
        ends = run("a loop stepping after each example (with your Value) on a copy of the model",
                   example_by_example, self.spare, self.xs, self.ys, self.steps, self.lr)
        return all(close(a, b, REL, ABS) for a, b in zip(self.params, ends)) and not \
            all(close(a, b, REL, ABS) for a, b in zip(self.params, self.snapshots[self.steps]))


EACH_EXAMPLE = ("your loop updates the parameters after each example. A step of the lecture's "
                "loop is one forward pass over all of xs, one loss, sum((ypred - y) ** 2), one "
                "loss.backward(), then one update.")


def expect_count(t):
    """One loss per step."""
    got = len(t.losses)
    if got != t.steps:
        t.say(f"returned {got} loss{'' if got == 1 else 'es'}, expected {t.steps}, one per "
              "step: loop `for _ in range(steps)` and append one loss in each pass.")


def expect_losses(t):
    """Each loss is that of the step's own forward pass, before its update, summed."""
    expect_count(t)
    want = t.want_losses
    for i, (got, expected) in enumerate(zip(t.losses, want)):
        if close(got, expected, REL, ABS):
            continue
        if close(got, want[i + 1], REL, ABS):
            why = (f"that is the loss after step {i + 1}'s update. Record the loss of the "
                   "forward pass the step descended, taken before the update.")
        elif t.stepped_each_example():
            why = EACH_EXAMPLE
        elif close(got, expected / t.size, REL, ABS):
            why = (f"that is the mean of the {t.size} squared errors. The loss is their sum, "
                   "sum((ypred - y) ** 2), not divided by the number of examples.")
        elif i == 0:
            why = "the loss is sum((model(x) - y) ** 2) over all of xs."
        elif got == t.losses[i - 1] and t.params == t.snapshots[0]:
            why = f"the same as losses[{i - 1}], and no parameter ever moved: {unmoved(t.model)}"
        elif got == t.losses[i - 1]:
            why = (f"the same as losses[{i - 1}]: step {i} saw the model as step {i - 1} did. "
                   "Redo the forward pass inside the loop, and update after loss.backward() "
                   "has filled the grads, so that each step sees the parameters moved.")
        else:
            why = (f"losses[:{i}] are right, so the update of step {i} put the parameters "
                   "somewhere else: each step sets every grad to 0, calls loss.backward(), "
                   "then does p.data -= lr * p.grad for every parameter.")
        t.say(f"losses[{i}] came {fmt(got)}, expected {fmt(expected)}: {why}")


def expect_params(t, why=""):
    """The parameters end where `steps` steps of the lecture's loop lead."""
    want = t.snapshots[t.steps]
    for i, (got, expected) in enumerate(zip(t.params, want)):
        if close(got, expected, REL, ABS):
            continue
        ran = [k for k, snap in enumerate(t.snapshots)
               if all(close(a, b, REL, ABS) for a, b in zip(t.params, snap))]
        if ran == [0]:
            why = f"no parameter moved at all: {unmoved(t.model)}"
        elif t.stepped_each_example():
            why = EACH_EXAMPLE
        elif ran:
            why = (f"the parameters are where {ran[0]} step(s) of the loop lead, so your loop "
                   f"updated {ran[0]} time(s); with steps={t.steps} it updates {t.steps} times.")
        elif (scale := last_step_scale(t)) is not None:
            why = (f"every loss is right, so the steps before the last landed right, but the last "
                   f"moved each parameter by {fmt(scale)} × lr × p.grad: the step size changed "
                   "from one step to the next. train steps by the lr it is given in every step, "
                   "p.data -= lr * p.grad.")
        t.say(f"after training, model.parameters()[{i}] came {fmt(got)}, expected "
              f"{fmt(expected)}: "
              + (why or "each step sets every grad to 0, calls loss.backward(), then does "
                 "p.data -= lr * p.grad for every parameter."))


def last_step_scale(t):
    """The one factor c such that your last step moved every parameter by c × lr × p.grad, when
    there is one and it is not 1; else None. Grads carried over from the step before add a
    vector of their own and break the proportion, unless the lecture's last two steps point the
    same way (one example on one input does): then a leak could pass for a changed step size,
    and nothing is claimed."""
    if t.steps < 2:
        return None
    previous, before, last = t.snapshots[t.steps - 2:t.steps + 1]
    want = [b - a for a, b in zip(before, last)]
    clear = [i for i, w in enumerate(want) if abs(w) > 1e-9]
    ratios = [(t.params[i] - before[i]) / want[i] for i in clear]
    earlier = [(before[i] - previous[i]) / want[i] for i in clear]
    if len(ratios) < 2 or spread(earlier) < 1e-2 or spread(ratios) > 1e-4 or \
            close(ratios[0], 1.0, 1e-4, 0):
        return None
    return ratios[0]


def spread(ratios):
    """How far apart the ratios are, relative to the largest."""
    return (max(ratios) - min(ratios)) / max(max(map(abs, ratios)), 1e-12)


def expect_the_lecture_loop(t):
    """Every loss and every final parameter as the lecture's loop has them."""
    expect_losses(t)
    expect_params(t)


def test_returns_a_plain_float_per_step():
    """train returns a list with one plain float per step"""
    model, xs, ys = line()
    expect_count(Trial(model, xs, ys, steps=3, lr=0.05))


def test_loss_is_the_sum_of_squared_errors():
    """the loss is the sum of the squared errors, not their mean"""
    # Before the step tests: they judge each step by the lecture's gradient, so a wrong loss
    # would first be blamed on the step.
    model, xs, ys = lecture_neuron()
    expect_losses(Trial(model, xs, ys, steps=1, lr=0.1))


def one_step(lr):
    """One step of your `train` on the lecture neuron: what was done, in words, for each
    parameter its index, value before, value after, and gradient at the start, and why no
    parameter would move (for when none did)."""
    model, xs, ys = lecture_neuron()
    twin = copy.deepcopy(model)
    before = values(model)
    run("the lecture's forward and backward pass (with your Value)", backprop, twin, xs, ys)
    grads = [number(p.grad, f"`model.parameters()[{i}].grad`")
             for i, p in enumerate(twin.parameters())]
    call, _, after = train_yours(model, xs, ys, steps=1, lr=lr)
    done = f"`{call}` with model = {twin!r} and the lecture's dataset"
    moves = list(zip(range(len(grads)), before, after, grads))
    assigned = [i for i, before, after, grad in moves
                if close(after, -lr * grad, REL, ABS) and not close(before, 0, REL, ABS)]
    if len(assigned) == len(moves):
        fail(f"{done} set every parameter to -lr * p.grad, dropping the number it held: a step "
             "moves each parameter from where it is, p.data -= lr * p.grad (or p.data += -lr * "
             "p.grad).")
    return done, moves, unmoved(model, grads)


def test_a_step_updates_every_parameter():
    """one step updates every parameter"""
    done, moves, why = one_step(0.1)
    still = [i for i, before, after, _ in moves if after == before]
    if len(still) == len(moves):
        fail(f"{done} left every parameter as it was: {why}")
    if still:
        fail(f"{done} left model.parameters()[{still[0]}] as it was while others moved: "
             "update every parameter in model.parameters(), weights and biases alike.")


def test_a_step_goes_down_the_gradient():
    """a step moves each parameter against its gradient, downhill"""
    done, moves, _ = one_step(0.1)
    for i, before, after, grad in moves:
        if (after - before) * grad > 0:
            fail(f"{done} moved model.parameters()[{i}] from {fmt(before)} to {fmt(after)}, "
                 f"but its gradient is {fmt(grad)}: that climbs the loss. The gradient points "
                 "uphill, so step against it: p.data -= lr * p.grad.")


@pytest.mark.parametrize("lr", [0.0371, 0.1, 0.2468])
def test_lr_sets_the_step_size(lr):
    """a step moves each parameter by lr times its gradient"""
    done, moves, _ = one_step(lr)
    scales = [abs(after - before) / abs(grad) for _, before, after, grad in moves if grad]
    for i, before, after, grad in moves:
        moved = abs(after - before)
        if moved and not close(moved, lr * abs(grad), REL, ABS):
            fail(f"{done} moved model.parameters()[{i}] by {fmt(moved)} (that is "
                 f"{fmt(moved / abs(grad))} × |grad|), expected lr × |grad| = {fmt(lr)} × "
                 f"{fmt(abs(grad))} = {fmt(lr * abs(grad))}: " + step_size_mistake(scales, lr))


def step_size_mistake(scales, lr):
    """Why a step moved the parameters by `scales` × |grad| where lr × |grad| was due: a wrong
    lr moves them all by one multiple; grads that are not the step's own gradient (backward
    run again, or inside the loop that zeroes them) by a multiple of their own each, or by
    a whole number of lrs."""
    backward_once = ("call loss.backward() once per step, after every grad is set to 0, "
                     "then p.data -= lr * p.grad.")
    if spread(scales) > 1e-6:
        return ("each parameter moved by a multiple of its gradient of its own "
                f"({', '.join(fmt(x) for x in scales[:4])}), so the grads at the update were "
                "not this step's gradient: " + backward_once)
    times = round(scales[0] / lr)
    if times >= 2 and close(scales[0], times * lr, 1e-6, 0):
        return (f"that is {times} × lr: either the step uses {times} × lr, or loss.backward() "
                f"ran {times} times and the grads hold {times} times the gradient: "
                + backward_once)
    return "step by the lr you were given, p.data -= lr * p.grad."


def test_each_loss_is_taken_before_its_update():
    """each loss is that of the step's forward pass, taken before its update"""
    model, xs, ys = line()
    expect_losses(Trial(model, xs, ys, steps=1, lr=0.1))


def test_gradients_are_zeroed_every_step():
    """every step sets the grads to 0 before backward"""
    model, xs, ys = lecture_neuron()
    t = Trial(model, xs, ys, steps=2, lr=0.1)
    expect_losses(t)
    expect_params(t, "the first step landed right (the second loss is right) but the second "
                     "did not. loss.backward() adds into .grad, so unless every p.grad is set "
                     "to 0 before it, each step also carries the gradients of the steps before.")


def test_stale_gradients_do_not_leak_into_the_first_step():
    """grads left by an earlier backward are set to 0 before the first step's backward"""
    model, xs, ys = lecture_neuron()
    run("an earlier loss.backward() (with your Value)", backprop, model, xs, ys)
    stale = [number(read(p, "grad", f"model.parameters()[{i}]"), f"`model.parameters()[{i}].grad`")
             for i, p in enumerate(model.parameters())]
    t = Trial(model, xs, ys, where=f"model = {model!r} whose grads an earlier backward left at "
              f"{show(stale)}, and the lecture's dataset", steps=1, lr=0.1)
    expect_losses(t)
    expect_params(t, "the grads were not 0 when train was called, and they leaked into the first "
                     "step: set every p.grad to 0 before each loss.backward(), the first one "
                     "included, not only after an update.")


def test_forward_pass_is_redone_every_step():
    """the forward pass and the loss are recomputed every step"""
    model, xs, ys = line()
    expect_the_lecture_loop(Trial(model, xs, ys, steps=4, lr=0.1))


@pytest.mark.parametrize("steps", [1, 4, 9])
def test_steps_sets_the_number_of_steps(steps):
    """steps sets how many steps run"""
    model, xs, ys = line()
    expect_the_lecture_loop(Trial(model, xs, ys, steps=steps, lr=0.05))


def expect_as_named(args, options, count_why, params_why):
    """Your train called with `args` in order (or none) does what it does with `options` named."""
    model, xs, ys = line()
    twin = copy.deepcopy(model)
    call, losses, params = train_yours(model, xs, ys, *args)
    named, want_losses, want_params = train_yours(twin, xs, ys, **options)
    if len(losses) != len(want_losses):
        fail(f"`{call}` returned {len(losses)} losses, but `{named}` returned "
             f"{len(want_losses)}: {count_why}")
    for i, (got, expected) in enumerate(zip(params, want_params)):
        if not close(got, expected, REL, ABS):
            fail(f"after `{call}`, model.parameters()[{i}] came {fmt(got)}, but after "
                 f"`{named}` it came {fmt(expected)}: {params_why}")


SIGNATURE = "`def train(model, xs, ys, steps=20, lr=0.1)`"


def test_defaults_are_20_steps_with_lr_0_1():
    """train(model, xs, ys) is train(model, xs, ys, steps=20, lr=0.1)"""
    expect_as_named((), {"steps": 20, "lr": 0.1}, "the default is steps=20.",
                    f"the default is lr=0.1, {SIGNATURE}.")


def test_steps_and_lr_may_be_given_in_order():
    """train(model, xs, ys, 3, 0.05) is train(model, xs, ys, steps=3, lr=0.05)"""
    expect_as_named((3, 0.05), {"steps": 3, "lr": 0.05},
                    f"the fourth argument is steps, {SIGNATURE}, steps before lr.",
                    f"the arguments come in the order {SIGNATURE}, steps before lr.")


unit = st.floats(-1, 1)


@st.composite
def cases(draw):
    """A random one-neuron model (tanh or not), 1 to 3 examples, 1 to 4 steps and an lr."""
    nin, size = draw(made(st.integers, 1, 3)), draw(made(st.integers, 1, 3))
    row = made(st.lists, unit, min_size=nin, max_size=nin)
    w, b = draw(row), draw(unit)
    xs = draw(made(st.lists, row, min_size=size, max_size=size))
    ys = draw(made(st.lists, unit, min_size=size, max_size=size))
    return (w, b, draw(made(st.booleans)), xs, ys, draw(made(st.integers, 1, 4)),
            draw(made(st.floats, 0.001, 0.25)))


@examples(0.5)
@given(cases())
def test_matches_the_lecture_loop(case):
    """on random models, data, steps and lr, train matches the lecture's loop"""
    w, b, squash, xs, ys, steps, lr = case
    expect_the_lecture_loop(Trial(TinyModel(w, b, squash), xs, ys, steps=steps, lr=lr))


def mlp_gives_a_value():
    """Your MLP(3, [4, 4, 1]) called on an input gives one Value: what the loop trains."""
    random.seed(2)
    program = f"mlp = MLP(3, [4, 4, 1]); mlp({LECTURE_XS[0]})"
    mlp = run(program, need("MLP"), 3, [4, 4, 1])
    out = run(program, mlp, LECTURE_XS[0])
    if not isinstance(out, need("Value")):
        fail(f"`{program}` returned {fmt(out)[:60]}, expected one Value: the MLP's last layer has "
             "one neuron, whose output it returns.", program=program)


def test_your_mlp_learns_the_lecture_dataset():
    """your MLP(3, [4, 4, 1]) learns the lecture's dataset: its loss goes down"""
    builds_on("train", *LOOP_OPS, gradients=True)
    relies(("an MLP's output",), mlp_gives_a_value, "train", "nn")
    MLP = need("MLP")
    random.seed(2)
    mlp = Offered(run("MLP(3, [4, 4, 1])", MLP, 3, [4, 4, 1]))
    # Six small steps lower the loss from any start: checked on thousands of seeds and orders
    # of drawing the weights, so a correct network passes however it uses `random`.
    call, losses, _ = train_yours(mlp, LECTURE_XS, LECTURE_YS, steps=6, lr=0.05)
    if len(losses) != 6 or not losses[-1] < losses[0]:
        fail(f"`{call}` with model = MLP(3, [4, 4, 1]) after random.seed(2) and the lecture's "
             f"dataset returned the losses {show(losses)}, expected six losses going down: "
             "gradient descent on your own network should fit the four examples better.")
