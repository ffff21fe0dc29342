"""Text that came from the grader's child, made safe to show on a terminal.

The child runs the learner's code, so every string it sends (a message, printed output, a
test's title, a node's label or `_op`) may carry what a terminal obeys rather than shows: an
escape sequence (a clipboard write, a window title, a cleared screen), a carriage return that
writes a fake "PASS" over a line, a bidi override that reverses what is read. `escape` turns each
such character into its visible Python spelling (`\\x1b`, `\\r`, `\\u202e`), keeping newlines and
tabs. The grader applies it where reports enter drill (parent.py, reports.py) and again where a
stored result is read back (results.GradeResult.from_dict), so an old database replays nothing.
"""
import re

# C0 controls but newline and tab, DEL, the C1 controls (U+009B is a one-character CSI), the
# bidi embeddings, overrides, isolates and marks, and lone surrogates (a terminal cannot encode
# them: printing one would raise).
_UNSAFE = [c for c in range(0x20) if chr(c) not in "\n\t"] + list(range(0x7F, 0xA0)) + \
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)] + \
    list(range(0xD800, 0xE000))
_TABLE = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE}
_TABLE[ord("\r")] = "\\r"


def _runs(codes):
    """`codes` as a regex character class of ranges, which compiles in a fraction of a
    millisecond where one of 2,100 single characters took 10 ms of every command's start."""
    runs, codes = [], sorted(codes)
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs) + "]"


_ANY = re.compile(_runs(_TABLE))


def escape(text):
    """`text` with every character a terminal would act on spelled out; a non-string is ''.
    A Windows line end stays a line end."""
    if type(text) is not str:
        return ""
    if _ANY.search(text) is None:  # nearly every string; the search costs a third of translate
        return text
    return text.replace("\r\n", "\n").translate(_TABLE)

