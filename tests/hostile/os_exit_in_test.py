# hostile: ends the process from inside the learner's code, in the middle of the tests.
import os


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad, self._prev, self._op = data, 0, set(_children), _op
        self._backward = lambda: None

    def __add__(self, other):
        os._exit(0)
