"""The learner's attempts as kept: the history table, an attempt's versions, and what an
import brought in."""
from rich.table import Table
from rich.text import Text

from drill.clock import mmss as clock, parse
from drill.render.common import OUTCOMES, local_time, out, plural, tally


def history(attempts, total):
    """The latest attempts, oldest first, and how to see more when there are."""
    if not attempts:
        out.print("No attempts yet: drill start ops --no-watch begins the first.")
        return
    title = ("your attempts" if len(attempts) == total else
             f"your latest {len(attempts)} attempts of {total}")
    table = Table(title=title, title_justify="left")
    for column in ("#", "chunk", "started", "time", "outcome", "hints", "checks"):
        table.add_column(column, justify="right" if column in ("#", "time", "hints", "checks")
                         else "left", no_wrap=True)
    for a in attempts:
        table.add_row(str(a.id), a.chunk if a.kind == "practice" else f"{a.chunk} {a.kind}",
                      local_time(a.started_at),
                      clock(a.active_s) if a.ended_at else "-",
                      Text(a.outcome, style=OUTCOMES.get(a.outcome, "")), str(a.hints_used),
                      str(a.checks))
    out.print(table)
    if len(attempts) < total:
        out.print(Text("Older ones: drill history --limit N, or --all.", style="dim"))


KEPT = {"check": "graded", "stale": "in the file before the stub", "reset": "before a reset"}


def versions(attempt_id, snapshots):
    """An attempt's versions: number, when kept (local time), why, and how each graded."""
    import json
    table = Table(title=f"versions of attempt {attempt_id}", title_justify="left")
    for column in ("#", "kept", "what", "result"):
        table.add_column(column, justify="right" if column == "#" else "left")
    for number, snapshot in enumerate(snapshots, start=1):
        result = Text("-", style="dim")
        if snapshot.result:
            data = json.loads(snapshot.result)
            passed = sum(t["status"] == "pass" for t in data["tests"])
            result = (Text("passed", style="green") if data["passed"] else
                      Text("did not run through", style="red") if data["problem"] and not passed
                      else Text(tally(data["chunk"], passed, len(data["tests"])), style="red"))
        table.add_row(str(number), parse(snapshot.taken_at).astimezone().strftime(
            "%d %b %H:%M:%S"), KEPT.get(snapshot.reason, snapshot.reason), result)
    out.print(table)
    out.print(Text(f"drill show {attempt_id} --version N shows one.", style="dim"))


def imported(attempts, snapshots):
    out.print(f"Imported {plural(attempts, 'attempt')} and {plural(snapshots, 'version')} of "
              "your files.")
