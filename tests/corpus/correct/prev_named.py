# style: the operands kept as `.prev` (no underscore), which ops names `_prev`; a Value made by a
# small factory function; backward() walks `.prev` with a recursive helper of its own
# claims: topo nn train
import math
import random


class Value:

    def __init__(self, data, children=(), op=''):
        self.data = data
        self.grad = 0.0
        self.prev = tuple(children)
        self._op = op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value({self.data}, grad={self.grad})"

    def __add__(self, other):
        other = lift(other)

        def push():
            self.grad += out.grad
            other.grad += out.grad
        out = node(self.data + other.data, (self, other), '+', push)
        return out

    def __mul__(self, other):
        other = lift(other)

        def push():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out = node(self.data * other.data, (self, other), '*', push)
        return out

    def __pow__(self, k):
        def push():
            self.grad += k * self.data ** (k - 1) * out.grad
        out = node(self.data ** k, (self,), 'pow', push)
        return out

    def exp(self):
        def push():
            self.grad += out.data * out.grad
        out = node(math.exp(self.data), (self,), 'exp', push)
        return out

    def tanh(self):
        def push():
            self.grad += (1 - out.data ** 2) * out.grad
        out = node(math.tanh(self.data), (self,), 'tanh', push)
        return out

    def relu(self):
        def push():
            self.grad += (self.data > 0) * out.grad
        out = node(self.data if self.data > 0 else 0.0, (self,), 'relu', push)
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-lift(other))

    def __truediv__(self, other):
        return self * lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return lift(other) - self

    def __rtruediv__(self, other):
        return lift(other) / self

    def backward(self):
        done, order = set(), []

        def visit(v):
            if id(v) in done:
                return
            done.add(id(v))
            for child in v.prev:
                visit(child)
            order.append(v)

        visit(self)
        self.grad = 1.0
        while order:
            order.pop()._backward()


def lift(x):
    return x if isinstance(x, Value) else Value(x)


def node(data, children, op, push):
    out = Value(data, children, op)
    out._backward = push
    return out


class Neuron:

    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return [*self.w, self.b]


class Layer:

    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        if len(outs) == 1:
            (only,) = outs
            return only
        return outs

    def parameters(self):
        params = []
        for n in self.neurons:
            params += n.parameters()
        return params


class MLP:

    def __init__(self, nin, nouts):
        self.layers = [Layer(a, b) for a, b in zip([nin, *nouts], nouts)]

    def __call__(self, x):
        out = x
        for layer in self.layers:
            out = layer(out)
        return out

    def parameters(self):
        params = []
        for layer in self.layers:
            params += layer.parameters()
        return params


def train(model, xs, ys, steps=20, lr=0.1):
    history = []
    while len(history) < steps:
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
        params = model.parameters()
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        history.append(loss.data)
    return history
