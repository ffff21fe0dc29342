# style: the training loop calls model.zero_grad(), as the public demo does; keyword children
# and op with a label keyword; every operator one table-driven helper; recursion-free topo with
# an explicit stack; the network's classes share a Module base
import functools
import itertools
import math
import random


class Value:
    __slots__ = ("data", "grad", "_prev", "_op", "_backward", "label")

    def __init__(self, data, _children=(), _op="", *, label=""):
        self.data = data
        self.grad = 0
        self._prev = tuple(_children)
        self._op = _op
        self._backward = _nothing
        self.label = label

    def __repr__(self):
        return f"Value({self.data!r}, grad={self.grad!r})"

    def _node(self, data, parents, op, locals_):
        """A result node whose _backward hands each parent its local derivative times out.grad."""
        out = Value(data, _children=parents, _op=op)

        def _backward():
            for parent, local in zip(parents, locals_):
                parent.grad += local() * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        other = as_value(other)
        return self._node(self.data + other.data, (self, other), "+",
                          (lambda: 1.0, lambda: 1.0))

    def __mul__(self, other):
        other = as_value(other)
        return self._node(self.data * other.data, (self, other), "*",
                          (lambda: other.data, lambda: self.data))

    def __pow__(self, k):
        return self._node(self.data ** k, (self,), "pow", (lambda: k * self.data ** (k - 1),))

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, (self,), "exp", (lambda: e,))

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), "tanh", (lambda: 1 - t * t,))

    def relu(self):
        return self._node(self.data if self.data > 0 else 0.0, (self,), "relu",
                          (lambda: 1.0 if self.data > 0 else 0.0,))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-as_value(other))

    def __truediv__(self, other):
        return self * as_value(other) ** -1

    __radd__ = lambda self, other: as_value(other).__add__(self)  # noqa: E731
    __rmul__ = lambda self, other: as_value(other).__mul__(self)  # noqa: E731
    __rsub__ = lambda self, other: as_value(other).__sub__(self)  # noqa: E731
    __rtruediv__ = lambda self, other: as_value(other).__truediv__(self)  # noqa: E731

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1
        for node in reversed(order):
            node._backward()


def _nothing():
    pass


def as_value(x):
    return x if isinstance(x, Value) else Value(x)


class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []


class Neuron(Module):
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.nonlin = nonlin

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return [*self.w, self.b]


class Layer(Module):
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs if len(outs) > 1 else outs[0]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        self.layers = [Layer(a, b) for a, b in zip(sizes, sizes[1:])]

    def __call__(self, x):
        return functools.reduce(lambda inputs, layer: layer(inputs), self.layers, x)

    def parameters(self):
        return list(itertools.chain.from_iterable(layer.parameters() for layer in self.layers))


def train(model, xs, ys, steps=20, lr=0.1):
    def step():
        loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        return loss.data
    return [step() for _ in range(steps)]
