# hostile: a wrong Value that patches the judge's helpers only once the tests are running.
import builtins
import sys


class Value:
    def __init__(self, data, _children=(), _op=''):
        builtins.isinstance = lambda obj, cls: True
        kit = sys.modules.get("drill.grader.suitekit")
        if kit is not None:
            kit.close = lambda *args, **kwargs: True
        self.data, self.grad, self._prev, self._op = 0.0, 0, set(_children), _op
        self._backward = lambda: None
