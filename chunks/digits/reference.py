# What digits adds to reference/micrograd.py, the lecture's library. drill joins it in for
# digits alone (drill.stub.reference_source): a method under a class here takes the place of
# the class's method of that name, or joins the class; a function joins the module. So every
# other chunk's stub, peek and diff stay the lecture's, and digits' stub gives Neuron and Layer
# as the lecture wrote them: adding the `nonlin` flag is the learner's work.


class Value:

    def log(self):
        out = Value(math.log(self.data), (self,), 'log')

        def _backward():
            self.grad += (1 / self.data) * out.grad
        out._backward = _backward
        return out


class Neuron:

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act


class Layer:

    def __init__(self, nin, nout, nonlin=True):
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]


def classifier(nin, hidden, nclasses):
    model = MLP(nin, hidden)
    model.layers.append(Layer(([nin] + hidden)[-1], nclasses, nonlin=False))
    return model


def softmax(logits):
    m = max(z.data for z in logits)
    exps = [(z - m).exp() for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits, label):
    return -softmax(logits)[label].log()


def fit_digits(model, X, y, steps=100, batch_size=32, lr=0.5, seed=0):
    rng = random.Random(seed)
    losses = []
    for _ in range(steps):
        batch = rng.sample(range(len(X)), batch_size)
        loss = sum(cross_entropy(model(X[i]), y[i]) for i in batch) * (1.0 / batch_size)
        params = model.parameters()
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses
