# style: the engine alone, closures as in the lecture but every slope read from the output
# where it can be (sigmoid's out.data * (1 - out.data), sqrt's 0.5 / out.data, reciprocal's
# -out.data ** 2, leaky_relu's out.data / self.data, softplus's 1 - e^-out.data); _prev a
# tuple, grad a float, backward() a recursive sort over ids
import math


class Value:

    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad = data, 0.0
        self._prev, self._op = tuple(_children), _op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value({self.data})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += out.grad * other.data
            other.grad += out.grad * self.data
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), 'pow')

        def _backward():
            self.grad += out.grad * k * self.data ** (k - 1)
        out._backward = _backward
        return out

    def _one(self, data, op, slope):
        """A node over self alone whose _backward adds slope(out) times out.grad."""
        out = Value(data, (self,), op)

        def _backward():
            self.grad += slope(out) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        return self._one(math.exp(self.data), 'exp', lambda out: out.data)

    def tanh(self):
        return self._one(math.tanh(self.data), 'tanh', lambda out: 1 - out.data ** 2)

    def relu(self):
        return self._one(max(self.data, 0.0), 'relu', lambda out: float(out.data > 0))

    def log(self):
        return self._one(math.log(self.data), 'log', lambda out: 1 / self.data)

    def sigmoid(self):
        return self._one(1 / (1 + math.exp(-self.data)), 'sigmoid',
                         lambda out: out.data * (1 - out.data))

    def sin(self):
        return self._one(math.sin(self.data), 'sin', lambda out: math.cos(self.data))

    def cos(self):
        return self._one(math.cos(self.data), 'cos', lambda out: -math.sin(self.data))

    def softplus(self):
        return self._one(math.log(1 + math.exp(self.data)), 'softplus',
                         lambda out: 1 - math.exp(-out.data))

    def sqrt(self):
        return self._one(self.data ** 0.5, 'sqrt', lambda out: 0.5 / out.data)

    def leaky_relu(self):
        return self._one(max(self.data, 0.01 * self.data), 'leaky_relu',
                         lambda out: out.data / self.data)

    def swish(self):
        s = 1 / (1 + math.exp(-self.data))
        return self._one(self.data * s, 'swish', lambda out: out.data + s * (1 - out.data))

    def cube(self):
        return self._one(self.data * self.data * self.data, 'cube',
                         lambda out: 3 * self.data * self.data)

    def reciprocal(self):
        return self._one(1 / self.data, 'reciprocal', lambda out: -out.data ** 2)

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return self ** -1 * other

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) in seen:
                return
            seen.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)
        visit(self)
        self.grad = 1.0
        for node in order[::-1]:
            node._backward()
