"""A drill command run in a pseudo-terminal, as a learner runs it: keys typed one at a time,
the screen read as it comes (80 columns, 30 rows)."""
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

from conftest import DRILL_EXE

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


class Terminal:
    """`with Terminal(args) as term:` drill ARGS on a pty; `expect` waits for text to show,
    `type` sends keys. The real clock: watching needs time to pass."""

    def __init__(self, args, columns=80, rows=30, env=None):
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {k: v for k, v in os.environ.items() if k != "DRILL_NOW"}
        environment.update({"TERM": "xterm-256color", "COLUMNS": str(columns),
                            "LINES": str(rows), **(env or {})})
        self.proc = subprocess.Popen([DRILL_EXE, *args], stdin=follower, stdout=follower,
                                     stderr=follower, env=environment, start_new_session=True)
        os.close(follower)
        self.seen = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        os.close(self.leader)

    def _read(self, timeout):
        ready, _, _ = select.select([self.leader], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.leader, 65536)
        except OSError:
            return False
        self.seen += ANSI.sub("", data.decode(errors="replace"))
        return bool(data)

    def expect(self, text, seconds=60):
        """Wait until `text` shows (after what an earlier expect found); what came before it."""
        deadline = time.monotonic() + seconds
        while text not in self.seen:
            assert time.monotonic() < deadline, f"{text!r} never showed; the screen:\n{self.seen}"
            if not self._read(0.2) and self.proc.poll() is not None:
                assert text in self.seen, f"drill ended without {text!r}:\n{self.seen}"
        before, _, self.seen = self.seen.partition(text)
        return before

    def type(self, keys, gap=0.3):
        """Send keys one at a time, `gap` seconds apart, as a person presses them."""
        for key in keys:
            os.write(self.leader, key.encode())
            time.sleep(gap)

    def wait(self, seconds=60):
        """The exit status once drill ends, reading the screen meanwhile."""
        deadline = time.monotonic() + seconds
        while self.proc.poll() is None:
            assert time.monotonic() < deadline, "drill did not end"
            self._read(0.2)
        while self._read(0.1):
            pass
        return self.proc.returncode
