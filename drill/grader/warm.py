"""A warm grader for watch mode: pytest and hypothesis are imported, and the suites collected,
once, not on every save.

Most of a cold grading is Python starting, importing pytest and hypothesis and collecting the
suites. In watch mode a server process (`python -I -m drill.grader.warm`) does that once (the
collection: warm_session.py), then forks one child per save. The child imports the learner's file
fresh and runs the suites as a cold child would (child.grade_here), under the same limits; the
server never imports a learner's file itself, so no module can outlive a save and give a stale
pass. The parent still builds the verdict from the child's reports alone (parent.ChildRun).

Requests go over a Unix socket as one JSON line each, with the run's two pipes passed along
(SCM_RIGHTS); the server answers with the child's pid, and with its exit status once reaped.
The parent's first line asks it to collect drill's suites, which it does while no save waits.
Where there is no fork, `Prestarted` keeps a cold runner started ahead of the next save instead.
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import asdict

from drill.grader import cgroup, sandbox
from drill.grader.parent import ColdStart, Launched, discard, send_config, start_runner

REPLY_S = 10.0  # how long the parent waits for the server to answer a fork


def launcher():
    """The warm grader this machine allows: a fork server, or a runner started ahead."""
    return ForkServer() if hasattr(os, "fork") else Prestarted()


class ForkServer:
    """The parent's side: starts the server and asks it for a child per run."""

    command = [sys.executable, "-I", "-m", "drill.grader.warm"]

    def __init__(self, collect=None):
        """`collect`: the suites the server collects ahead of the saves; drill's own by default."""
        self.proc, self.lock, self.collect = None, threading.Lock(), collect
        self.ended = False  # the server closed its end

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc):
        self.close()

    def _start(self):
        """The server never runs a learner's code, yet carries no environment of drill's either:
        each child it forks shuts itself in (sandbox.py) before the learner's file is read."""
        import tempfile
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            [*self.command, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, cwd="/",
            env=sandbox.environment(tempfile.gettempdir()))
        theirs.close()
        self.sock, self.pending, self.exits, self.ended = ours, b"", {}, False
        self._ask_to_collect()

    def _ask_to_collect(self):
        """Have the server collect drill's suites while it waits for a save (warm_session)."""
        from drill.catalog import every_suite
        suites = self.collect if self.collect is not None else every_suite()
        with suppress(OSError):  # a server already gone is started again by the next launch
            self.sock.sendall(json.dumps({"collect": suites}).encode() + b"\n")

    def close(self):
        if self.proc is not None:
            self.sock.close()  # the server ends when its socket does
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def launch(self, config, limits):
        """Fork a child for `config` under `limits`. A server that died is started again; if
        it cannot serve twice running, a cold child grades instead: slower, and the same."""
        for _ in range(2):
            if self.proc is None or self.proc.poll() is not None:
                self.close()
                self._start()
            try:
                return self._fork(config, limits)
            except OSError:
                self.close()
        return ColdStart().launch(config, limits)

    def _fork(self, config, limits):
        output_r, output_w = os.pipe()
        results_r, results_w = os.pipe()
        claims_r, claims_w = os.pipe()
        request = json.dumps({"config": config, "limits": asdict(limits)}) + "\n"
        try:
            with self.lock:
                try:
                    socket.send_fds(self.sock, [request.encode()], [output_w, results_w, claims_r])
                finally:
                    for theirs in (output_w, results_w, claims_r):
                        os.close(theirs)
                until = time.monotonic() + REPLY_S
                message = self._message(until)
                while message is not None and "pid" not in message:
                    message = self._message(until)
            if message is None:
                raise ConnectionError("the warm grader did not answer")
        except OSError:
            for ours in (output_r, results_r, claims_w):
                os.close(ours)
            raise
        return Launched(Forked(self, message["pid"]), os.fdopen(output_r, "rb", buffering=0),
                        os.fdopen(results_r, "rb", buffering=0),
                        claims=os.fdopen(claims_w, "wb", buffering=0))

    def exit_status(self, pid, timeout):
        """The child's exit code (negative: the signal that killed it), or None while it runs.
        If the server is gone, nobody can tell: the child counts as killed."""
        until = time.monotonic() + timeout
        with self.lock:
            while pid not in self.exits and self._message(until) is not None:
                pass
            if pid not in self.exits and self._gone():
                self.exits[pid] = -signal.SIGKILL
            return self.exits.get(pid)

    def _gone(self):
        return self.proc.poll() is not None

    def _message(self, until):
        """The server's next message (exit statuses are also kept as they come), or None if
        none comes by `until` or the server has gone."""
        while b"\n" not in self.pending:
            left = max(until - time.monotonic(), 0)
            if not select.select([self.sock], [], [], left)[0]:
                return None
            data = self.sock.recv(65536)
            if not data:
                self.ended = True
                return None
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        message = json.loads(line)
        if "exit" in message:
            self.exits[message["exit"]] = message["code"]
        return message


class Forked:
    """A child forked by the server, answering as much of Popen as ChildRun uses."""

    def __init__(self, server, pid):
        self.server, self.pid, self.returncode = server, pid, None

    def poll(self):
        return self.wait(0)

    def wait(self, timeout=REPLY_S):
        if self.returncode is None:
            self.returncode = self.server.exit_status(self.pid, timeout)
        return self.returncode


class Prestarted:
    """Where there is no fork: a cold runner is started ahead of each save, so its imports are
    done by the time the save comes."""

    def __init__(self):
        self.spare = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.spare is not None:
            discard(self.spare)

    def launch(self, config, limits):
        """The save goes to the spare (a run's limits come with its config), then the next
        spare starts."""
        launched = send_config(self.spare or start_runner(), config)
        self.spare = start_runner()
        return launched


def serve(sock, listener=None, idle_s=None, collect=(), keep_fds=()):
    """The server's loop: fork a child for each request, report its pid and, once reaped, its
    exit status, to the connection that asked; collect the suites it is sent while no request
    waits. Watch mode's server has one connection, `sock`, and ends when it closes. A grader
    left behind for a home (resident.py) has a `listener` instead, takes any number of
    connections, one after another or at once, and ends once it has had none and no child for
    `idle_s` seconds. `collect`: suites to collect from the start; `keep_fds`: descriptors of
    the server's own that no child may hold (its lock)."""
    from drill.grader.child import grade_here, ready_to_run_suites
    from drill.grader.profiles import PROFILES
    ready_to_run_suites()  # once for every child
    sys.dont_write_bytecode = True  # the suites are read, never written beside
    sandbox.load()
    _warm_up()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    peers = {} if sock is None else {sock: [b"", []]}  # {connection: [pending bytes, fds held]}
    children = {}  # {pid: the connection that asked for it, None once that one has gone}
    sessions = {}  # {profile: WarmSession}
    to_collect = [(list(collect), profile) for profile in PROFILES] if collect else []
    later = []  # watch mode's: collected once its first grading has ended (see "collect" below)
    quiet_since = time.monotonic()
    while True:
        # Collecting waits for a moment when no request does and no child runs: a save is
        # served first, and its child has the other core to itself.
        timeout = 0 if to_collect and not children else None
        if listener is not None and not peers and not children and not to_collect:
            timeout = max(quiet_since + idle_s - time.monotonic(), 0)
        waiting = [*peers, wake_r, *([listener] if listener is not None else [])]
        ready = select.select(waiting, [], [], timeout)[0]
        if not ready and to_collect and not children:
            _collect(sessions, *to_collect.pop(0))
            quiet_since = time.monotonic()
            continue
        if not ready and timeout is not None:
            return  # left alone for `idle_s`: a grader left behind ends
        if wake_r in ready:
            with suppress(BlockingIOError):  # one byte per signal: one read empties it
                os.read(wake_r, 4096)
            _reap(children)
            if not children:
                to_collect, later = to_collect + later, []
        if listener is not None and listener in ready:
            with suppress(OSError):
                peers[listener.accept()[0]] = [b"", []]
        for peer in [p for p in ready if p in peers]:
            try:
                data, fds, _, _ = socket.recv_fds(peer, 1 << 20, 3)
            except OSError:
                data, fds = b"", []
            if not data:  # the parent is gone (even by kill -9): so are the gradings it wanted
                _drop(peer, peers, children)
                if listener is None:
                    return
                continue
            state = peers[peer]
            state[0], state[1] = state[0] + data, state[1] + fds
            while b"\n" in state[0]:
                line, state[0] = state[0].split(b"\n", 1)
                request = json.loads(line)
                if "collect" in request:
                    # The profile of every save first; the others (the thorough profile, of
                    # a pass's confirmation) once a grading has ended: collected at once, they
                    # held up a first save made a second after watch mode began by 0.1-0.3 s.
                    first, *others = PROFILES
                    to_collect.append((request["collect"], first))
                    later += [(request["collect"], profile) for profile in others]
                    continue
                server_fds = [wake_r, wake_w, *keep_fds, *peers,
                              *([listener] if listener is not None else []),
                              *(fd for other, (_, held) in peers.items() if other is not peer
                                for fd in held)]
                pid = os.fork()
                if pid == 0:
                    _child(grade_here, request, state[1], server_fds,
                           sessions.get(request["config"]["profile"]))
                children[pid] = peer
                for fd in state[1]:
                    os.close(fd)
                state[1] = []
                with suppress(OSError):
                    peer.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        if ready or peers or children:
            quiet_since = time.monotonic()


def _drop(peer, peers, children):
    """A connection closed: kill the children it asked for (reaped as they end), let go of it."""
    for pid, asked in children.items():
        if asked is peer:
            with suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            children[pid] = None
    for fd in peers.pop(peer)[1]:
        os.close(fd)
    peer.close()


def _collect(sessions, suites, profile):
    """Collect `suites` for `profile` once, for every child to come; if pytest will not (a suite
    that does not import, another pytest's internals), each child collects for itself."""
    from drill.grader.warm_session import WarmSession
    with suppress(Exception):
        sessions[profile] = WarmSession(suites, profile)
    _warm_up()  # hypothesis notes the modules imported since (it reads local ones for constants)


def _warm_up():
    """Run a tiny property: what hypothesis imports and builds on first use is then done here,
    once, and not again in every child (pytest's first use is the suites' collection). Then
    freeze what the server holds: the children share it unchanged, and their collections skip it."""
    import gc

    from hypothesis import given, settings, strategies as st

    @settings(database=None, max_examples=5)
    @given(st.floats(allow_nan=False), st.integers(), st.lists(st.booleans()))
    def warm_up(x, n, flags):
        assert x == x

    warm_up()
    gc.freeze()


def _reap(children):
    """Reap every child that has ended; tell the connection that asked for it how it ended."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        peer = children.pop(pid, None)
        if peer is not None:
            message = {"exit": pid, "code": os.waitstatus_to_exitcode(status)}
            with suppress(OSError):  # it may have gone meanwhile
                peer.sendall(json.dumps(message).encode() + b"\n")


def _child(grade_here, request, fds, server_fds, warm):
    """In the forked child: drop the server's ends, take the run's pipes and limits, grade, with
    the suites `warm` collected for the run's profile if they are still the run's."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in server_fds:
            with suppress(OSError):
                os.close(fd if isinstance(fd, int) else fd.fileno())
        os.setsid()
        sandbox.die_with_parent()
        cgroup.join(request["config"]["cgroup"])  # before it starts any process
        sandbox.enter_namespaces()  # the run goes on as PID 1 of its own; this process waits
        output, results, claims = fds
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(output)
        config = request["config"]
        config["results_fd"], config["claims_fd"] = results, claims
        grade_here(config, warm if warm is not None and warm.serves(config) else None)
    finally:
        os._exit(1)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
