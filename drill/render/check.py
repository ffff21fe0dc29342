"""A grading: its progress bar, the result table, the first failure's panel (also drawn in
the watch panel), and where the attempt stands after it."""
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.clock import mmss as clock
from drill.render.common import err, out, plural, tally
from drill.render.graph import GraphPicture

MARKS = {"pass": ("✓", "green"), "fail": ("✗", "red"), "error": ("!", "red"),
         "timeout": ("⧗", "yellow")}


class CheckProgress:
    """A transient progress bar on stderr while the suites run; nothing when not a terminal."""

    def __init__(self, label):
        self.label, self.progress, self.task = label, None, None

    def __enter__(self):
        if err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), console=err, transient=True)
            self.progress.start()
            self.task = self.progress.add_task(f"grading {self.label}: loading your file", total=None)
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def __call__(self, kind, event):
        if not self.progress:
            return
        if kind == "collected":
            self.progress.update(self.task, total=len(event["tests"]),
                                 description=f"grading {self.label}")
        elif kind == "result":
            self.progress.advance(self.task)


def by_function(tests):
    """Tests grouped by the suite function they come from: a parametrized test is one row."""
    groups = {}
    for test in tests:
        groups.setdefault(test.name.split("[")[0], []).append(test)
    return groups.values()


def worst(tests):
    return next((t.status for t in tests if t.status != "pass"), "pass")


def file_notes(notes):
    """What drill says once of how it read the learner's file (a notebook's left-out cells)."""
    if notes:
        out.print(notes_line(notes))


def draws_graded(chunk, path, found):
    """Which operations a bare file is graded on (extend): those its Value defines (`found`), or
    the one asked for with --op."""
    names = ", ".join(chunk.drawn)
    what = "operation" if len(chunk.drawn) == 1 else "operations"
    out.print(Text(f"{chunk.name}: grading ", style="dim") + Text(names, style="bold")
              + Text(f", the {what} the Value of {path} defines" if found else "", style="dim"))


def notes_line(notes):
    return Text("notebook: " + notes, style="dim")


def check_result(result):
    file_notes(result.notes)
    if result.problem and not any(t.status == "pass" for t in result.tests):
        out.print(Panel(Text(result.problem), title="[bold red]your file did not run through",
                        border_style="red", expand=False))
        out.print(Text("FAIL", style="bold red") + Text(f"  {result.chunk}: no test ran "
                                                        f"({result.profile})"))
        return
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(width=1)
    table.add_column(ratio=1)
    table.add_column(justify="right", style="dim")
    verdicts = result.chunk_verdicts()
    several_chunks = len(verdicts) > 1
    waiting = result.waiting_on()
    for name, passed in verdicts.items():  # in full, a chunk that passes (or waits) is one row
        tests = [t for t in result.tests if t.chunk == name]
        if several_chunks and passed:
            table.add_row(Text("✓", style="green"), Text(f"{name}: ", style="dim")
                          + Text(f"all {len(tests)} tests pass" if len(tests) > 1
                                 else "its test passes"),
                          f"{sum(t.duration_s for t in tests):.2f}s")
        elif several_chunks and name in waiting:
            table.add_row(Text("…", style="yellow"), Text(f"{name}: ", style="dim")
                          + Text(f"waits on {waiting[name]}, whose bug it builds on"),
                          f"{sum(t.duration_s for t in tests):.2f}s")
    for tests in by_function(result.tests):
        first = tests[0]
        if several_chunks and (verdicts[first.chunk] or first.chunk in waiting):
            continue
        mark, colour = MARKS.get(worst(tests), ("?", "red"))
        label = Text(first.title or first.name.split("::")[-1].split("[")[0])
        if several_chunks:
            label = Text(f"{first.chunk}: ", style="dim") + label
        passed = sum(t.status == "pass" for t in tests)
        if len(tests) > 1 and passed < len(tests):
            label += Text(f" {passed}/{len(tests)}", style="dim")
        table.add_row(Text(mark, style=colour), label, f"{sum(t.duration_s for t in tests):.2f}s")
    out.print(table)
    if result.problem:
        out.print(Panel(Text(run_problem(result)), title="[bold red]your file did not run through",
                        border_style="red", expand=False))
    failure = result.first_failure()
    if failure and failure.message and failure.message not in result.problem:
        out.print(failure_panel(failure.title or failure.name, failure.message, failure.graph,
                                expand=False, style="bold red"))
    if result.output.strip() and not result.passed:
        lines = result.output.strip().splitlines()
        shown = "\n".join(lines[:15]) + (f"\n… {len(lines) - 15} more lines" if len(lines) > 15 else "")
        out.print(Panel(Text(shown, style="dim"), title="your file printed", expand=False))
    passed = sum(t.status == "pass" for t in result.tests)
    verdict = Text("PASS", style="bold green") if result.passed else Text("FAIL", style="bold red")
    out.print(verdict + Text(f"  {result.chunk}: "
                             f"{tally(result.chunk, passed, len(result.tests), 'passed')} "
                             f"in {result.duration_s:.2f} s ({result.profile})"))


def run_problem(result):
    """Why the run stopped, after how many tests it never finished: a count of passes is of
    the tests that ran, and a run stopped sooner passes fewer."""
    short = len(result.stopped_short())
    return f"{plural(short, 'test')} never finished: {result.problem}" if short else result.problem


def failure_panel(title, message, graph=None, expand=True, style="", height=None):
    """A failure's message (its first lines), with its computation graph drawn under it. A
    title too long for the border opens the message instead, whole, rather than cut. The title
    is a test's own words, never markup: "sized [nin] + nouts" keeps its brackets. With
    `height`, the panel takes at most that many lines: the message is cut first, so that the
    graph shows whole while it can, then the end; what is cut is said."""
    from rich.console import Group
    lines = message.splitlines()
    said = Text("\n".join(lines[:14]) + ("\n…" if len(lines) > 14 else ""))
    heading = Text(title, style=style)
    if len(heading) > min(out.width, 100) - 12:
        said = Text(title, style="bold") + Text("\n") + said
        heading = Text("failing", style=style)
    picture = None
    if isinstance(graph, dict):
        from drill.graph import Graph
        picture = GraphPicture(Graph.from_dict(graph))
    shown = said if picture is None else Group(said, Text(""), picture)
    if height is not None:
        shown = Fitted(said, picture, height - 2)  # 2: the panel's borders
    return Panel(shown, title=heading, border_style="red", expand=expand)


class Fitted:
    """A failure's message and its graph in at most `lines` lines: the message gives way
    first, down to its first three lines, so that the graph shows whole while it can; then the
    graph's end is cut. What is cut is said."""
    WHERE = "drill check shows it whole"

    def __init__(self, said, picture, lines):
        self.said, self.picture, self.lines = said, picture, lines

    def __rich_console__(self, console, options):
        if self.picture is None:
            yield Cut(self.said, self.lines, self.WHERE)
            return
        said = len(console.render_lines(self.said, options, pad=False))
        drawn = len(console.render_lines(self.picture, options, pad=False))
        room = min(said, max(self.lines - 1 - drawn, 3))  # 1: the blank line between
        yield Cut(self.said, room, self.WHERE)
        if self.lines - room >= 3:  # the blank line and two of the graph's at least
            yield Text("")
            yield Cut(self.picture, self.lines - room - 1, self.WHERE)


class Cut:
    """A renderable in at most `lines` lines: what does not fit becomes one line saying how
    much more there is and `where` to see it."""

    def __init__(self, renderable, lines, where):
        self.renderable, self.lines, self.where = renderable, lines, where

    def __rich_console__(self, console, options):
        from rich.segment import Segment
        rendered = console.render_lines(self.renderable, options, pad=False)
        if len(rendered) <= self.lines:
            kept, note = rendered, None
        else:
            kept = rendered[:max(self.lines - 1, 0)]
            note = Text(f"… {len(rendered) - len(kept)} more lines ({self.where})",
                        style="dim", no_wrap=True, overflow="ellipsis")
        for line in kept:
            yield from line
            yield Segment.line()
        if note is not None:
            yield note


def not_recorded(home):
    err.print(Text(f"drill: {home} is read-only: this grading runs in a temporary folder and "
                   "nothing of it is recorded", style="yellow"), soft_wrap=True)


def attempt_line(attempt):
    """One line on where an attempt stands after a check."""
    from drill.attempt import what
    if attempt.outcome == "passed":
        done = (Text("Fixed ", style="bold green") + Text(f"the bug in {attempt.chunk}")
                if attempt.kind == "hunt" else
                Text("Passed ", style="bold green") + Text(what(attempt.chunk, attempt.kind)))
        out.print(done + Text(
            f" in {clock(attempt.active_s)}, after {plural(attempt.checks, 'check')} "
            f"and {plural(attempt.hints_used, 'hint')} (attempt {attempt.id})."))
    else:
        named = (f"Attempt {attempt.id} at {attempt.chunk}" if attempt.kind == "practice" else
                 f"{what(attempt.chunk, attempt.kind).capitalize()} (attempt {attempt.id})")
        out.print(Text(f"{named} stays open: fix the file and run drill check again.",
                       style="dim"))
