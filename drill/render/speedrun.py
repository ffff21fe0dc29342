"""A speedrun's splits against the personal best (also drawn in the watch panel), the summary
after a run, and every run so far."""
from rich.table import Table
from rich.text import Text

from drill.clock import mmss as clock
from drill.render.common import OUTCOMES, local_time, out, plural


def signed(seconds):
    """A delta as a speedrun timer shows it: -0:12 ahead, +1:05 behind."""
    return ("-" if seconds < 0 else "+") + clock(abs(seconds))


def splits_table(report, titled=True):
    """The splits of a run: time, delta to the personal best (green ahead, red behind, bright
    when this split gained on the previous one), golds; then the records. Untitled and boxless
    inside the watch panel, whose own title and subtitle already name the run and whose room
    the failure's graph needs."""
    title = f"speedrun {report.attempt.chunk}, attempt {report.attempt.id}" if titled else None
    table = (Table(title=title, title_justify="left") if titled else  # in the watch panel,
             Table(box=None, header_style="bold underline", pad_edge=False))  # no box: room
    for column in ("chunk", "split", "delta", "segment"):
        table.add_column(column, justify="left" if column == "chunk" else "right")
    for row in report.rows:
        delta = Text("-")
        if row.delta_s is not None:
            gained = row.change_s is not None and row.change_s < 0
            colour = "green" if row.delta_s < 0 else "red"
            delta = Text(signed(row.delta_s), style=f"bold {colour}" if gained else colour)
        table.add_row(row.chunk, clock(row.split_s), delta, segment(row))
    done = {row.chunk for row in report.rows}
    for chunk in report.chunks:
        if chunk not in done:
            table.add_row(Text(chunk, style="dim"), "-", "", "")
    return table


def segment(row):
    """A row's segment: its time (and gold); for chunks passed by one save, the save's time
    on its first row and "same save" on the others, none of them a segment of its own."""
    if row.save and row.chunk != row.save[0]:
        return Text("same save", style="dim")
    shown = Text(clock(row.segment_s), style="bold yellow" if row.gold else "")
    if row.save:
        return shown + Text(f" {len(row.save)} in one save", style="dim")
    return shown + (Text(" gold", style="yellow") if row.gold else Text(""))


def records_line(report):
    """The records under the splits; the best counts this run once it is finished."""
    finished = report.attempt.active_s if report.attempt.outcome == "passed" else None
    best_s = min((t for t in (report.best_s, finished) if t is not None), default=None)
    parts = [f"best {clock(best_s)}" if best_s is not None else "no best yet"]
    if report.sum_of_best_s is not None:
        parts.append(f"sum of best {clock(report.sum_of_best_s)}")
    elif report.never_alone:
        parts.append(f"no sum of best yet: {', '.join(report.never_alone)} never passed "
                     "alone")
    if report.time_save_s is not None:
        parts.append(f"possible time save {clock(report.time_save_s)}")
    return Text(" · ".join(parts), style="dim")


def run_summary(report):
    """After a speedrun: the splits, the final time against the best, the records."""
    out.print(splits_table(report))
    attempt = report.attempt
    if attempt.outcome == "passed":
        final = Text(f"Final time {clock(attempt.active_s)}", style="bold")
        if report.best_s is None:
            final += Text(": your first finished run.", style="green")
        elif attempt.active_s < report.best_s:
            final += Text(f": a new personal best, {signed(attempt.active_s - report.best_s)}.",
                          style="bold green")
        else:
            final += Text(f" ({signed(attempt.active_s - report.best_s)} on your best).")
        out.print(final)
    out.print(records_line(report))


def speedrun_history(runs):
    """Every speedrun, and per kind of run the attempts, finished ones and best time."""
    if not runs:
        out.print("No speedruns yet: drill speedrun full starts one.")
        return
    table = Table(title="speedruns", title_justify="left")
    for column in ("#", "run", "started", "time", "outcome", "splits"):
        table.add_column(column, justify="right" if column in ("#", "time") else "left")
    for attempt, splits in runs:
        table.add_row(str(attempt.id), attempt.chunk, local_time(attempt.started_at),
                      clock(attempt.active_s) if attempt.ended_at else "-",
                      Text(attempt.outcome, style=OUTCOMES.get(attempt.outcome, "")),
                      ", ".join(f"{chunk} {clock(at)}" for chunk, at in splits) or "-")
    out.print(table)
    for kind in sorted({a.chunk for a, _ in runs}):
        mine = [a for a, _ in runs if a.chunk == kind]
        done = [a.active_s for a in mine if a.outcome == "passed"]
        out.print(Text(f"{kind}: {plural(len(mine), 'run')}, {len(done)} finished"
                       + (f", best {clock(min(done))}" if done else "")))
