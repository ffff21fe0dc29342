# hostile: makes every report as large as the child lets it be, of text that does not compress:
# each operation prints 500 random characters and raises an exception of 2,500 more, escape
# sequences among them (each spelled out at four times its length), for the database to grow by
# megabytes with each recorded check.
import random

NOISE = [chr(c) for c in range(0x21, 0x7F)] + ["\x1b", "\x07", "\u202e"]


def noise(n):
    return "".join(random.choice(NOISE) for _ in range(n))


class Value:
    def __init__(self, data, _children=(), _op=''):
        print(noise(600))
        raise ValueError(noise(3000))
