# style: the engine of kahn_slots.py (__slots__, Kahn's topological sort); digits written with
# plain loops and no comprehensions: cross-entropy as log-sum-exp minus the label's logit, never
# the log of a probability; softmax as exp(z - logsumexp); classifier a function returning a
# Stack of its own; the batch drawn as (x, y) pairs
# claims: full digits
import math
import random


def as_value(x):
    return x if isinstance(x, Value) else Value(x)


class Value:
    __slots__ = ('data', 'grad', '_prev', '_op', '_backward', 'label')

    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._prev = list(_children)
        self._op = _op
        self._backward = lambda: None
        self.label = label

    def __add__(self, other):
        other = as_value(other)
        out = Value(self.data + other.data, [self, other], '+')

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = as_value(other)
        out = Value(self.data * other.data, [self, other], '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        if not isinstance(k, (int, float)):
            raise TypeError("the exponent must be a constant int or float")
        out = Value(self.data ** k, [self], 'pow')

        def _backward():
            self.grad += k * (self.data ** (k - 1)) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        out = Value(e, [self], 'exp')

        def _backward():
            self.grad += e * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, [self], 'tanh')

        def _backward():
            self.grad += (1.0 - t * t) * out.grad
        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), [self], 'ln')

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, [self], 'relu')

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return -1 * self

    def __sub__(self, other):
        return self + -1 * as_value(other)

    def __truediv__(self, other):
        return self * as_value(other) ** -1

    def __radd__(self, other):
        return as_value(other) + self

    def __rmul__(self, other):
        return as_value(other) * self

    def __rsub__(self, other):
        return as_value(other) - self

    def __rtruediv__(self, other):
        return as_value(other) / self

    def backward(self):
        # in-degree of a node = how many edges from its users point at it (within this graph)
        indegree = {}
        todo, found = [self], {self}
        while todo:
            node = todo.pop()
            for child in node._prev:
                indegree[child] = indegree.get(child, 0) + 1
                if child not in found:
                    found.add(child)
                    todo.append(child)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for child in node._prev:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)


class Neuron:
    __slots__ = ('w', 'b', 'squash')

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.squash = nonlin

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        if not self.squash:
            return act
        return act.tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    __slots__ = ('neurons',)

    def __init__(self, nin, nout, nonlin=True):
        self.neurons = []
        for _ in range(nout):
            self.neurons.append(Neuron(nin, nonlin=nonlin))

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs if len(outs) != 1 else outs[0]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    __slots__ = ('layers',)

    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        self.layers = [Layer(a, b) for a, b in zip(sizes, sizes[1:])]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def train(model, xs, ys, steps=20, lr=0.1):
    losses = []
    for _ in range(steps):
        ypreds = [model(x) for x in xs]
        loss = Value(0.0)
        for ypred, y in zip(ypreds, ys):
            diff = ypred - y
            loss = loss + diff * diff
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data = p.data - lr * p.grad
        losses.append(float(loss.data))
    return losses


class Stack:
    __slots__ = ('layers',)

    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        params = []
        for layer in self.layers:
            params.extend(layer.parameters())
        return params


def classifier(nin, hidden, nclasses):
    layers = []
    fan_in = nin
    for width in hidden:
        layers.append(Layer(fan_in, width))
        fan_in = width
    layers.append(Layer(fan_in, nclasses, nonlin=False))
    return Stack(layers)


def logsumexp(logits):
    top = logits[0].data
    for z in logits:
        if z.data > top:
            top = z.data
    total = Value(0.0)
    for z in logits:
        total = total + (z - top).exp()
    return total.log() + top


def softmax(logits):
    lse = logsumexp(logits)
    probs = []
    for z in logits:
        probs.append((z - lse).exp())
    return probs


def cross_entropy(logits, label):
    return logsumexp(logits) - logits[label]


def fit_digits(model, X, y, steps=100, batch_size=32, lr=0.5, seed=0):
    rng = random.Random(seed)
    pairs = list(zip(X, y))
    history = []
    for _ in range(steps):
        loss = Value(0.0)
        for x, label in rng.sample(pairs, batch_size):
            loss = loss + cross_entropy(model(x), label)
        loss = loss * (1.0 / batch_size)
        params = model.parameters()
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data = p.data - lr * p.grad
        history.append(float(loss.data))
    return history
