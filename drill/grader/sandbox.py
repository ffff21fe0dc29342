"""Confine the grader's child with the kernel's own mechanisms, and say which ones this machine has.

The learner's file runs in a child that, on Linux, is shut in by:

- `files` (Landlock): it may write only its run's folder (and hypothesis' example database), and
  read only Python, the libraries it loads, drill's grading code and the suites: not DRILL_HOME,
  the workspace, the reference, or anything else of the user's. No network either.
- `signals` (Landlock scoping, Linux 6.12+): it cannot signal a process outside its own run.
- `processes` (user + PID namespaces): the run is PID 1 of a namespace of its own, so when it ends,
  the kernel ends every process it started, `setsid` daemons included, and the process bound
  (RLIMIT_NPROC) holds even for root.
- `parent death` (PR_SET_PDEATHSIG): the run dies with drill, even under kill -9.
- `limits` (rlimits): file size, processes, open files.

Landlock comes from `landlockpy` (a binding of the syscalls, every ABI up to 11, signal scoping
included); the namespaces and prctl are a few libc calls, written here because no binding on
PyPI covers them. What is missing (another kernel, macOS, user namespaces disabled) is left off
and named, once, by `problems()`; `DRILL_SANDBOX=off` forces everything off, for the tests.
"""
import ctypes
import os
import resource
import signal
import sys
from contextlib import suppress
from dataclasses import dataclass

CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
PR_SET_PDEATHSIG = 1
FILE_BYTES = 64 * 1024 ** 2  # one file: hypothesis' examples are a few bytes, a learner's none
PROCESSES = 64               # the run's tasks (threads count), in its own user namespace
PIDS = 301                   # the least pid_max a PID namespace takes: it binds root too
OPEN_FILES = 256


@dataclass(frozen=True)
class Protection:
    name: str
    on: bool
    reason: str


def forced_off():
    return os.environ.get("DRILL_SANDBOX") == "off"


# Loaded here, in drill, before any fork: a child between fork and exec must not dlopen.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def load():
    """Load, before the warm grader forks, what shutting a child in needs: landlockpy finds and
    opens libc on its first call (`find_library` runs ldconfig), 3 ms of every child otherwise."""
    _landlock_abi()


def _landlock_abi():
    try:
        import landlockpy
    except ImportError:
        return 0
    return landlockpy.abi_version()


def _namespaces_work():
    """Whether this process may make a user + PID namespace: tried in a throwaway child."""
    if not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:
        os._exit(0 if _LIBC.unshare(CLONE_NEWUSER | CLONE_NEWPID) == 0 else 1)
    return os.waitpid(pid, 0)[1] == 0


def protections():
    """Each protection, on or off on this machine, with the reason."""
    if forced_off():
        why = "forced off (DRILL_SANDBOX=off)"
        return [Protection(name, False, why) for name in NAMES]
    linux = sys.platform.startswith("linux")
    abi = _landlock_abi() if linux else 0
    spaces = _namespaces_work()
    no_landlock = ("not Linux" if not linux else "the landlockpy package is missing or the "
                   "kernel has no Landlock (Linux 5.13+, enabled at boot)")
    return [
        Protection("files", abi >= 1, f"Landlock ABI {abi}" if abi else no_landlock),
        Protection("signals", abi >= 6, f"Landlock ABI {abi} scopes signals" if abi >= 6 else
                   f"Landlock ABI {abi} cannot scope signals (needs 6: Linux 6.12+)"),
        Protection("processes", spaces, "user and PID namespaces, at most 300 processes"
                   if spaces else
                   "user namespaces are not available to this user"),
        Protection("parent death", linux, "PR_SET_PDEATHSIG" if linux else "not Linux"),
        Protection("limits", True, "rlimits on file size, processes and open files"),
    ]


NAMES = ("files", "signals", "processes", "parent death", "limits")


def problems():
    """A sentence naming the protections that are off, or ''."""
    off = [p for p in protections() if not p.on]
    return "; ".join(f"{p.name}: {p.reason}" for p in off)


def environment(workdir):
    """The child's whole environment: nothing of drill's (no DRILL_HOME), nothing of the user's."""
    env = {"PATH": os.defpath, "LC_ALL": "C.UTF-8", "HOME": workdir, "TMPDIR": workdir,
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    if forced_off():
        env["DRILL_SANDBOX"] = "off"
    return env


def die_with_parent():
    """Be killed when the process (thread) that started this one ends, kill -9 included."""
    if sys.platform.startswith("linux") and not forced_off():
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def enter_namespaces():
    """Go on as PID 1 of a new PID namespace, in a user namespace of its own.

    The calling process stays outside as a stand-in: it lets go of every file and pipe, waits,
    and ends as the run ends (killed by the same signal), so whoever watches it sees the run's
    own status. When it dies, the run dies with it (PDEATHSIG), and when the run, PID 1, dies,
    the kernel kills whatever the run started. Without namespaces, does nothing."""
    if forced_off() or not sys.platform.startswith("linux"):
        return
    uid, gid = os.getuid(), os.getgid()
    if _LIBC.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
        return
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        with suppress(OSError):  # Linux 6.14+: a namespace's own bound on its processes
            with open("/proc/sys/kernel/pid_max", "w") as f:
                f.write(str(PIDS))
        return
    _stand_in(pid)


def _stand_in(pid):
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, 65536)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def set_limits(memory_bytes, cpu_s):
    """The run's rlimits: memory, CPU time and no core file always; file size, processes and
    open files unless forced off. RLIMIT_NPROC is set after the namespace is made: set before,
    the new namespace would count every process the user has on the machine against it."""
    bounds = [(resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CORE, 0)]
    if not forced_off():
        bounds += [(resource.RLIMIT_FSIZE, FILE_BYTES), (resource.RLIMIT_NOFILE, OPEN_FILES),
                   (resource.RLIMIT_NPROC, PROCESSES)]
    for kind, value in bounds:
        resource.setrlimit(kind, (value, value))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def readable(hidden, suites=()):
    """The trees a run may read, none holding a path of `hidden` (DRILL_HOME, the reference...):
    Python's own, its site-packages, the system's libraries, drill's package, the chunks, and
    the folders of the `suites` it runs (the parent's, which may be a checkout's)."""
    from drill.paths import PACKAGE, chunks_dir
    checkout = os.path.dirname(PACKAGE)
    roots = {os.path.dirname(os.__file__), sys.base_prefix + "/lib", sys.prefix + "/lib",
             "/lib", "/lib64", "/usr/lib", "/usr/lib64", PACKAGE, chunks_dir(), *suites}
    roots |= {p for p in sys.path if os.path.isdir(p) and os.path.realpath(p) != checkout}
    allowed = []
    for root in sorted(r for r in map(os.path.realpath, roots) if os.path.isdir(r)):
        allowed += _beside(root, [h for h in hidden if _under(h, root)])
    return allowed


def _under(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def _beside(root, hidden):
    """`root` as a list of (path, whole tree?) that covers all of it but `hidden`: a hidden tree's
    ancestors may be listed, never read whole."""
    if not hidden:
        return [(root, True)]
    if root in hidden:
        return []
    found = [(root, False)]
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            found += _beside(path, [h for h in hidden if _under(h, path)])
        else:
            found.append((path, True))
    return found


def landlock(writable, hidden, suites=()):
    """Shut this process and all it starts in: read what `readable(hidden, suites)` names, write only the
    folders `writable`, no network, no signal beyond its own domain. Returns whether it did."""
    if forced_off() or _landlock_abi() < 1:
        return False
    from landlockpy import AccessFS, Ruleset, Scope
    from drill.paths import data_root
    # The parent names what to hide; the reference of the drill running here is hidden too,
    # should the parent's be another (a checkout's tests run beside an installed drill).
    hidden = [*hidden, os.path.realpath(os.path.join(data_root(), "reference"))]
    read = AccessFS.READ_FILE | AccessFS.EXECUTE
    with Ruleset(scoped=Scope.SIGNAL | Scope.ABSTRACT_UNIX_SOCKET) as rules:
        for path, tree in readable(hidden, suites):  # a file's rule may not name a folder's rights
            rules.allow_path(path, AccessFS.READ_DIR if not tree else
                             read | AccessFS.READ_DIR if os.path.isdir(path) else read)
        for path in writable:
            rules.allow_path(path, ~AccessFS.NONE)
        rules.allow_path(os.devnull, AccessFS.READ_FILE | AccessFS.WRITE_FILE)
        rules.allow_path("/dev/urandom", AccessFS.READ_FILE)
        rules.restrict()
    return True
