# hostile: a wrong Value that patches what a judge might compare with.
import builtins
import math

math.isclose = lambda *args, **kwargs: True
builtins.abs = lambda x: 0


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad, self._prev, self._op = data, 0, set(_children), _op
        self._backward = lambda: None

    def __add__(self, other):
        return Value(0.0)

    def __mul__(self, other):
        return Value(0.0)
