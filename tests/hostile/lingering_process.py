# hostile: starts a process that outlives the run and keeps the grader's pipes open.
import ctypes
import os
import time

if os.fork() == 0:
    ctypes.CDLL(None).prctl(15, b"drill-lingers", 0, 0, 0)  # PR_SET_NAME: the tests look for it
    time.sleep(600)
    os._exit(0)


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad, self._prev, self._op = data, 0, set(_children), _op
        self._backward = lambda: None
