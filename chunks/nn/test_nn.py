"""nn: `Neuron`, `Layer` and `MLP`, built from the learner's Value.

Every expected output is computed here from the model's own weights (`.w`, `.b`, `.neurons`,
`.layers`), read as plain numbers, so the suite never depends on how the learner sums or loops.
`random` is seeded before each model is built, so every test sees the same weights every run.
"""
import math
import random

from hypothesis import strategies as st

from drill.grader.suitekit import (builds_on, call_backward, close, constructor_holds,
                                   examples, expect_close, fail, fmt, given, made, need, number,
                                   read, run)

INPUTS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
# Why an MLP's output lies outside [-1, 1], where no tanh reaches (its Neuron passed).
UNSQUASHED = ("no tanh gives that, it lies outside -1 to 1: every neuron returns tanh(w·x + b), "
              "those of the last layer too (a last layer built with nonlin=False, as "
              "micrograd's nn.py builds it, is not what nn asks).")


def show(xs):
    """A list of numbers as the learner would type it."""
    return "[" + ", ".join(fmt(x) for x in xs) + "]"


def make(what, cls_name, *args):
    """`cls_name(*args)` from the learner's file, after seeding random; `what` names the call.
    A network is made of Values: their constructor (ops') must hold first."""
    constructor_holds("nn")
    random.seed(2024)
    return run(what, need(cls_name), *args)


def attr(obj, name, what, why):
    """`obj.name`, failing in the learner's terms when it is missing, or when it is one list
    on the class that every object shares."""
    try:
        got = getattr(obj, name)
    except Exception:  # a missing attribute, or a property that raises: both break the contract
        fail(f"`{what}` has no `.{name}`: {why}")
    kind = type(obj)
    if isinstance(got, list) and name not in getattr(obj, "__dict__", {}) and \
            any(got is vars(k).get(name) for k in kind.__mro__):
        fail(f"`{what}.{name}` is one list on the class, shared by every {kind.__name__} "
             f"(`{name} = []` in the class body, filled by each __init__): make it in __init__, "
             f"`self.{name} = [...]`, so that each {kind.__name__} has its own.")
    return got


def items(got, size, what, kind, why=""):
    """`got` as a list, failing unless it is a list (or tuple) of `size` things."""
    if not isinstance(got, (list, tuple)):
        fail(f"`{what}` is a {type(got).__name__}, expected a list of {size} {kind}{why}.")
    if len(got) != size:
        fail(f"`{what}` holds {len(got)} {kind}, expected {size}{why}.")
    return list(got)


def expect_value(got, what, why):
    """Fail unless `got` is one of the learner's Values."""
    if not isinstance(got, need("Value")):
        fail(f"`{what}` is a {type(got).__name__}, expected a Value: {why}")


def neuron_parts(neuron, nin, what):
    """The neuron's weights and bias (Values), checked against the contract's shape."""
    w = items(attr(neuron, "w", what, "a Neuron keeps its weights in `.w`"), nin, f"{what}.w",
              "weights")
    for i, wi in enumerate(w):
        expect_value(wi, f"{what}.w[{i}]", "each weight is a Value, so it can get a gradient.")
    b = attr(neuron, "b", what, "a Neuron keeps its bias in `.b`")
    expect_value(b, f"{what}.b", "the bias is a Value, so it can get a gradient.")
    if len({id(p) for p in w + [b]}) < nin + 1:
        fail(f"`{what}` uses the same Value more than once among its weights and bias: make a "
             "new Value for each, or they will all move together when trained.")
    return w, b


def layer_parts(layer, nin, nout, what):
    """The layer's neurons, each as (weights, bias), checked against the contract's shape."""
    Neuron = need("Neuron")
    neurons = items(attr(layer, "neurons", what, "a Layer keeps its Neurons in `.neurons`"),
                    nout, f"{what}.neurons", "neurons",
                    f": one Neuron per output (nout = {nout}), each taking nin = {nin} inputs")
    for i, n in enumerate(neurons):
        if not isinstance(n, Neuron):
            fail(f"`{what}.neurons[{i}]` is a {type(n).__name__}, expected a Neuron.")
    if len({id(n) for n in neurons}) < nout:
        fail(f"`{what}.neurons` holds the same Neuron more than once: build a new Neuron for "
             "each output, or they will all compute the same thing.")
    return [neuron_parts(n, nin, f"{what}.neurons[{i}]") for i, n in enumerate(neurons)]


def mlp_parts(mlp, nin, nouts, what):
    """The MLP's layers, each a list of (weights, bias), sized [nin] + nouts pairwise."""
    Layer = need("Layer")
    layers = items(attr(mlp, "layers", what, "an MLP keeps its Layers in `.layers`"),
                   len(nouts), f"{what}.layers", "layers", ": one Layer per entry of nouts")
    sizes = [nin] + nouts
    parts = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            fail(f"`{what}.layers[{i}]` is a {type(layer).__name__}, expected a Layer.")
        parts.append(layer_parts(layer, sizes[i], sizes[i + 1], f"{what}.layers[{i}]"))
    return parts


NEURON_OPS = ("a * 2", "a * b", "a + b", "sum([a, b])", "a.tanh()")


def forward_holds(gradients=False):
    """Before an output (or, with `gradients`, a gradient) is checked, the operations a network
    is made of must hold: they are ops' (and backward's), and a bug there is named as theirs
    rather than as the network's."""
    builds_on("nn", *NEURON_OPS, gradients=gradients)


def neuron_out(w, b, xs):
    """tanh(sum(w_i * x_i) + b) from the data of the neuron's own Values; xs are numbers."""
    return math.tanh(sum(wi.data * x for wi, x in zip(w, xs)) + b.data)


def forward(layers, xs):
    """The outputs of an MLP computed here, layer by layer, from its weights' data."""
    for neurons in layers:
        xs = [neuron_out(w, b, xs) for w, b in neurons]
    return xs


def expect_outputs(got, expected, what, why, outside=None):
    """`got` is the single Value for one expected output, else a list of Values; data match.
    `outside` says why instead, when an output lies where no tanh reaches."""
    if got is None:
        last = " (an MLP returns x after the loop over its layers)" if "mlp" in what else ""
        fail(f"`{what}` returned None, expected a Value: the __call__ it ran returns nothing; end "
             f"it with `return`{last}.")
    if len(expected) == 1:
        if isinstance(got, (list, tuple)):
            fail(f"`{what}` returned a list of {len(got)}, expected a single Value: a Layer of "
                 "one neuron returns that neuron's Value itself, so `(ypred - y) ** 2` works.")
        got = [got]
    else:
        got = items(got, len(expected), what, "outputs")
    for i, (value, want) in enumerate(zip(got, expected)):
        name = what if len(expected) == 1 else f"{what}[{i}]"
        expect_value(value, name, "build the output from Values so gradients can flow back.")
        data = number(value.data, f"`{name}.data`")
        expect_close(data, want, f"{name}.data", outside if outside and abs(data) > 1 else why)


def expect_parameters(setup, model, expected):
    """`model.parameters()` holds exactly the Values of `expected` (label, Value), each once;
    `setup` is how the model was built, e.g. "n = Neuron(3)"."""
    name = setup.split(" =")[0]
    what = f"{name}.parameters()"
    where = f"With `{setup}`, `{what}`"
    got = run(f"{setup}; {what}", lambda: model.parameters())
    if not isinstance(got, (list, tuple)):
        fail(f"{where} returned a {type(got).__name__}, expected a list (or tuple) of Values: "
             "train and fit walk the parameters more than once, and an iterator (a generator "
             "too) is used up by its first reader. Return a list.")
    for i, item in enumerate(got):
        expect_value(item, f"{what}[{i}]",
                     "return one flat list of Values (a list of lists hides them from training).")
    ids = [id(p) for p in got]
    for label, value in expected:
        if id(value) not in ids:
            fail(f"{where} misses `{label}`: it returns {len(got)} of the {len(expected)} "
                 "Values it should, every weight and every bias.")
    if len(set(ids)) < len(ids):
        fail(f"{where} holds the same Value twice: training would step it twice.")
    if len(got) > len(expected):
        fail(f"{where} returns {len(got)} Values, expected {len(expected)}: only the weights "
             "and biases are parameters.")
    again = run(f"{setup}; {what}; {what}", lambda: model.parameters())
    if not isinstance(again, (list, tuple)) or [id(p) for p in again] != ids:
        fail(f"{where} called a second time returned {fmt(again)[:60]}, not the same "
             f"{len(got)} Values as the first call: every call returns them all (train calls "
             "it twice a step). Build the list afresh in parameters() itself.")


def test_neuron_has_weights_and_bias():
    """Neuron(nin) has nin weights `.w` and a bias `.b`, all distinct Values"""
    for nin in (1, 2, 5):
        neuron_parts(make(f"Neuron({nin})", "Neuron", nin), nin, f"Neuron({nin})")


def expect_uniform(values, kind, kinds, what):
    """`values` look like independent draws of random.uniform(-1, 1); `kind(s)` name them."""
    draw = "random.uniform(-1, 1)"
    if len(set(values)) == 1:
        fail(f"In {what}, every {kind} holds {fmt(values[0])}: {kinds} are not drawn from "
             f"{draw}. Draw each {kind}, so that the neurons start apart and learn apart.")
    for value in values:
        if not -1 <= value <= 1:
            fail(f"In {what}, a {kind} holds {fmt(value)}, outside [-1, 1]: draw it with {draw}.")
    if len(set(values)) < len(values):
        same = next(v for v in values if values.count(v) > 1)
        fail(f"In {what}, two {kinds} hold the same number {fmt(same)}: draw a fresh {draw} "
             "for every one (not once and reused, and without reseeding random inside Neuron).")
    if min(values) > -0.5 or max(values) < 0.5:
        fail(f"In {what}, the {len(values)} {kinds} lie between {fmt(min(values))} and "
             f"{fmt(max(values))}, expected them spread over [-1, 1]: draw them with {draw} "
             "(random.random() gives only [0, 1)).")


def test_neuron_draws_from_uniform():
    """weights and biases are drawn from random.uniform(-1, 1), each its own draw"""
    what = "40 neurons built by Neuron(5)"
    constructor_holds("nn")
    random.seed(7)
    Neuron = need("Neuron")
    neurons = [neuron_parts(run("Neuron(5)", Neuron, 5), 5, "Neuron(5)") for _ in range(40)]
    weights = [number(wi.data, "a weight's `.data`") for w, _ in neurons for wi in w]
    biases = [number(b.data, "a bias's `.data`") for _, b in neurons]
    expect_uniform(weights, "weight", "weights", what)
    expect_uniform(biases, "bias", "biases", what)


def neuron_case(nin, xs, as_values):
    """Build Neuron(nin), call it on xs (numbers, or Values holding them); check the output."""
    forward_holds()
    Value = need("Value")
    n = make(f"Neuron({nin})", "Neuron", nin)
    w, b = neuron_parts(n, nin, "n")
    x = [run(f"Value({fmt(v)})", Value, v) for v in xs] if as_values else list(xs)
    shown = f"[Value({'), Value('.join(fmt(v) for v in xs)})]" if as_values else show(xs)
    call = f"n = Neuron({nin}); n({shown})"
    out = run(call, n, x)
    terms = " + ".join(f"{fmt(wi.data)}*{fmt(v)}" for wi, v in zip(w, xs))
    expect_outputs(out, [neuron_out(w, b, xs)], call,
                   f"its weights hold {show(wi.data for wi in w)} and its bias {fmt(b.data)}, "
                   f"so n(x) = tanh({terms} + {fmt(b.data)}): tanh of the sum of w[i]*x[i], "
                   "plus b.")
    return w, b, out, call


def test_neuron_computes_tanh_of_weighted_sum():
    """n(x) is tanh(sum of w_i * x_i, plus b) for x a list of numbers"""
    for xs in INPUTS:
        neuron_case(3, xs, as_values=False)


def test_neuron_takes_values():
    """n(x) works the same when x is a list of Values"""
    for xs in INPUTS:
        neuron_case(3, xs, as_values=True)


def test_gradients_reach_the_neurons_parameters():
    """after n(x).backward(), each weight and the bias hold their gradients"""
    xs = [0.5, -1.0, 2.0]
    forward_holds(gradients=True)
    w, b, out, call = neuron_case(3, xs, as_values=False)
    call_backward(out, call.rsplit("; ", 1)[1], call.rsplit("; ", 1)[0])
    slope = 1 - out.data ** 2
    why = ("d tanh(u)/du = 1 - out**2, and d u/d w[i] = x[i], d u/d b = 1: compute the output "
           "with Value operations (*, +, .tanh()) on the weights themselves, or backward() "
           "cannot reach them.")
    for i, (wi, x) in enumerate(zip(w, xs)):
        expect_close(read(wi, "grad", f"n.w[{i}]", call), slope * x,
                     f"n.w[{i}].grad` after `{call}.backward()", why)
    expect_close(read(b, "grad", "n.b", call), slope, f"n.b.grad` after `{call}.backward()", why)


def test_neuron_parameters():
    """n.parameters() is its weights and its bias: nin + 1 distinct Values"""
    for nin in (1, 3):
        n = make(f"Neuron({nin})", "Neuron", nin)
        w, b = neuron_parts(n, nin, "n")
        expected = [(f"n.w[{i}]", wi) for i, wi in enumerate(w)] + [("n.b", b)]
        expect_parameters(f"n = Neuron({nin})", n, expected)


@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6), st.booleans())
def test_neuron_on_random_inputs(xs, as_values):
    """n(x) is tanh(sum of w_i * x_i, plus b) for any size and inputs"""
    neuron_case(len(xs), xs, as_values)


def test_layer_has_neurons():
    """Layer(nin, nout) has nout distinct Neurons of nin inputs each"""
    for nin, nout in ((3, 4), (2, 1)):
        layer_parts(make(f"Layer({nin}, {nout})", "Layer", nin, nout), nin, nout,
                    f"Layer({nin}, {nout})")


def layer_case(nout):
    """Build Layer(3, nout), call it on each input, and check its outputs."""
    forward_holds()
    what = f"Layer(3, {nout})"
    layer = make(what, "Layer", 3, nout)
    neurons = layer_parts(layer, 3, nout, what)
    for xs in INPUTS:
        call = f"layer = {what}; layer({show(xs)})"
        expect_outputs(run(call, layer, xs), [neuron_out(w, b, xs) for w, b in neurons], call,
                       "a layer gives each of its neurons x and returns their outputs in order.")


def test_layer_returns_each_neurons_output():
    """layer(x) is the list of its neurons' outputs"""
    layer_case(4)


def test_layer_of_one_neuron_returns_a_value():
    """a Layer of one neuron returns that neuron's Value, not a list"""
    layer_case(1)


def test_layer_parameters():
    """layer.parameters() holds every weight and bias of every neuron"""
    layer = make("Layer(3, 4)", "Layer", 3, 4)
    expected = [(f"layer.neurons[{j}].{label}", p)
                for j, (w, b) in enumerate(layer_parts(layer, 3, 4, "Layer(3, 4)"))
                for label, p in [(f"w[{i}]", wi) for i, wi in enumerate(w)] + [("b", b)]]
    expect_parameters("layer = Layer(3, 4)", layer, expected)


def test_mlp_layer_sizes():
    """MLP(nin, nouts) has one Layer per entry of nouts, sized [nin] + nouts pairwise"""
    for nin, nouts in ((3, [4, 4, 1]), (2, [3, 2])):
        mlp_parts(make(f"MLP({nin}, {nouts})", "MLP", nin, list(nouts)), nin, nouts,
                  f"MLP({nin}, {nouts})")


def mlp_case(nin, nouts, xs):
    """Build MLP(nin, nouts), call it on xs, and check the output against its own weights."""
    forward_holds()
    what = f"MLP({nin}, {nouts})"
    mlp = make(what, "MLP", nin, list(nouts))
    layers = mlp_parts(mlp, nin, nouts, what)
    call = f"mlp = {what}; mlp({show(xs)})"
    out = run(call, mlp, list(xs))
    expect_outputs(out, forward(layers, xs), call,
                   "an MLP feeds x to its first layer, that layer's outputs to the next, and so "
                   "on, returning the last layer's output.", UNSQUASHED)
    return mlp, layers, out, call


def test_mlp_feeds_x_through_its_layers():
    """mlp(x) feeds x through the layers in order"""
    for xs in INPUTS:
        mlp_case(3, [4, 4, 1], xs)


@examples(0.5)
@given(st.integers(1, 4), st.lists(st.integers(2, 4), max_size=2), st.integers(1, 3),
       st.data())
def test_mlp_of_random_sizes(nin, inner, last, data):
    """mlp(x) matches a pass through its own weights, for any sizes"""
    xs = data.draw(made(st.lists, made(st.floats, -2, 2), min_size=nin, max_size=nin), label="x")
    mlp_case(nin, inner + [last], xs)


def mlp_params(layers):
    """Every weight and bias of the MLP, each with the way the learner would name it."""
    return [(f"mlp.layers[{k}].neurons[{j}].{label}", p)
            for k, neurons in enumerate(layers) for j, (w, b) in enumerate(neurons)
            for label, p in [(f"w[{i}]", wi) for i, wi in enumerate(w)] + [("b", b)]]


def test_mlp_parameters():
    """MLP(3, [4, 4, 1]) has 41 parameters: every weight and bias of every layer"""
    mlp = make("MLP(3, [4, 4, 1])", "MLP", 3, [4, 4, 1])
    layers = mlp_parts(mlp, 3, [4, 4, 1], "MLP(3, [4, 4, 1])")
    expect_parameters("mlp = MLP(3, [4, 4, 1])", mlp, mlp_params(layers))


def test_gradients_reach_every_parameter_of_the_mlp():
    """after mlp(x).backward(), every parameter holds how the output moves with it"""
    xs, h = INPUTS[0], 1e-6
    forward_holds(gradients=True)
    mlp, layers, out, call = mlp_case(3, [4, 4, 1], xs)
    call_backward(out, call.rsplit("; ", 1)[1], call.rsplit("; ", 1)[0])
    for label, p in mlp_params(layers):
        data = p.data
        p.data = data + h
        up = forward(layers, xs)[0]
        p.data = data - h
        down = forward(layers, xs)[0]
        p.data = data
        slope = (up - down) / (2 * h)
        grad = number(read(p, "grad", label, call), f"`{label}.grad`")
        if not close(grad, slope, rel=1e-4, abs=1e-6):
            fail(f"After `{call}.backward()`, `{label}.grad` came {fmt(grad)}, expected about "
                 f"{fmt(slope)} (how the output moves when that parameter moves): build every "
                 "neuron's output with Value operations on its inputs and weights, so backward() "
                 "reaches all of them.")
