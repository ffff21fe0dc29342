# style: trace returns lists, never sets, and keeps them free of repeats by identity (`a * a`
# holds a twice in its tuple `_prev`, and is still one edge); ops through one `_op`-keyed table
# of local derivatives; the training loop zeroes the grads before the forward pass
# claims: trace full
import math
import random


class Value:

    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward = lambda: None

    def _result(self, data, children, op, slopes):
        """A new node whose _backward gives each child its slope times the node's grad."""
        out = Value(data, children, op)

        def _backward():
            for child, slope in zip(children, slopes):
                child.grad += slope * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._result(self.data + other.data, (self, other), '+', (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._result(self.data * other.data, (self, other), '*', (other.data, self.data))

    def __pow__(self, k):
        return self._result(self.data ** k, (self,), f'**{k}', (k * self.data ** (k - 1),))

    def exp(self):
        e = math.exp(self.data)
        return self._result(e, (self,), 'exp', (e,))

    def tanh(self):
        t = math.tanh(self.data)
        return self._result(t, (self,), 'tanh', (1 - t ** 2,))

    def relu(self):
        up = self.data > 0
        return self._result(self.data if up else 0.0, (self,), 'relu', (1.0 if up else 0.0,))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + -other

    def __truediv__(self, other):
        return self * other ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return -self + other

    def __rtruediv__(self, other):
        return self ** -1 * other

    def backward(self):
        order = []

        def visit(v):
            if not any(v is seen for seen in order):
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in order[::-1]:
            v._backward()


def trace(root):
    nodes, edges = [], []

    def walk(v):
        nodes.append(v)
        for child in v._prev:
            if not any(c is child and p is v for c, p in edges):
                edges.append((child, v))
            if not any(child is n for n in nodes):
                walk(child)
    walk(root)
    return nodes, edges


class Neuron:

    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        total = self.b
        for i, wi in enumerate(self.w):
            total = total + wi * x[i]
        return total.tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:

    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        if len(self.neurons) == 1:
            return self.neurons[0](x)
        return [n(x) for n in self.neurons]

    def parameters(self):
        return sum((n.parameters() for n in self.neurons), [])


class MLP:

    def __init__(self, nin, nouts):
        self.layers = []
        for nout in nouts:
            self.layers.append(Layer(nin, nout))
            nin = nout

    def __call__(self, x):
        return self._through(x, 0)

    def _through(self, x, i):
        return x if i == len(self.layers) else self._through(self.layers[i](x), i + 1)

    def parameters(self):
        return sum((layer.parameters() for layer in self.layers), [])


def train(model, xs, ys, steps=20, lr=0.1):
    losses = []
    for _ in range(steps):
        for p in model.parameters():
            p.grad = 0.0
        errors = [(model(x) - y) ** 2 for x, y in zip(xs, ys)]
        loss = errors[0]
        for e in errors[1:]:
            loss = loss + e
        loss.backward()
        for p in model.parameters():
            p.data += -lr * p.grad
        losses.append(loss.data)
    return losses
