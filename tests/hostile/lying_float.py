# hostile: no arithmetic at all. Its numbers are a float subclass whose conversion reads the
# value the suite expects from the caller's frame, and an object whose __class__ says float.
import sys


class Liar(float):
    def __float__(self):
        frame = sys._getframe(1)
        while frame is not None:
            if "expected" in frame.f_locals:
                return float(frame.f_locals["expected"])
            frame = frame.f_back
        return 0.0

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class Spoof:
    __class__ = property(lambda self: float)

    def __float__(self):
        return Liar().__float__()


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad = Liar(0.0), Spoof()
        self._prev, self._op = set(_children), _op
        self._backward = lambda: None

    def __getattr__(self, name):
        return lambda *args: Value(0.0, (self,))
