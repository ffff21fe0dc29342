# style: __slots__ with _backward a method that dispatches on _op (no closures); the exponent kept on the node
import math
import random


class Value:
    __slots__ = ('data', 'grad', '_prev', '_op', '_k')

    def __init__(self, data, _children=(), _op='', _k=None):
        self.data = data
        self.grad = 0
        self._prev = set(_children)
        self._op = _op
        self._k = _k

    def _backward(self):
        kids = list(self._prev)
        if self._op == '+':
            for kid in kids:
                kid.grad += self.grad * (2 if len(kids) == 1 else 1)
        elif self._op == '*':
            if len(kids) == 1:
                kids[0].grad += 2 * kids[0].data * self.grad
            else:
                a, b = kids
                a.grad += b.data * self.grad
                b.grad += a.data * self.grad
        elif self._op == '**':
            kids[0].grad += self._k * kids[0].data ** (self._k - 1) * self.grad
        elif self._op == 'tanh':
            kids[0].grad += (1 - self.data ** 2) * self.grad
        elif self._op == 'exp':
            kids[0].grad += self.data * self.grad
        elif self._op == 'relu':
            kids[0].grad += (self.data > 0) * self.grad

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), '+')

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), '*')

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        return Value(self.data ** k, (self,), '**', k)

    def tanh(self):
        return Value(math.tanh(self.data), (self,), 'tanh')

    def exp(self):
        return Value(math.exp(self.data), (self,), 'exp')

    def relu(self):
        return Value(max(self.data, 0), (self,), 'relu')

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other ** -1

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return other + (-self)

    def __rtruediv__(self, other):
        return other * self ** -1

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(self)
        self.grad = 1
        for v in reversed(order):
            v._backward()


class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
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
    for _ in range(steps):
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
        for p in model.parameters():
            p.grad = 0
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses
