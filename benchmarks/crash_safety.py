"""Crash safety and concurrency, with the sandbox on: kill -9 of drill mid-check, and drills at once.

    python benchmarks/crash_safety.py [--kills 105] [--drills 4] [--checks 20]

1. `drill check` is killed (SIGKILL) at a random moment within its usual duration (measured
   first), again and again, on an open attempt whose file changes each time; a check that
   finished in between reports its version. At the end: how many reported versions the store
   lost (must be 0), the database's integrity check, processes of a run still alive, and run
   folders (DRILL_HOME/runs) and half-made copies of the database (DRILL_HOME/backup) left by
   the killed drills once the next drill's check has swept them.
2. `--drills` drills at once in one DRILL_HOME, each checking its one open attempt (a home has
   one at a time) `--checks` times: how many checks failed on a lock (must be 0).
"""
import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from drill.paths import reference_file

DRILL = str(Path(sys.executable).with_name("drill"))


def drill(env, *args, **kwargs):
    return subprocess.run([DRILL, *args], env=env, capture_output=True, text=True, **kwargs)


def run_processes(home):
    """Live processes of this home's runs (their HOME is their run folder), by pid."""
    found, mark = [], f"HOME={home / 'runs'}".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mark in (proc / "environ").read_bytes():
                found.append(proc.name)
        except OSError:
            continue
    return found


def kills(env, home, count):
    drill(env, "start", "topo", "--no-watch")
    path = next((home / "workspace").rglob("*topo*.py"))
    reference = reference_file().read_text()
    reported, killed = set(), 0
    usual = sorted(timed(env, "topo", reference_file()) for _ in range(3))[1]
    for i in range(count):
        content = reference + f"\n# version {i}\n"
        path.write_text(content)
        victim = subprocess.Popen([DRILL, "check", "--json"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        time.sleep(random.uniform(0.02, usual * 1.1))
        if victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            killed += 1
        out = victim.communicate()[0]
        if victim.returncode in (0, 1) and out:
            reported.add(content)
        drill(env, "start", "topo", "--no-watch")  # the open attempt, or (passed) the next
    exported = drill(env, "export").stdout  # every version, as drill itself reads them back
    kept = {content for content in reported if json.dumps(content)[1:-1] in exported}
    db = sqlite3.connect(home / "drill.sqlite3")
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    path.write_text(reference + "\n# the last version\n")
    drill(env, "check")  # sweeps the runs, and (its version recorded) the copies
    time.sleep(0.5)
    left = list((home / "runs").iterdir()) if (home / "runs").exists() else []
    parts = list((home / "backup").glob("*.part")) if (home / "backup").exists() else []
    return (killed, len(reported), len(reported - kept), integrity, len(run_processes(home)),
            len(left), len(parts))


def timed(env, chunk, path):
    """Seconds of one thorough `drill check` of `path`, as the kills will interrupt it (the
    file is given, so that nothing is recorded)."""
    started = time.monotonic()
    drill(env, "check", chunk, "--file", str(path))
    return time.monotonic() - started


def at_once(env, home, drills, checks):
    """`drills` processes grading the home's one open attempt (one at a time is the rule) again
    and again, each check recording a version: every write of theirs meets the others'."""
    drill(env, "start", "ops", "--no-watch")
    script = ("import subprocess\n"
              f"errors = 0\nfor _ in range({checks}):\n"
              f"    done = subprocess.run([{DRILL!r}, 'check', 'ops'], capture_output=True, "
              "text=True)\n"
              "    errors += 'locked' in done.stderr or done.returncode == 2\n"
              "print(errors)\n")
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(drills)]
    errors = sum(int(p.communicate()[0].strip() or 0) for p in procs)
    return drills * checks, errors, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=105)
    parser.add_argument("--drills", type=int, default=4)
    parser.add_argument("--checks", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder, "home")
        env = {**os.environ, "DRILL_HOME": str(home)}
        killed, reported, lost, integrity, alive, left, parts = kills(env, home, args.kills)
        print("| kill -9 of drill check | reported versions | lost | integrity | run processes "
              "alive after | run folders left | half copies left |\n"
              "| --- | --- | --- | --- | --- | --- | --- |")
        print(f"| {killed} | {reported} | {lost} | {integrity} | {alive} | {left} | {parts} |")
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder, "home")
        env = {**os.environ, "DRILL_HOME": str(home)}
        total, errors, seconds = at_once(env, home, args.drills, args.checks)
        print("\n| drills at once | checks | lock errors | seconds |\n| --- | --- | --- | --- |")
        print(f"| {args.drills} | {total} | {errors} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
