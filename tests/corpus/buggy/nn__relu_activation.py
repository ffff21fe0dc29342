# bug: the Neuron uses relu as its nonlinearity (as the public micrograd repo does) instead of the lecture's tanh
# style: topological order from a recursive generator (yield from); _prev a frozenset; extra methods (sigmoid, log, comparisons) beside the contract
import math
import random


class Value:

    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0
        self._prev = frozenset(_children)
        self._op = _op
        self.label = label
        self._backward = lambda: None

    def __repr__(self):
        return f"<Value {self.label or '?'} data={self.data} grad={self.grad}>"

    def __lt__(self, other):
        return self.data < (other.data if isinstance(other, Value) else other)

    def __gt__(self, other):
        return self.data > (other.data if isinstance(other, Value) else other)

    def _unary(self, data, op, derivative):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += derivative() * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
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

    def __pow__(self, k):
        return self._unary(self.data ** k, f'**{k}', lambda: k * self.data ** (k - 1))

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, 'exp', lambda: e)

    def log(self):
        return self._unary(math.log(self.data), 'log', lambda: 1 / self.data)

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 'tanh', lambda: 1 - t ** 2)

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data))
        return self._unary(s, 'sigmoid', lambda: s * (1 - s))

    def relu(self):
        return self._unary(self.data if self.data > 0 else 0.0, 'relu',
                           lambda: 1.0 if self.data > 0 else 0.0)

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-1) * other

    def __rsub__(self, other):
        return (-1) * self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * (other ** -1 if isinstance(other, Value) else 1 / other)

    def __rtruediv__(self, other):
        return self ** -1 * other

    def _postorder(self, seen):
        seen.add(self)
        for child in self._prev:
            if child not in seen:
                yield from child._postorder(seen)
        yield self

    def backward(self):
        order = list(self._postorder(set()))
        self.grad = 1
        for node in reversed(order):
            node._backward()


class Neuron:

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1), label=f'w{i}') for i in range(nin)]
        self.b = Value(random.uniform(-1, 1), label='b')
        self.nonlin = nonlin

    def __call__(self, x):
        act = self.b + sum(wi * xi for wi, xi in zip(self.w, x))
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:

    def __init__(self, nin, nout, **kw):
        self.neurons = [Neuron(nin, **kw) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs if len(outs) > 1 else outs[0]

    def parameters(self):
        return sum((n.parameters() for n in self.neurons), [])


class MLP:

    def __init__(self, nin, nouts):
        dims = [nin] + list(nouts)
        self.layers = [Layer(dims[i], dims[i + 1]) for i in range(len(dims) - 1)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return sum((layer.parameters() for layer in self.layers), [])


def zero_grads(params):
    for p in params:
        p.grad = 0


def train(model, xs, ys, steps=20, lr=0.1):
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in xs]
        loss = sum([(yp - yt) ** 2 for yt, yp in zip(ys, ypred)])
        params = model.parameters()
        zero_grads(params)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses
