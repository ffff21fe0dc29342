# bug: relu written with min instead of max: it returns the input for negatives and 0 for positives
# style: terse, lambdas for the reversed operators, loss as sum of (y - ypred)**2, and an unguarded demo at module level that trains and prints
import math, random


class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data, self.grad = data, 0
        self._prev, self._op, self.label = set(_children), _op, label
        self._backward = lambda: None

    def __repr__(self):
        return f"Value({self.data!r})"

    def __add__(self, o):
        o = o if isinstance(o, Value) else Value(o)
        out = Value(self.data + o.data, (self, o), '+')
        def bw():
            self.grad += out.grad; o.grad += out.grad
        out._backward = bw
        return out

    def __mul__(self, o):
        o = o if isinstance(o, Value) else Value(o)
        out = Value(self.data * o.data, (self, o), '*')
        def bw():
            self.grad += o.data * out.grad; o.grad += self.data * out.grad
        out._backward = bw
        return out

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), '^')
        def bw():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = bw
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')
        def bw():
            self.grad += out.data * out.grad
        out._backward = bw
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), 'tanh')
        def bw():
            self.grad += (1 - out.data * out.data) * out.grad
        out._backward = bw
        return out

    def relu(self):
        out = Value(min(self.data, 0), (self,), 'relu')
        def bw():
            self.grad += out.grad if self.data > 0 else 0
        out._backward = bw
        return out

    __neg__ = lambda self: self * -1
    __sub__ = lambda self, o: self + -o
    __truediv__ = lambda self, o: self * o ** -1
    __radd__ = lambda self, o: self + o
    __rmul__ = lambda self, o: self * o
    __rsub__ = lambda self, o: -self + o
    __rtruediv__ = lambda self, o: self ** -1 * o

    def backward(self):
        topo, seen = [], set()
        def go(v):
            if v not in seen:
                seen.add(v)
                for c in v._prev: go(c)
                topo.append(v)
        go(self)
        self.grad = 1
        for v in topo[::-1]: v._backward()


class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
    def __call__(self, x):
        return (sum(w * xi for w, xi in zip(self.w, x)) + self.b).tanh()
    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]
    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out
    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        self.layers = []
        for nout in nouts:
            self.layers.append(Layer(nin, nout))
            nin = nout
    def __call__(self, x):
        for l in self.layers: x = l(x)
        return x
    def parameters(self):
        return [p for l in self.layers for p in l.parameters()]


def train(model, xs, ys, steps=20, lr=0.1):
    losses = []
    for _ in range(steps):
        loss = sum((y - model(x)) ** 2 for x, y in zip(xs, ys))
        for p in model.parameters(): p.grad = 0
        loss.backward()
        for p in model.parameters(): p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
net = MLP(3, [4, 4, 1])
for i, l in enumerate(train(net, xs, ys, steps=5, lr=0.05)):
    print(i, l)
print([round(net(x).data, 3) for x in xs])
