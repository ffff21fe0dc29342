"""How the read commands fare with a long history, as medians of several runs, in one table.

    python benchmarks/history_scale.py [--runs 5] [--sizes 1000,10000,100000]

For each size, a fresh DRILL_HOME gets a generated history of that many finished practice
attempts spread over four years (each with one graded version: the reference with a line of
its own, and the thorough result of grading the reference), written straight into the store
with executemany rather than through the CLI. Then `drill today`, `drill stats`,
`drill stats ops` and `drill history` are timed beside `python -c "import click"`, measured in
the same run, with the database's size. drill aims for every read command within 4x the
baseline.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from drill.catalog import load_catalog
from drill.store import Store
from drill.store.texts import pack

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "micrograd.py"
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=timezone.utc)
YEARS = 4
COMMANDS = [["today"], ["stats"], ["stats", "ops"], ["history"]]


def graded_reference():
    """The thorough result of grading the reference on ops, packed as the store keeps it."""
    from drill.grader.parent import grade
    from drill.learner_file import read
    ops = next(c for c in load_catalog() if c.name == "ops")
    return pack(json.dumps(grade(ops, read(REFERENCE), "thorough").to_dict()))


def generate(home, size, result):
    """`size` finished practice attempts ending before NOW, each with one graded version."""
    store = Store(home / "drill.sqlite3")
    names = [c.name for c in load_catalog() if c.name != "full"]
    reference = REFERENCE.read_text(encoding="utf-8")
    rng = random.Random(size)
    step = YEARS * 365 * 86400 / size
    first = NOW - timedelta(days=YEARS * 365)
    attempts, versions = [], []
    for i in range(1, size + 1):
        ended = first + timedelta(seconds=i * step)
        active = rng.uniform(90, 900)
        outcome = "passed" if rng.random() < 0.75 else "failed"
        chunk = names[i % len(names)]
        attempts.append((i, chunk, "practice", f"{home}/workspace/{chunk}.py",
                         (ended - timedelta(seconds=active)).isoformat(), ended.isoformat(),
                         active, outcome, rng.randint(0, 1), 1))
        versions.append((i, i, ended.isoformat(), "check", i, int(outcome == "passed"), result,
                         pack(f"{reference}# attempt {i}\n")))
    with store.transaction():
        store.db.executemany("INSERT INTO attempts (id, chunk, kind, file, started_at, ended_at, "
                             "active_s, outcome, hints_used, checks) VALUES (?, ?, ?, ?, ?, ?, "
                             "?, ?, ?, ?)", attempts)
        store.db.executemany("INSERT INTO texts (id, packed) VALUES (?, ?)",
                             [(v[0], v[7]) for v in versions])
        store.db.executemany("INSERT INTO snapshots (id, attempt_id, taken_at, reason, text_id, "
                             "passed, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [v[:7] for v in versions])
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def median_s(command, env, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    drill = str(Path(sys.executable).with_name("drill"))
    result = graded_reference()
    table = Table(title=f"read commands at any history size (median of {args.runs} runs, s)")
    for column in ("attempts", "import click", "today", "stats", "stats ops", "history",
                   "worst / click", "MB"):
        table.add_column(column, justify="right")
    for size in (int(n) for n in args.sizes.split(",")):
        home = Path(tempfile.mkdtemp(prefix="drill-scale-"))
        try:
            generate(home, size, result)
            env = {**os.environ, "DRILL_HOME": str(home), "DRILL_NOW": NOW.isoformat(),
                   "NO_COLOR": "1", "COLUMNS": "80"}
            subprocess.run([drill, "today"], env=env, capture_output=True)  # builds the cards
            baseline = median_s([sys.executable, "-c", "import click"], env, args.runs)
            figures = [median_s([drill, *command], env, args.runs) for command in COMMANDS]
            megabytes = (home / "drill.sqlite3").stat().st_size / 1e6
            table.add_row(f"{size:,}", f"{baseline:.3f}", *(f"{t:.3f}" for t in figures),
                          f"{max(figures) / baseline:.1f}x", f"{megabytes:.1f}")
        finally:
            shutil.rmtree(home)
    Console().print(table)


if __name__ == "__main__":
    main()
