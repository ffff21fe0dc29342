"""What a backup costs, and what it does to a verdict it overlaps.

    python benchmarks/backup_cost.py [--attempts 2000,20000] [--runs 5]

For each size of history (history_scale's generator): the database's size, how long a backup
takes (`drill backup`'s own work: copy, check, compress, rotate) and the backup's size. Then
full's quick verdict on the reference, from the warm grader as in watch mode, alone and while an
automatic backup runs in the background (started the moment before the save, the worst case:
a backup is never started between a save and its verdict, but one started after an earlier
verdict may still run), in turn, medians of `--runs`.
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from history_scale import generate, graded_reference

from drill.catalog import get_chunk
from drill.clock import now
from drill.grader.parent import grade
from drill.grader.warm import ForkServer
from drill.learner_file import read
from drill.paths import reference_file
from drill.store import autobackup, backups


def timed(work):
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", default="2000,20000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    full, result = get_chunk("full"), graded_reference()
    print("| attempts | database | backup s | backup | full's verdict alone | while a backup "
          "runs |\n| --- | --- | --- | --- | --- | --- |")
    for size in map(int, args.attempts.split(",")):
        with tempfile.TemporaryDirectory() as folder, ForkServer() as server:
            import os
            os.environ["DRILL_HOME"] = folder
            db = Path(folder, "drill.sqlite3")
            generate(Path(folder), size, result)
            making = statistics.median(timed(lambda: backups.make(db, now()))
                                       for _ in range(args.runs))
            packed = max(Path(folder, "backups").glob("drill-*.gz")).stat().st_size
            verdict = lambda: grade(full, read(reference_file()), "quick", launcher=server)  # noqa: E731
            verdict()  # the server has collected the suites
            alone, beside = [], []
            for _ in range(args.runs):
                alone.append(timed(verdict))
                Path(folder, "backups", backups.STATE).unlink(missing_ok=True)  # one is due
                autobackup.automatic(db)
                beside.append(timed(verdict))
                autobackup.settled()
            print(f"| {size:,} | {db.stat().st_size / 1e6:.1f} MB | {making:.2f} | "
                  f"{packed / 1e6:.1f} MB | {statistics.median(alone):.3f} | "
                  f"{statistics.median(beside):.3f} |")


if __name__ == "__main__":
    main()
