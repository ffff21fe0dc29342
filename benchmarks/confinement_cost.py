"""What shutting a child in costs, step by step, timed inside forked children, as medians.

    python -I benchmarks/confinement_cost.py [--runs 21]

Each step as a grading's child takes it (sandbox.py): the namespaces (user and PID, as before
issue 29, beside user, PID, IPC, network and mount, as now), the run folder's tmpfs, the
Landlock ruleset, the seccomp filter; in milliseconds, the two rows measured in turn in the same
run. Run it with -I, as the child runs: a script's folder on sys.path would be one more tree
for Landlock to walk.
"""
import argparse
import json
import os
import statistics
import tempfile
import time

from drill.grader import sandbox

STEPS = ("namespaces", "run folder", "Landlock", "seccomp")


def confined(full, runs_folder):
    """The seconds of each step in a fresh child: everything when `full`, else user and PID
    namespaces and Landlock alone."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        times, started = [], time.perf_counter()

        def lap():
            nonlocal started
            now = time.perf_counter()
            times.append(now - started)
            started = now

        if full:
            sandbox.enter_namespaces()
        else:
            uid, gid = os.getuid(), os.getgid()
            sandbox._LIBC.unshare(sandbox.CLONE_NEWUSER | sandbox.CLONE_NEWPID)
            sandbox._map_ids(uid, gid)
            if os.fork():
                os.wait()
                os._exit(0)
        lap()
        folder = tempfile.mkdtemp(dir=runs_folder)
        if full:
            sandbox.private_folder(folder)
        lap()
        sandbox.landlock([folder], [runs_folder])
        lap()
        if full:
            sandbox.filter_calls()
        lap()
        os.write(write, json.dumps(times).encode())
        os._exit(0)
    os.close(write)
    data = os.read(read, 4096)
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    sandbox.load()
    runs_folder = tempfile.mkdtemp()
    print(f"| confinement | {' | '.join(STEPS)} | all (ms) |")
    print("| --- |" + " --- |" * (len(STEPS) + 1))
    samples = {False: [], True: []}
    for _ in range(runs):
        for full in (False, True):
            samples[full].append(confined(full, runs_folder))
    for full, name in ((False, "user + PID namespaces, Landlock"),
                       (True, "user, PID, IPC, network, mount; tmpfs; Landlock; seccomp")):
        medians = [statistics.median(step) * 1000 for step in zip(*samples[full])]
        total = statistics.median(sum(one) for one in samples[full]) * 1000
        print(f"| {name} | " + " | ".join(f"{m:.2f}" for m in medians) + f" | {total:.2f} |")


if __name__ == "__main__":
    main()
