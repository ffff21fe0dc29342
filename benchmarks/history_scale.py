"""How the read commands fare with a long history, as medians of several runs, in one table.

    python benchmarks/history_scale.py [--runs 15] [--sizes 0,1000,10000,100000]

For each size, a fresh DRILL_HOME gets a generated history of that many finished practice
attempts spread over four years (each with one graded version: the reference with a line of
its own, and the thorough result of grading the reference), written straight into the store
with executemany rather than through the CLI (0: an empty home). Then `drill list`, `today`,
`stats`, `stats ops` and `history` are timed in turn with `python -c "import click"`, round
after round, so that each ratio is of medians measured under the same load. drill's bounds:
`list` within 2x the baseline, the others within 3x. Python's bytecode is written and used
(PYTHONDONTWRITEBYTECODE is dropped), as in an installed drill.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
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
COMMANDS = [["list"], ["today"], ["stats"], ["stats", "ops"], ["history"]]
BOUNDS = {"list": 2.0}  # the others: 3x


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


def main():
    from check_speed import interleaved, load
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sizes", default="0,1000,10000,100000")
    args = parser.parse_args()
    drill = str(Path(sys.executable).with_name("drill"))
    result = graded_reference()
    table = Table(title=f"read commands at any history size (medians of {args.runs} runs in "
                        "turn, s; × import click)")
    for column in ("attempts", "import click", *(" ".join(c) for c in COMMANDS), "load", "MB"):
        table.add_column(column, justify="right")
    for size in (int(n) for n in args.sizes.split(",")):
        home = Path(tempfile.mkdtemp(prefix="drill-scale-"))
        try:
            if size:
                generate(home, size, result)
            env = {**os.environ, "DRILL_HOME": str(home), "DRILL_NOW": NOW.isoformat(),
                   "NO_COLOR": "1", "COLUMNS": "80"}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            for command in COMMANDS:  # builds the cards, writes the bytecode
                subprocess.run([drill, *command], env=env, capture_output=True)
            before = load()
            found = interleaved({"click": ([sys.executable, "-c", "import click"], env),
                                 **{" ".join(c): ([drill, *c], env) for c in COMMANDS}},
                                args.runs)
            cells = []
            for command in COMMANDS:
                name = " ".join(command)
                ratio = found[name] / found["click"]
                over = ratio > BOUNDS.get(name, 3.0)
                cells.append(f"{found[name]:.3f} ({ratio:.1f}x{' over' if over else ''})")
            megabytes = (home / "drill.sqlite3").stat().st_size / 1e6
            table.add_row(f"{size:,}", f"{found['click']:.3f}", *cells,
                          f"{before:.1f}-{load():.1f}", f"{megabytes:.1f}")
        finally:
            shutil.rmtree(home)
    Console().print(table)


if __name__ == "__main__":
    main()
