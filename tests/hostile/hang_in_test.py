# hostile: every operation loops for ever, and the alarm that would stop it is ignored.
import signal

signal.signal(signal.SIGALRM, signal.SIG_IGN)


class Value:
    def __init__(self, data, _children=(), _op=''):
        while True:
            pass
