# style: local_grads.py with extend's ten operations, each one call of the shared helper with its slope worked out in the forward pass, some written unlike the reference (sigmoid from tanh, softplus with log1p, the slope of swish and reciprocal from the output)
import math
import random


class Value:

    def __init__(self, data, _children=(), _op=''):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward = lambda: None

    @classmethod
    def _make(cls, data, parents, local_grads, op):
        """A new node; its _backward applies the chain rule with the given local derivatives."""
        out = cls(data, parents, op)

        def _backward():
            for parent, local in zip(parents, local_grads):
                parent.grad += local * out.grad
        out._backward = _backward
        return out

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = self._wrap(other)
        return Value._make(self.data + other.data, (self, other), (1.0, 1.0), '+')

    def __mul__(self, other):
        other = self._wrap(other)
        return Value._make(self.data * other.data, (self, other), (other.data, self.data), '*')

    def __pow__(self, k):
        return Value._make(self.data ** k, (self,), (k * self.data ** (k - 1),), f'^{k}')

    def exp(self):
        e = math.exp(self.data)
        return Value._make(e, (self,), (e,), 'exp')

    def tanh(self):
        t = math.tanh(self.data)
        return Value._make(t, (self,), (1 - t * t,), 'tanh')

    def relu(self):
        positive = self.data > 0
        return Value._make(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,), 'relu')

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + self._wrap(other) * -1.0

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __radd__(self, other):
        return self._wrap(other) + self

    def __rmul__(self, other):
        return self._wrap(other) * self

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __rtruediv__(self, other):
        return self._wrap(other) / self

    # extend's operations: each a single node, its local slope computed with its data.
    def log(self):
        return Value._make(math.log(self.data), (self,), (1.0 / self.data,), 'log')

    def sigmoid(self):
        s = 0.5 * (1.0 + math.tanh(0.5 * self.data))
        return Value._make(s, (self,), (s - s * s,), 'sigmoid')

    def sin(self):
        return Value._make(math.sin(self.data), (self,), (math.cos(self.data),), 'sin')

    def cos(self):
        return Value._make(math.cos(self.data), (self,), (-math.sin(self.data),), 'cos')

    def softplus(self):
        e = math.exp(self.data)
        return Value._make(math.log1p(e), (self,), (e / (1.0 + e),), 'softplus')

    def sqrt(self):
        r = self.data ** 0.5
        return Value._make(r, (self,), (0.5 * self.data ** -0.5,), 'sqrt')

    def leaky_relu(self):
        return Value._make(max(self.data, 0.01 * self.data), (self,),
                           (1.0 if self.data > 0 else 0.01,), 'lrelu')

    def swish(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        y = self.data * s
        return Value._make(y, (self,), (y + s * (1.0 - y),), 'swish')

    def cube(self):
        x = self.data
        return Value._make(x * x * x, (self,), (3.0 * x * x,), 'x^3')

    def reciprocal(self):
        r = 1.0 / self.data
        return Value._make(r, (self,), (-r * r,), '1/x')

    def backward(self):
        done = {}
        order = []

        def dfs(node):
            done[id(node)] = node
            for parent in node._prev:
                if id(parent) not in done:
                    dfs(parent)
            order.append(node)

        dfs(self)
        self.grad = 1.0
        for node in order[::-1]:
            node._backward()


class Neuron:

    def __init__(self, nin):
        self.w = []
        for _ in range(nin):
            self.w.append(Value(random.uniform(-1, 1)))
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        total = self.b
        for i in range(len(self.w)):
            total = total + self.w[i] * x[i]
        return total.tanh()

    def parameters(self):
        return list(self.w) + [self.b]


class Layer:

    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        if len(self.neurons) == 1:
            return self.neurons[0](x)
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        out = []
        for neuron in self.neurons:
            out += neuron.parameters()
        return out


class MLP:

    def __init__(self, nin, nouts):
        self.layers = [Layer(i, o) for i, o in zip([nin] + nouts[:-1], nouts)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        out = []
        for layer in self.layers:
            out += layer.parameters()
        return out


def train(model, xs, ys, steps=20, lr=0.1):
    record = []
    for _ in range(steps):
        preds = list(map(model, xs))
        loss = sum([(p - y) * (p - y) for p, y in zip(preds, ys)], Value(0))
        record.append(loss.data)
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
    return record
