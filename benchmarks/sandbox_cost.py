"""What the sandbox costs, and what grading `full` in one child per core gains, as medians.

    python benchmarks/sandbox_cost.py [--runs 9]

For ops and full, on the reference (passes) and a one-bug mutant (fails): the seconds of a quick
grading by the warm grader (watch mode's) and by a cold child (drill check's), with the sandbox
on and forced off (DRILL_SANDBOX=off), measured in turn in the same run; and for full, one child
for all its suites beside one per core. Grading is timed from the call, as the watch loop makes
it right after a save.
"""
import argparse
import os
import statistics
import time

from check_speed import REFERENCE
from feedback_speed import one_bug

from drill.catalog import get_chunk
from drill.grader import parent
from drill.grader.parent import ColdStart, grade
from drill.learner_file import read
from drill.grader.warm import ForkServer

CHILDREN = parent.children


def median_grading(chunk, path, launcher, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = grade(get_chunk(chunk), read(path), "quick", launcher=launcher)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result.passed


def row(chunk, path, runs, sandbox, cores=None):
    os.environ.pop("DRILL_SANDBOX", None)
    if sandbox == "off":
        os.environ["DRILL_SANDBOX"] = "off"
    parent.children = (lambda suites: cores) if cores else CHILDREN
    with ForkServer() as warm:
        time.sleep(3)  # the server's imports and its collection of the suites (1.5 s on a
        #                slow 2-core VM), done before a learner's first save
        warm_s, passed = median_grading(chunk, path, warm, runs)
    cold_s, _ = median_grading(chunk, path, ColdStart(), max(3, runs // 2))
    return warm_s, cold_s, passed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    import tempfile
    folder = tempfile.mkdtemp()
    os.environ["DRILL_HOME"] = folder
    mutant = os.path.join(folder, "one_bug.py")
    print("| chunk | file | sandbox | children | warm quick verdict | cold quick verdict |")
    print("| --- | --- | --- | --- | --- | --- |")
    for chunk in ("ops", "full"):
        with open(mutant, "w", encoding="utf-8") as f:
            f.write(one_bug(chunk))
        for label, path in (("passes", str(REFERENCE)), ("one bug", mutant)):
            cases = [("on", None), ("off", None)] + ([("on", 1)] if chunk == "full" else [])
            for sandbox, cores in cases:
                warm_s, cold_s, passed = row(chunk, path, runs, sandbox, cores)
                children = "1" if cores == 1 or chunk != "full" else "one per core"
                assert passed == (label == "passes"), (chunk, label, sandbox)
                print(f"| {chunk} | {label} | {sandbox} | {children} | {warm_s:.3f} | "
                      f"{cold_s:.3f} |", flush=True)


if __name__ == "__main__":
    main()
