"""How long `drill check` takes, as medians of several runs, printed as tables.

    python benchmarks/check_speed.py [--runs 7] [--hostile]

1. A bare `python -c pass` as the baseline, then `drill check CHUNK` (thorough profile) on the
   reference (passing) and on the chunk's stub (failing: with the failing examples of earlier
   runs in DRILL_HOME, as a learner has them, and from an empty home), for each chunk and full.
2. Every one-bug mutant of each chunk, graded once from an empty home: median and worst.
3. With --hostile, each file of tests/hostile graded once with the default limits: how long it
   takes to end as a failure, and the reason given.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from rich.console import Console
from rich.table import Table

from drill.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "micrograd.py"
CHUNKS = ["ops", "backward", "topo", "nn", "train", "full"]


def timed(command, env):
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done


def median_of(runs, command, env, fresh_home=False):
    """Median, min and max seconds; with `fresh_home`, each run starts with an empty DRILL_HOME,
    so no failing example is replayed from an earlier run (the worst case)."""
    times = []
    for _ in range(runs):
        run_env = {**env, "DRILL_HOME": tempfile.mkdtemp(prefix="drill-home-")} if fresh_home else env
        times.append(timed(command, run_env)[0])
    return statistics.median(times), min(times), max(times)


def interleaved(commands, runs):
    """{label: median seconds} of `commands` ({label: (command, env)}), run in turn `runs`
    times, so that each is measured beside its baseline under the same load, however the
    machine's load moves during the run."""
    times = {label: [] for label in commands}
    for _ in range(runs):
        for label, (command, env) in commands.items():
            seconds, done = timed(command, env)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
            times[label].append(seconds)
    return {label: statistics.median(found) for label, found in times.items()}


def load():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def ratio_table(drill, env, work, runs, chunks=("ops", "full")):
    """`drill check CHUNK --file` cold (no grader up: DRILL_GRADER_IDLE=0), and with the grader
    a check leaves behind, thorough and quick, beside `python -c "import pytest, hypothesis"`,
    all in turn in one run: the bounds are 1.5x the baseline cold (2x for full), and watch
    mode's with a grader up (0.3 s a pass, 0.5 s a failure, quick). Last, `drill graph` on
    the lecture's expression, cold and with the grader up."""
    table = Table(title=f"drill check beside import pytest, hypothesis: medians of {runs} runs "
                        "in turn")
    for column in ("chunk", "file", "import s", "cold s", "cold ×", "reused s", "reused ×",
                   "reused --quick s", "load"):
        table.add_column(column, justify="left" if column in ("chunk", "file") else "right")
    cold_env = {**env, "DRILL_GRADER_IDLE": "0"}
    warm_env = {**env, "DRILL_GRADER_IDLE": "600"}
    baseline = [sys.executable, "-c", "import pytest, hypothesis"]
    subprocess.run([drill, "check", "ops", "--file", str(REFERENCE)], env=warm_env,
                   capture_output=True)  # leaves the grader behind, which the reused rows use
    time.sleep(5)  # it collects the suites
    bug = work / "one_bug.py"
    mutant = next(c for c in load_catalog() if c.name == "backward").mutants()[0]
    bug.write_text(REFERENCE.read_text().replace(mutant["old"], mutant["new"]))
    for chunk in chunks:
        for label, file in (("passes", REFERENCE), ("one bug", bug)):
            check = [drill, "check", chunk, "--file", str(file)]
            before = load()
            found = interleaved({"import": (baseline, env), "cold": (check, cold_env),
                                 "reused": (check, warm_env),
                                 "quick": ([*check, "--quick"], warm_env)}, runs)
            table.add_row(chunk, label, f"{found['import']:.3f}", f"{found['cold']:.3f}",
                          f"{found['cold'] / found['import']:.2f}", f"{found['reused']:.3f}",
                          f"{found['reused'] / found['import']:.2f}", f"{found['quick']:.3f}",
                          f"{before:.1f}-{load():.1f}")
    graph = [drill, "graph", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2", "--file", str(REFERENCE)]
    before = load()
    found = interleaved({"import": (baseline, env), "cold": (graph, cold_env),
                         "reused": (graph, warm_env)}, runs)
    table.add_row("drill graph", "the lecture's", f"{found['import']:.3f}", f"{found['cold']:.3f}",
                  f"{found['cold'] / found['import']:.2f}", f"{found['reused']:.3f}",
                  f"{found['reused'] / found['import']:.2f}", "", f"{before:.1f}-{load():.1f}")
    for lock in (work / "home" / "grader").glob("*.lock"):  # the grader left behind: ended
        with suppress(ValueError, OSError):
            os.kill(int(lock.read_text()), signal.SIGTERM)
    return table


def mutant_table(drill, env, work):
    """Each chunk's one-bug mutants graded once from an empty home: median and worst."""
    table = Table(title="drill check on one-bug mutants of the reference, empty home")
    for column in ("chunk", "mutants", "median s", "max s", "all failed"):
        table.add_column(column, justify="left" if column == "chunk" else "right")
    reference = REFERENCE.read_text()
    for chunk in load_catalog():
        mutants = chunk.mutants()
        if not mutants:
            continue
        times, caught = [], 0
        for mutant in mutants:
            file = work / f"mutant_{chunk.name}.py"
            file.write_text(reference.replace(mutant["old"], mutant["new"]))
            home = {**env, "DRILL_HOME": tempfile.mkdtemp(prefix="drill-home-")}
            seconds, done = timed([drill, "check", chunk.name, "--file", str(file)], home)
            times.append(seconds)
            caught += done.returncode == 1
        table.add_row(chunk.name, str(len(mutants)), f"{statistics.median(times):.2f}",
                      f"{max(times):.2f}", "yes" if caught == len(mutants) else f"{caught}")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--ratios", action="store_true",
                        help="only the table of drill check beside import pytest, hypothesis")
    parser.add_argument("--chunks", default="ops,full", help="with --ratios: these chunks")
    args = parser.parse_args()
    drill = shutil.which("drill") or sys.exit("drill is not on PATH: activate the venv first")
    work = Path(tempfile.mkdtemp(prefix="drill-bench-"))
    env = {**os.environ, "DRILL_HOME": str(work / "home"), "DRILL_GRADER_IDLE": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode written and used, as installed
    if args.ratios:
        Console().print(ratio_table(drill, env, work, args.runs, args.chunks.split(",")))
        shutil.rmtree(work, ignore_errors=True)
        return

    table = Table(title=f"drill check, median of {args.runs} runs ({os.cpu_count()} cores)")
    for column in ("what", "median s", "min s", "max s"):
        table.add_column(column, justify="left" if column == "what" else "right")

    def row(label, command, fresh_home=False):
        med, low, high = median_of(args.runs, command, env, fresh_home)
        table.add_row(label, f"{med:.2f}", f"{low:.2f}", f"{high:.2f}")

    row("python -c pass", [sys.executable, "-c", "pass"])
    for chunk in CHUNKS:
        stub = work / f"{chunk}.py"
        subprocess.run([drill, "stub", chunk, "-o", str(stub), "--force"], env=env, check=True,
                       capture_output=True)
        row(f"check {chunk}, reference (pass)", [drill, "check", chunk, "--file", str(REFERENCE)])
        failing = [drill, "check", chunk, "--file", str(stub)]
        row(f"check {chunk}, its stub (fail)", failing)
        row(f"check {chunk}, its stub (fail, empty home)", failing, fresh_home=True)
    Console().print(table)
    Console().print(mutant_table(drill, env, work))

    if args.hostile:
        hostile = Table(title="hostile files, default limits, graded on ops")
        for column in ("file", "seconds", "passed", "reason"):
            hostile.add_column(column)
        for path in sorted((ROOT / "tests" / "hostile").glob("*.py")):
            seconds, done = timed([drill, "check", "ops", "--file", str(path), "--json"], env)
            result = json.loads(done.stdout)
            reason = result["problem"] or next(t["message"] for t in result["tests"]
                                               if t["status"] != "pass")
            hostile.add_row(path.stem, f"{seconds:.1f}", str(result["passed"]),
                            reason.splitlines()[0][:70])
        Console().print(hostile)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
