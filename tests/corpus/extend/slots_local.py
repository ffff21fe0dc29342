# style: the engine alone (ops, backward, topo), with __slots__; each node keeps its local
# slopes beside its parents and its _backward is a bound method that applies them; _prev a
# list; backward() sorts with an explicit stack of iterators; extend's ten operations, one
# line each, several written unlike the reference (softplus with log1p, sqrt's slope from the
# output, sigmoid's from its own value)
import math


class Value:
    __slots__ = ("data", "grad", "_prev", "_op", "_slopes", "_backward", "label")

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0
        self._prev = list(_children)
        self._op = _op
        self._slopes = ()
        self._backward = self._chain
        self.label = label

    def _chain(self):
        for parent, slope in zip(self._prev, self._slopes):
            parent.grad += slope * self.grad

    @staticmethod
    def _of(x):
        return x if isinstance(x, Value) else Value(x)

    def _node(self, data, parents, slopes, op):
        out = Value(data, parents, op)
        out._slopes = slopes
        return out

    def __add__(self, other):
        other = Value._of(other)
        return self._node(self.data + other.data, (self, other), (1, 1), "+")

    def __mul__(self, other):
        other = Value._of(other)
        return self._node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):
        return self._node(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k}")

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, (self,), (e,), "exp")

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), (1 - t * t,), "tanh")

    def relu(self):
        on = self.data > 0
        return self._node(self.data if on else 0.0, (self,), (1.0 if on else 0.0,), "relu")

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + -Value._of(other)

    def __rsub__(self, other):
        return Value._of(other) - self

    def __truediv__(self, other):
        return self * Value._of(other) ** -1

    def __rtruediv__(self, other):
        return Value._of(other) / self

    def log(self):
        return self._node(math.log(self.data), (self,), (1 / self.data,), "log")

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data))
        return self._node(s, (self,), (s * (1 - s),), "sigmoid")

    def sin(self):
        return self._node(math.sin(self.data), (self,), (math.cos(self.data),), "sin")

    def cos(self):
        return self._node(math.cos(self.data), (self,), (-math.sin(self.data),), "cos")

    def softplus(self):
        return self._node(math.log1p(math.exp(self.data)), (self,),
                          (1 / (1 + math.exp(-self.data)),), "softplus")

    def sqrt(self):
        r = math.sqrt(self.data)
        return self._node(r, (self,), (0.5 / r,), "sqrt")

    def leaky_relu(self):
        on = self.data > 0
        return self._node(self.data if on else 0.01 * self.data, (self,), (1 if on else 0.01,),
                          "leaky_relu")

    def swish(self):
        s = 1 / (1 + math.exp(-self.data))
        return self._node(self.data * s, (self,), (s * (1 + self.data * (1 - s)),), "swish")

    def cube(self):
        return self._node(self.data ** 3, (self,), (3 * self.data ** 2,), "cube")

    def reciprocal(self):
        return self._node(1 / self.data, (self,), (-1 / self.data ** 2,), "reciprocal")

    def backward(self):
        order, seen, stack = [], {id(self)}, [(self, iter(self._prev))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child._prev)))
                    break
            else:
                stack.pop()
                order.append(node)
        self.grad = 1
        for node in reversed(order):
            node._backward()
