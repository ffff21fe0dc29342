"""Confine the grader's child with the kernel's own mechanisms, and say which ones this machine has.

The learner's file runs in a child that, on Linux, is shut in by:

- `files` (Landlock): it may write only its run's folder, and read only Python, the libraries it
  loads, drill's grading code and the suites: not DRILL_HOME, the workspace, the reference, or
  anything else of the user's. No TCP either.
- `signals` (Landlock scoping, Linux 6.12+): it cannot signal a process outside its own run.
- `sockets` (seccomp): it cannot make a socket at all, so no named Unix socket and no UDP
  (which Landlock governs only from ABI 9 and 10), nor io_uring, memfd, SysV IPC or POSIX
  message queues, which would hold memory outside its address space.
- `processes` (user + PID namespaces): the run is PID 1 of a namespace of its own, so when it ends,
  the kernel ends every process it started, `setsid` daemons included, and the process bound
  (RLIMIT_NPROC) holds even for root.
- `ipc`, `network` (IPC and network namespaces): no SysV object or message queue of the run
  outlives it or meets another program's; no interface but a loopback that is down.
- `run folder` (a mount namespace): the run writes in a tmpfs of its own, bounded in bytes and
  files, which vanishes with it; nothing it writes reaches the disk.
- `memory` (cgroup v2, cgroup.py): memory and processes bounded for the whole run, not each
  process, and everything in it killed at its end.
- `parent death` (PR_SET_PDEATHSIG): the run dies with drill, even under kill -9.
- `limits` (rlimits): memory, file size, processes, open files, per process.

Landlock comes from `landlockpy` (a binding of the syscalls, every ABI up to 11, signal scoping
included); the namespaces, mounts, prctl and the seccomp filter are a few libc calls, written
here because no binding on PyPI covers them without a C library of its own. What is missing
(another kernel, macOS, user namespaces disabled) is left off and named, once, by `problems()`;
`DRILL_SANDBOX=off` forces everything off, for the tests.
"""
import ctypes
import errno
import os
import resource
import signal
import sys
from contextlib import suppress
from dataclasses import dataclass

from drill.grader.switch import forced_off

CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET = 0x00020000, 0x08000000, 0x40000000
SPACES = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV = 0x4000, 0x40000, 0x2, 0x4
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 22, 2
FILE_BYTES = 64 * 1024 ** 2  # one file: a learner's code needs none
PROCESSES = 64               # the run's tasks (threads count), in its own user namespace
PIDS = 301                   # the least pid_max a PID namespace takes: it binds root too
OPEN_FILES = 256
FOLDER = "size=32m,nr_inodes=4096,mode=700"  # the run's tmpfs: 32 MiB in 4,096 files at most


@dataclass(frozen=True)
class Protection:
    name: str
    on: bool
    reason: str


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
    """Which namespaces this process may make: SPACES, user and PID alone, or none (0); tried
    in a throwaway child, which also mounts a tmpfs as a run would."""
    if not sys.platform.startswith("linux"):
        return 0
    uid, gid = os.getuid(), os.getgid()
    for flags in (SPACES, CLONE_NEWUSER | CLONE_NEWPID):
        pid = os.fork()
        if pid == 0:
            works = False
            try:
                works = _LIBC.unshare(flags) == 0
                if works and flags == SPACES:
                    _map_ids(uid, gid)
                    works = _mount_private(os.path.dirname(os.__file__))
            finally:
                os._exit(0 if works else 1)
        if os.waitpid(pid, 0)[1] == 0:
            return flags
    return 0


def protections():
    """Each protection, on or off on this machine, with the reason."""
    if forced_off():
        why = "forced off (DRILL_SANDBOX=off)"
        return [Protection(name, False, why) for name in NAMES]
    from drill.grader import cgroup
    linux = sys.platform.startswith("linux")
    abi = _landlock_abi() if linux else 0
    spaces = _namespaces_work()
    full = spaces == SPACES
    no_landlock = ("not Linux" if not linux else "the landlockpy package is missing or the "
                   "kernel has no Landlock (Linux 5.13+, enabled at boot)")
    no_spaces = "user namespaces are not available to this user"
    partly = "this kernel lets this user make user and PID namespaces only"
    filtered = seccomp_works()
    memory, why_not = cgroup.base()
    return [
        Protection("files", abi >= 1, f"Landlock ABI {abi}" if abi else no_landlock),
        Protection("signals", abi >= 6, f"Landlock ABI {abi} scopes signals" if abi >= 6 else
                   f"Landlock ABI {abi} cannot scope signals (needs 6: Linux 6.12+)"),
        Protection("sockets", filtered, "seccomp: no socket (Unix, UDP or TCP), io_uring, memfd "
                   "or SysV IPC" if filtered else "no seccomp filter on this kernel or machine "
                   "(x86-64 and arm64 only): named Unix sockets and UDP are open"),
        Protection("processes", bool(spaces), "user and PID namespaces, at most 300 processes"
                   if spaces else no_spaces),
        Protection("ipc", full, "an IPC namespace: SysV objects and message queues end with "
                   "the run" if full else partly if spaces else no_spaces),
        Protection("network", full, "a network namespace: no interface but a loopback that is "
                   "down" if full else partly if spaces else no_spaces),
        Protection("run folder", full, "a tmpfs of 32 MiB and 4,096 files in the run's mount "
                   "namespace, gone with it" if full else
                   (partly if spaces else no_spaces) + ": the run writes in DRILL_HOME/runs"),
        Protection("memory", memory is not None, f"a cgroup v2 per run under {memory}: "
                   "2 GiB and 64 processes for the whole run" if memory else why_not +
                   ": memory is bounded per process (2 GiB each), not per run"),
        Protection("parent death", linux, "PR_SET_PDEATHSIG" if linux else "not Linux"),
        Protection("limits", True, "rlimits on memory, file size, processes and open files"),
    ]


NAMES = ("files", "signals", "sockets", "processes", "ipc", "network", "run folder", "memory",
         "parent death", "limits")


def problems():
    """A sentence naming the protections that are off, or '': said before each grading. Not
    `memory`: a cgroup per run is missing on most machines that are not a desktop session of
    systemd's, where the per-process limits still hold; `drill doctor` says so, once asked."""
    return "; ".join(f"{name}: {reason}" for name, reason in off())


def off():
    """[(name, reason)] of the protections that are off, `memory` aside (problems). Worked out
    once per boot and kept in DRILL_HOME/cache: trying the namespaces and the filter forks
    throwaway children, 0.05 to 0.1 s of every check. (Each run still shuts itself in with
    whatever the kernel allows: this is what drill says, and whether it leaves a grader behind.)"""
    from drill.grader.collection import read_cache, write_cache
    name = _kept_name()
    kept = read_cache(name) if name else None
    with suppress(ValueError, TypeError):  # none kept yet (None), or not a list of pairs
        return [(str(what), str(reason)) for what, reason in kept]
    found = [(p.name, p.reason) for p in protections() if not p.on and p.name != "memory"]
    if name is not None:
        with suppress(OSError):
            write_cache(name, found)
    return found


def _kept_name():
    """The name off() keeps its answer under, for this boot, interpreter and switch; None where
    the machine has no boot id."""
    import hashlib
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
    except OSError:
        return None
    key = hashlib.sha256(f"{boot}\0{sys.executable}\0{forced_off()}\0{os.getuid()}".encode())
    return f"sandbox-{key.hexdigest()[:16]}.json"


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
    global _entered
    if forced_off() or not sys.platform.startswith("linux"):
        return
    uid, gid = os.getuid(), os.getgid()
    for flags in (SPACES, CLONE_NEWUSER | CLONE_NEWPID):
        if _LIBC.unshare(flags) == 0:
            _entered = flags
            break
    else:
        return
    _map_ids(uid, gid)
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        with suppress(OSError):  # Linux 6.14+: a namespace's own bound on its processes
            with open("/proc/sys/kernel/pid_max", "w") as f:
                f.write(str(PIDS))
        return
    _stand_in(pid)


_entered = 0  # the namespaces this process entered (enter_namespaces)


def _map_ids(uid, gid):
    """Be in the new user namespace who this user is outside it."""
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def _mount_private(folder):
    """Make this mount namespace's mounts its own, then a bounded tmpfs over `folder`."""
    return _LIBC.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0 and \
        _LIBC.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", MS_NOSUID | MS_NODEV,
                    FOLDER.encode()) == 0


def private_folder(folder):
    """Put a tmpfs of the run's own over its `folder`, where this process entered a mount
    namespace; what it writes there then never reaches drill's folder, and vanishes with the
    run. Returns whether it did."""
    return bool(_entered & CLONE_NEWNS) and _mount_private(folder)


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


# Per architecture (the audit number seccomp sees): the system calls a run is refused, none of
# which Python, pytest or hypothesis make while grading: socket, io_uring_setup, memfd_create,
# memfd_secret, shmget, msgget, semget, mq_open. x86-64's x32 calls are refused too.
REFUSED = {0xC000003E: (41, 425, 319, 447, 29, 68, 64, 240),
           0xC00000B7: (198, 425, 279, 447, 194, 186, 190, 180)}
_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}.get(os.uname().machine) \
    if hasattr(os, "uname") else None


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def _seccomp_program():
    """The filter, in classic BPF: another architecture's calls and those of REFUSED fail with
    EACCES, everything else is allowed (Landlock and the namespaces bound the rest)."""
    load, jump_eq, jump_ge, give = 0x20, 0x15, 0x35, 0x06
    allow, refuse = 0x7FFF0000, 0x00050000 | errno.EACCES
    calls = REFUSED[_ARCH]
    refusing = 4 + len(calls) + 1  # the index of the last instruction, which refuses
    code = [(load, 0, 0, 4), (jump_eq, 0, refusing - 2, _ARCH), (load, 0, 0, 0),
            (jump_ge, refusing - 4, 0, 0x40000000)]
    for n, call in enumerate(calls):
        code.append((jump_eq, refusing - (5 + n), 0, call))
    code += [(give, 0, 0, allow), (give, 0, 0, refuse)]
    return (_Filter * len(code))(*code)


def filter_calls():
    """Refuse the run the system calls of REFUSED, for good (no_new_privs first, as seccomp
    requires). Returns whether it did."""
    if forced_off() or _ARCH is None or _LIBC is None:
        return False
    code = _seccomp_program()
    program = _Program(len(code), code)
    return _LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 and \
        _LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) == 0


def seccomp_works():
    """Whether the filter takes here: tried in a throwaway child, which then fails to make a
    socket."""
    if _ARCH is None or not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:
        import socket
        refused = False
        try:
            if filter_calls():
                socket.socket(socket.AF_UNIX)
        except PermissionError:
            refused = True
        finally:
            os._exit(0 if refused else 1)
    return os.waitpid(pid, 0)[1] == 0


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
