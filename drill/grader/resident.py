"""The grader a cold `drill check` leaves behind: the next check, or `drill graph`, a few moments
later hands it the file rather than paying for Python, pytest and hypothesis again.

It is watch mode's warm grader (warm.serve) on a named socket of the home's, DRILL_HOME/grader:
started with the same command, the same bare environment, no learner's code of its own, a fresh
child forked for every grading that shuts itself in before it reads the file. The grading child
cannot reach the socket: the home is hidden from it and it may make no socket at all (sandbox.py).
A grader is left behind only where
the child can make no socket (the seccomp filter, `sockets` in `drill doctor`), never with the
sandbox off. It serves one home, and one drill (the socket's name is a key of the interpreter, the grader's
code and the sandbox switch, so a grader of another install or with the sandbox off is never
asked); it ends on its own once no drill has used it for IDLE_S seconds (DRILL_GRADER_IDLE: 0
leaves none behind). One per home: a grader holds its lock file for its whole life, so a second
one started beside it exits at once, and a socket left by one that died (kill -9) is replaced.
"""
import fcntl
import hashlib
import os
import socket
import subprocess
import sys
from contextlib import contextmanager, suppress
from pathlib import Path

from drill.grader.parent import ColdStart, StartedAhead
from drill.grader.switch import forced_off
from drill.grader.warm import ForkServer, serve

IDLE_S = 300.0  # five minutes without a grading, and it ends


def idle_s():
    """How long a grader left behind waits for the next grading ($DRILL_GRADER_IDLE seconds)."""
    try:
        return float(os.environ.get("DRILL_GRADER_IDLE", IDLE_S))
    except ValueError:
        return IDLE_S


class Resident(ForkServer):
    """A connection to the grader left behind for this home, asked for a child per run as watch
    mode asks its own server. One that fails to answer leaves the run to a cold child."""

    def __init__(self, sock):
        super().__init__()
        self.sock, self.pending, self.exits = sock, b"", {}

    def _gone(self):
        return self.ended

    def launch(self, config, limits):
        if not self.ended:
            try:
                return self._fork(config, limits)
            except OSError:
                self.ended = True
        return ColdStart().launch(config, limits)

    def close(self):
        self.sock.close()


def address():
    """The socket of this home's grader for this drill: DRILL_HOME/grader/KEY.sock."""
    from drill.paths import scratch
    return scratch("grader") / f"{_key()}.sock"


def _key():
    """What a grader must share with the drill asking it: the interpreter and its environment
    (a venv's python and python3 are one), the code of the grader and of its tasks (by each
    file's time), and whether the sandbox is forced off."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    interpreter = f"{os.path.realpath(sys.executable)}\0{sys.prefix}"
    digest = hashlib.sha256(f"{interpreter}\0{forced_off()}".encode())
    for folder in ("grader", "tasks"):
        with os.scandir(os.path.join(package, folder)) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    digest.update(f"{entry.name}\0{entry.stat().st_mtime_ns}\0".encode())
    return digest.hexdigest()[:16]


def _at(path, act):
    """`act` (a socket's bind or connect) on `path`; a path too long for a Unix socket's address
    (108 bytes) is reached through a descriptor of its folder."""
    if len(os.fsencode(str(path))) < 100:
        return act(str(path))
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return act(f"/proc/self/fd/{folder}/{path.name}")
    finally:
        os.close(folder)


def wanted():
    """Whether a grader may be left behind here: asked for (DRILL_GRADER_IDLE), a home drill
    can write, and a sandbox whose children can make no socket. The grader listens on a named
    socket; where the seccomp filter is off (or the whole sandbox), a learner's file could
    connect to it and ask for a child of its own making, so none is left."""
    from drill.grader.sandbox import off
    from drill.paths import read_only
    return idle_s() > 0 and not read_only() and not forced_off() and \
        all(name != "sockets" for name, _ in off())


def reused():
    """A connection to the grader left behind for this home, or None when none is up."""
    if not wanted():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        _at(address(), sock.connect)
    except OSError:  # none, or a socket its grader left when it died
        sock.close()
        return None
    return Resident(sock)


@contextmanager
def home_grader(ahead=0):
    """What starts the children of a grading drill starts on its own (drill check, drill
    graph): this home's grader if one is up; else cold runners, `ahead` of them started now,
    before drill's own work, and a grader left behind once the command is over (not after an
    error: a command that graded nothing leaves none)."""
    found = reused()
    launcher = found or (StartedAhead(ahead) if ahead else None)
    graded = False
    try:
        yield launcher
        graded = True
    except SystemExit as done:  # drill check's exit status
        graded = done.code in (0, 1)
        raise
    finally:
        if launcher is not None:
            launcher.close()
        if found is None and graded:
            leave_behind()


def leave_behind():
    """Start this home's grader, in the background, unless told not to (its lock keeps it one
    per home). It collects drill's suites as soon as it is up."""
    import tempfile

    from drill.catalog import every_suite
    from drill.grader import sandbox
    if not wanted():
        return
    with suppress(OSError):
        subprocess.Popen([sys.executable, "-I", "-m", "drill.grader.resident", str(address()),
                          str(idle_s()), *every_suite()], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, cwd="/",
                         env=sandbox.environment(tempfile.gettempdir()))


def main(path, idle, suites):
    """The grader itself: take the home's lock or leave (one is up), replace a stale socket,
    serve until left alone for `idle` seconds."""
    lock = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    os.ftruncate(lock, 0)
    os.write(lock, f"{os.getpid()}\n".encode())
    with suppress(FileNotFoundError):  # its grader is gone: the lock was free
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _at(path, listener.bind)
    listener.listen(16)
    try:
        serve(None, listener, idle, suites, keep_fds=[lock])
    finally:
        with suppress(OSError):  # before the lock goes: a grader after this one binds afresh
            path.unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:])
