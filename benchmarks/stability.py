"""Are verdicts stable? Grades correct files many times and counts how often each passes.

    python benchmarks/stability.py [--runs 100] [--profile thorough] [FILE ...]

Without FILEs: the reference and every file of tests/corpus/correct, on `full`. A correct file
must pass every run; any run that does not is printed with its failures. Runs are forked by the
warm grader, as in watch mode.
"""
import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from rich.console import Console

from drill.catalog import get_chunk
from drill.grader.parent import grade
from drill.learner_file import read
from drill.grader.warm import launcher
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--profile", default="thorough", choices=["quick", "thorough"])
    parser.add_argument("--chunk", default="full")
    args = parser.parse_args()
    files = args.files or [ROOT / "reference" / "micrograd.py",
                           *sorted((ROOT / "tests" / "corpus" / "correct").glob("*.py"))]
    os.environ["DRILL_HOME"] = tempfile.mkdtemp(prefix="drill-stability-")
    chunk = get_chunk(args.chunk)
    console = Console()
    table = Table(title=f"{args.chunk}, {args.profile} profile, {args.runs} runs each")
    for column in ("file", "passed", "failed tests"):
        table.add_column(column)
    unstable = False
    with launcher() as grader:
        for path in files:
            unstable |= stability_row(table, console, chunk, path, args, grader)
    console.print(table)
    sys.exit(1 if unstable else 0)


def stability_row(table, console, chunk, path, args, grader):
    """Grade `path` args.runs times, add its row, and say whether any run did not pass."""
    failed = Counter()
    passes = 0
    for _ in range(args.runs):
        result = grade(chunk, read(path), args.profile, launcher=grader)
        passes += result.passed
        for test in result.tests:
            if test.status != "pass":
                failed[test.name] += 1
                console.print(f"[red]{path.name}: {test.name}[/]: {test.message[:300]}")
        if result.problem:
            console.print(f"[red]{path.name}[/]: {result.problem}")
    table.add_row(path.name, f"{passes}/{args.runs}",
                  ", ".join(f"{name} ×{n}" for name, n in failed.items()) or "-")
    return passes != args.runs


if __name__ == "__main__":
    main()
