"""How fast drill answers, as medians of many runs, printed as tables.

    python benchmarks/feedback_speed.py [--runs 9] [--cli-runs 21] [--chunks train,moons]
                                        [--history 20000] [--gap 0.2]

1. The commands that do not grade (`drill --help`, `list`, `today`, `stats`, `history`) beside
   a bare `python -c pass` and `python -c "import click"`, each as a multiple of the latter.
2. Watch mode, for each chunk, on a passing file (the reference) and a failing one (a one-bug
   mutant from tests/mutants; for extend, the reference with all ten operations, and with `=`
   for `+=` in each, so that the operation drawn passes or fails): from the moment the file is written to the moment the live panel
   first shows news of it (the file loads or not), its first test result, the quick verdict and,
   for a pass, the thorough confirmation. The watch loop runs here, in this process, with the
   warm grader it starts itself, and draws the real panel (into memory, at 80 columns): what
   drawing costs is part of what a learner waits for; each save is written after the grader has had a second to
   start, as a learner's first save would be, and the next `--gap` seconds after a verdict.
   With `--history N` the home starts with N finished attempts (history_scale's), as a
   learner's of a year or more: what a save costs must not grow with the database.
3. Beside them, cold: `drill check --quick --file` and a bare `python -m pytest` of the same
   suites on the same file with the quick profile.
"""
import argparse
import io
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from check_speed import REFERENCE, median_of

from drill.catalog import get_chunk

MUTANT_OF = {"full": "backward"}  # a chunk without mutants of its own borrows one


def one_bug(chunk):
    """The reference with the first one-bug mutant of `chunk` (or of the chunk it borrows from);
    for a chunk that draws (extend), with every draw's method, each _backward setting the
    operand's grad with = where it adds with +=: the one drawn has that bug."""
    if get_chunk(chunk).draws:
        return passing_file(chunk, "self.grad =")
    mutant = get_chunk(MUTANT_OF.get(chunk, chunk)).mutants()[0]
    return REFERENCE.read_text().replace(mutant["old"], mutant["new"])


def passing_file(chunk, adds="self.grad +="):
    """The reference; for a chunk that draws (extend), with every draw's method (each adding
    into the operand's grad as `adds` says), so that it fits whatever an attempt draws."""
    from dataclasses import replace

    from drill.stub import reference_source
    chunk, text = get_chunk(chunk), REFERENCE.read_text()
    chunk = replace(chunk, draws=tuple({**d, "reference": d["reference"].replace(
        "self.grad +=", adds)} for d in chunk.draws))
    for number in range(len(chunk.draws)):
        text = reference_source(chunk.drawing(number), text)
    return text


class Stopwatch:
    """The watch loop's `live` callback: draws the panel as `drill start` would (at 80 columns,
    into memory), then notes when it first showed each stage of a save."""

    def __init__(self):
        from rich.console import Console
        self.started, self.done = threading.Event(), threading.Event()
        self.saved, self.before, self.screen, self.marks = None, None, None, {}
        self.console = Console(file=io.StringIO(), width=80, force_terminal=True)

    def save(self, path, text):
        self.marks, self.before = {}, self.screen.result if self.screen else None
        self.done.clear()
        self.saved = time.perf_counter()
        path.write_text(text)

    def __call__(self, screen):
        from drill.render import watch_panel
        self.console.file = io.StringIO()
        self.console.print(watch_panel(screen))
        self.screen = screen
        self.started.set()
        if self.saved is None:
            return
        at = time.perf_counter() - self.saved
        progress, new = screen.progress, screen.result is not self.before
        if new or (progress and progress.loaded is not None):
            self.marks.setdefault("first signal", at)
        if new or (progress and (progress.passed or progress.failures)):
            self.marks.setdefault("first test", at)
        if new:
            self.marks.setdefault("verdict", at)
        if screen.ended == "passed":
            self.marks.setdefault("confirmed", at)
        if screen.ended or (new and not screen.result.passed):
            self.done.set()


def watched(chunk, text, saves, warmup_s=1.0, gap_s=0.2):
    """Marks of each of `saves` saves of `text` in one watch session (ended by a pass or, after
    the last save, by SIGTERM as a learner's Ctrl-C would)."""
    from drill.attempt import start
    from drill.store import open_store
    from drill.watch import watch
    store = open_store()
    started = start(store, chunk, fresh=True)
    stopwatch, marks = Stopwatch(), []

    def learner():
        stopwatch.started.wait()
        time.sleep(warmup_s)
        for number in range(saves):
            stopwatch.save(started.path, text + f"\n# save {number}\n")
            stopwatch.done.wait(60)
            marks.append(stopwatch.marks)
            time.sleep(gap_s)
        if not stopwatch.screen.ended:
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=learner)
    thread.start()
    watch(store, chunk, started.attempt, stopwatch)
    thread.join()
    return marks


STAGES = ("first signal", "first test", "verdict", "confirmed")


def medians(marks):
    return [f"{statistics.median(m[s] for m in marks):.3f}" if all(s in m for m in marks) else ""
            for s in STAGES]


def cli_table(runs, env):
    """The commands that do not grade, each run in turn with `import click`, round after round:
    the ratios are of medians measured under the same load."""
    from check_speed import interleaved
    from rich.table import Table
    table = Table(title=f"commands that do not grade, medians of {runs} runs in turn")
    for column in ("command", "median s", "× import click"):
        table.add_column(column, justify="left" if column == "command" else "right")
    drill = shutil.which("drill", path=str(Path(sys.executable).parent))
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                'python -c "import click"': [sys.executable, "-c", "import click"],
                **{f"drill {' '.join(a)}": [drill, *a]
                   for a in (["--help"], ["list"], ["today"], ["stats"], ["history"])}}
    found = interleaved({label: (command, env) for label, command in commands.items()}, runs)
    click_s = found['python -c "import click"']
    for label, seconds in found.items():
        table.add_row(label, f"{seconds:.3f}",
                      "" if label == "python -c pass" else f"{seconds / click_s:.1f}")
    return table


def watch_table(runs, env, work, names=None, gap_s=0.2):
    from rich.table import Table

    from drill.catalog import load_catalog
    table = Table(title=f"watch mode: seconds from the save, median of {runs} saves; "
                        "cold runs beside")
    for column in ("chunk", "file", *STAGES, "drill check --quick", "python -m pytest"):
        table.add_column(column, justify="left" if column in ("chunk", "file") else "right")
    drill = shutil.which("drill", path=str(Path(sys.executable).parent))
    for chunk in [c for c in load_catalog()  # a worksheet is graded in drill, not watched code
                  if c.kind != "worksheet" and (not names or c.name in names)]:
        for label, text in (("passes", passing_file(chunk.name)), ("one bug", one_bug(chunk.name))):
            passing = label == "passes"
            marks = [m for _ in range(runs) for m in watched(chunk, text, 1, gap_s=gap_s)] \
                if passing else watched(chunk, text, runs, gap_s=gap_s)
            file = work / f"{chunk.name}-{'pass' if passing else 'bug'}.py"
            file.write_text(text)
            check = median_of(runs, [drill, "check", chunk.name, "--quick", "--file", str(file)],
                              env)[0]
            pytest_env = {**env, "DRILL_SUBMISSION": str(file), "DRILL_PROFILE": "quick",
                          "PYTHONDONTWRITEBYTECODE": "1"}  # no __pycache__ among the chunks
            cold = median_of(runs, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                    *map(str, chunk.suite_files())], pytest_env)[0]
            table.add_row(chunk.name, label, *medians(marks), f"{check:.3f}", f"{cold:.3f}")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="saves per chunk and file")
    parser.add_argument("--cli-runs", type=int, default=21)
    parser.add_argument("--chunks", help="only these chunks, comma-separated (default: all)")
    parser.add_argument("--history", type=int, default=0,
                        help="finished attempts the home starts with")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds from a verdict to the next save")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="drill-bench-"))
    os.environ["DRILL_HOME"] = str(work / "home")
    os.environ.pop("DRILL_NOW", None)
    os.environ["DRILL_GRADER_IDLE"] = "0"  # the cold column stays cold: no grader left behind
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode written and used, as installed
    from rich.console import Console
    console = Console()
    if args.history:
        from history_scale import generate, graded_reference
        (work / "home").mkdir()
        generate(work / "home", args.history, graded_reference())
        size = (work / "home" / "drill.sqlite3").stat().st_size
        console.print(f"history: {args.history} attempts, database {size / 1e6:.0f} MB")
    console.print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    console.print(cli_table(args.cli_runs, dict(os.environ)))
    console.print(watch_table(args.runs, dict(os.environ), work,
                              args.chunks.split(",") if args.chunks else None, args.gap))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
