# hostile: starts a process that outlives the run and keeps the grader's pipes open.
import subprocess

subprocess.Popen(["sleep", "600"])


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad, self._prev, self._op = data, 0, set(_children), _op
        self._backward = lambda: None
