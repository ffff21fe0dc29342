# style: the engine and network of typed_modern.py (type annotations, Neuron(nin, nonlin=True)
# already, a Layer passing **kwargs on); digits typed too: log as a method with its slope kept
# beside it, classifier a subclass of MLP, softmax multiplying by the sum ** -1, the batch
# loss divided by the batch's length, zero_grad by hand before the forward pass
# claims: full digits
from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence

Number = int | float


class Value:
    """One scalar node of the computation graph."""

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = "",
                 label: str = "") -> None:
        self.data: Number = data
        self.grad: Number = 0.0
        self._prev: set[Value] = set(_children)
        self._op: str = _op
        self._backward: Callable[[], None] = lambda: None
        self.label: str = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    @staticmethod
    def _coerce(other: object) -> Value | None:
        if isinstance(other, Value):
            return other
        if isinstance(other, (int, float)):
            return Value(other)
        return None

    def __add__(self, other: Value | Number) -> Value:
        rhs = Value._coerce(other)
        if rhs is None:
            return NotImplemented
        out = Value(self.data + rhs.data, (self, rhs), "+")

        def _backward() -> None:
            self.grad += out.grad
            rhs.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        rhs = Value._coerce(other)
        if rhs is None:
            return NotImplemented
        out = Value(self.data * rhs.data, (self, rhs), "*")

        def _backward() -> None:
            self.grad += rhs.data * out.grad
            rhs.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: Number) -> Value:
        if not isinstance(k, (int, float)):
            return NotImplemented
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        slope = 1.0 / self.data
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += slope * out.grad
        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0, (self,), "relu")

        def _backward() -> None:
            if self.data > 0:
                self.grad += out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | Number) -> Value:
        return self * other**-1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return -self + other

    def __rtruediv__(self, other: Number) -> Value:
        return self**-1 * other

    def backward(self) -> None:
        order: list[Value] = []
        visited: set[int] = set()

        def build(v: Value) -> None:
            if id(v) in visited:
                return
            visited.add(id(v))
            for child in v._prev:
                build(child)
            order.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


class Neuron:
    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w: list[Value] = [Value(random.uniform(-1, 1), label="w") for _ in range(nin)]
        self.b: Value = Value(random.uniform(-1, 1), label="b")
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'Tanh' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer:
    def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
        self.neurons: list[Neuron] = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(str, self.neurons))}]"


class MLP:
    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        self.layers: list[Layer] = [Layer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(str, self.layers))}]"


def train(model, xs: list[list[float]], ys: list[float], steps: int = 20,
          lr: float = 0.1) -> list[float]:
    losses: list[float] = []
    for _ in range(steps):
        for p in model.parameters():
            p.grad = 0.0
        preds = [model(x) for x in xs]
        loss = sum(((yp - yt) ** 2 for yp, yt in zip(preds, ys)), Value(0.0))
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(float(loss.data))
    return losses


class classifier(MLP):
    def __init__(self, nin: int, hidden: list[int], nclasses: int) -> None:
        sizes = [nin, *hidden, nclasses]
        last = len(sizes) - 2
        self.layers = [Layer(a, b, nonlin=i < last)
                       for i, (a, b) in enumerate(zip(sizes, sizes[1:]))]


def softmax(logits: list[Value]) -> list[Value]:
    shift = max(float(z.data) for z in logits)
    exps = [(z + -shift).exp() for z in logits]
    inverse = sum(exps[1:], exps[0]) ** -1
    return [e * inverse for e in exps]


def cross_entropy(logits: list[Value], label: int) -> Value:
    probs = softmax(logits)
    return -(probs[label].log())


def fit_digits(model, X: list[list[float]], y: list[int], steps: int = 100,
               batch_size: int = 32, lr: float = 0.5, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    out: list[float] = []
    for _ in range(steps):
        picked = rng.sample(range(len(X)), batch_size)
        for p in model.parameters():
            p.grad = 0.0
        terms = [cross_entropy(model(X[i]), y[i]) for i in picked]
        loss = sum(terms, Value(0.0)) / len(picked)
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        out.append(float(loss.data))
    return out
