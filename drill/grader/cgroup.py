"""A cgroup v2 for each run, where this user may make one: memory and processes bounded for the
whole run rather than for each process (three forks of 1.5 GiB, or memfd and tmpfs pages, count
together), and everything in it killed at once when the run ends.

A run's group is made beside drill's own, in the nearest cgroup above it that enables the memory
and pids controllers for its children and lets this user make folders and move processes there:
a tree delegated to the user (systemd delegates user@.service's to its user, so a desktop
session's terminals have one), or any, for root. The parent makes the group and sets its limits
(`RunGroup`), the child moves itself in (`join`) before it starts anything, and the parent kills
and removes the group after the run. Where there is no such cgroup (cgroup v1 or hybrid
hierarchies, a session not delegated to its user), `base()` says why and runs go without.
"""
import os
import time
from contextlib import suppress
from pathlib import Path

NEEDED = ("memory", "pids")
PREFIX = "drill-run-"


def _mount():
    """Where cgroup v2 is mounted, or None."""
    with suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            before, _, after = line.partition(" - ")
            if after.split(" ")[0] == "cgroup2":
                return Path(before.split(" ")[4])
    return None


def _own():
    """This process's cgroup v2, as a path under the mount ("/user.slice/..."), or None."""
    with suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return line[3:]
    return None


def base(mount=None, own=None, needed=NEEDED):
    """(the cgroup runs' groups are made in, '') or (None, why there is none)."""
    mount = mount or _mount()
    own = own if own is not None else _own()
    if mount is None or own is None:
        return None, "no cgroup v2 here"
    with suppress(OSError):
        offered = (mount / "cgroup.controllers").read_text().split()
        if not set(needed) <= set(offered):
            return None, ("cgroup v2 here has no memory or pids controller (a cgroup v1 or "
                          "hybrid hierarchy holds them)")
    folder = mount / own.strip("/")
    while True:
        try:
            enabled = (folder / "cgroup.subtree_control").read_text().split()
        except OSError:
            enabled = []
        if set(needed) <= set(enabled) and os.access(folder, os.W_OK | os.X_OK) and \
                os.access(folder / "cgroup.procs", os.W_OK):
            return folder, ""
        if folder == mount:
            return None, ("no cgroup above drill's own delegates memory and pids to this user "
                          "(a systemd desktop session does)")
        folder = folder.parent


class RunGroup:
    """One run's cgroup: made with its limits, then killed and removed by `end`. Its `path` is
    None where there is no cgroup to make it in, or it could not be made."""

    made = 0

    def __init__(self, memory_bytes, processes, where=None):
        self.path = None
        where = where or _base_once()
        if where is None:
            return
        RunGroup.made += 1
        path = where / f"{PREFIX}{os.getpid()}-{RunGroup.made}"
        try:
            path.mkdir()
        except OSError:
            return
        self.path = path
        try:
            for name, value in (("memory.max", memory_bytes), ("pids.max", processes)):
                (path / name).write_text(str(value))
        except OSError:  # a group without its limits bounds nothing: go without
            self.end()
            return
        with suppress(OSError):  # where swap is accounted, none of it
            (path / "memory.swap.max").write_text("0")

    def end(self):
        """Kill every process left in the group and remove it; never raises."""
        if self.path is None:
            return
        kill(self.path)
        self.path = None


def kill(path, within=1.0):
    """Kill what is left in the cgroup at `path`, then remove it once it is empty."""
    with suppress(OSError):
        (path / "cgroup.kill").write_text("1")
    until = time.monotonic() + within
    while True:
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > until:
                return False
            time.sleep(0.005)


def join(path):
    """Move this process into the run's cgroup `path` (a str, or None for none): every process
    it starts from now on is counted there. Called by the child before it starts any; should
    the kernel refuse, the run goes on with its per-process limits."""
    if path:
        with suppress(OSError), open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))


def sweep(alive):
    """Remove the groups of drills no longer `alive` (kill -9); never raises."""
    where = _base_once()
    if where is None:
        return
    with suppress(OSError):
        for group in where.glob(PREFIX + "*"):
            pid = group.name[len(PREFIX):].split("-")[0]
            if pid.isdigit() and len(pid) < 10 and not alive(int(pid)):
                kill(group, within=0)


_found = []


def _base_once():
    """`base()`, worked out once per process."""
    if not _found:
        from drill.grader.switch import forced_off
        _found.append(None if forced_off() else base()[0])
    return _found[0]
