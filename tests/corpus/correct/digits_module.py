# style: the engine and Module base of closures_module.py; a neuron holds its activation as a
# function (identity when nonlin is False); classifier a Module of its own; log built from a
# closure over 1 / x; softmax with a generator sum and division; the loop calls
# model.zero_grad() and averages with a running total
# claims: full digits
import math
import random


class Value:

    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), '-')

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __rsub__(self, other):
        return Value(other) - self

    def __neg__(self):
        out = Value(-self.data, (self,), 'neg')

        def _backward():
            self.grad -= out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), '/')

        def _backward():
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def __rtruediv__(self, other):
        return Value(other) / self

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        out = Value(self.data ** k, (self,), f'**{k}')

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        t = (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x))
        out = Value(t, (self,), 'tanh')

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def log(self):
        x = self.data
        out = Value(math.log(x), (self,), 'log')

        def _backward():
            self.grad += out.grad * x ** -1
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data * (self.data > 0), (self,), 'ReLU')

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def visit(v):
            if v in visited:
                return
            visited.add(v)
            for child in v._prev:
                visit(child)
            topo.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


class Module:

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self):
        return []


def identity(v):
    return v


class Neuron(Module):

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.activation = Value.tanh if nonlin else identity

    def __call__(self, x):
        return self.activation(sum((wi * xi for wi, xi in zip(self.w, x)), self.b))

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):

    def __init__(self, nin, nout, nonlin=True):
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):

    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def train(model, xs, ys, steps=20, lr=0.1):
    losses = []
    step = 0
    while step < steps:
        ypred = [model(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -lr * p.grad
        losses.append(loss.data)
        step += 1
    return losses


class classifier(Module):

    def __init__(self, nin, hidden, nclasses):
        self.hidden = []
        for width in hidden:
            self.hidden.append(Layer(nin, width))
            nin = width
        self.out = Layer(nin, nclasses, nonlin=False)

    def __call__(self, x):
        for layer in self.hidden:
            x = layer(x)
        return self.out(x)

    def parameters(self):
        return [p for layer in self.hidden + [self.out] for p in layer.parameters()]


def softmax(logits):
    biggest = max(logits, key=lambda z: z.data).data
    exps = [(z - biggest).exp() for z in logits]
    norm = sum(exps)
    return [e / norm for e in exps]


def cross_entropy(logits, label):
    return softmax(logits)[label].log() * -1


def fit_digits(model, X, y, steps=100, batch_size=32, lr=0.5, seed=0):
    rng = random.Random(seed)
    losses = []
    step = 0
    while step < steps:
        total = 0
        for i in rng.sample(range(len(X)), batch_size):
            total = total + cross_entropy(model(X[i]), y[i])
        loss = total / batch_size
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -lr * p.grad
        losses.append(loss.data)
        step += 1
    return losses
