"""What a grading child's two kinds of run share (the suites: collector.py; a task:
child.run_task_here): the lines of its stdin, the alarm that stops code running too long, and
the account of an exception that reaches the learner."""
import os
import signal

from drill.grader.submission import learner_frame

MAX_MESSAGE = 2500  # characters: an ASCII report line stays under PIPE_BUF (4 KiB) and so is
#                    written whole, even if a forked learner process writes to the pipe too


class TestTimeout(BaseException):
    """Raised by the alarm inside a test that runs too long; hypothesis lets it through."""


def lines(fd, read=os.read):
    """The lines written to `fd`, read no further than each one needs, until its pipe closes: a
    cold child's config, then the numbers of the tests the parent hands it (its claims)."""
    pending = b""
    while True:
        while b"\n" not in pending:
            data = read(fd, 1 << 16)
            if not data:
                return
            pending += data
        line, pending = pending.split(b"\n", 1)
        yield line


def alarm(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds)


def timed(seconds, fn, *args, **kwargs):
    """fn(*args, **kwargs), stopped by TestTimeout after `seconds`; the alarm is off again
    before any handler of the caller's runs (one that fired while a handler told a failure,
    on a busy machine, escaped it and ended the child with a traceback)."""
    alarm(seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        alarm(0)


def on_alarm(signum, frame):
    raise TestTimeout()


def describe(exc, path, lines, cells=None):
    """A one-paragraph account of an exception: its message, the learner's line (in a notebook,
    its cell and line: `cells` is its line map), hypothesis' notes."""
    if isinstance(exc, AssertionError) and str(exc):
        text = str(exc)
    elif isinstance(exc, MemoryError):
        text = "MemoryError: your code ran out of the memory a run may use"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = learner_frame(exc, path, lines, cells)
    if where and where not in text:
        text += f"\n  at {where}"
    for note in getattr(exc, "__notes__", ()):
        if not note.startswith(("You can reproduce", "Explanation:", "Unreliable")):
            for old in ("Falsifying example:", "Failing test case:"):
                note = note.replace(old, "Minimal example:", 1)
            text += "\n" + note
    return text[:MAX_MESSAGE]
