"""What the learner is handed: the chunks in order, a chunk's card, a stub or a kept version,
a hint, and what `drill start` says."""
import sys

from rich.text import Text

from drill.clock import mmss as clock, now
from drill.render.common import err, local_time, out


def card(chunk):
    from rich.markdown import Markdown  # imported here: markdown-it is slow to load
    from rich.panel import Panel  # as are panels, which `drill list` does without
    hints = f"{len(chunk.hints)} hints" if chunk.hints or not chunk.draws else \
        f"{len(chunk.draws[0]['hints'])} hints an operation"  # before a draw (extend)
    subtitle = f"target {clock(chunk.target_s)} · {hints}"
    if chunk.requires:
        subtitle += " · after " + ", ".join(chunk.requires)
    text = chunk.card  # its first line is its title, which the border already shows
    if text.startswith("# "):
        text = text.partition("\n")[2].lstrip("\n")
    out.print(Panel(Markdown(text), title=f"[bold]{chunk.name}[/]: {chunk.title}",
                    subtitle=subtitle, expand=False, padding=(1, 2)))


def code(text):
    """Source to stdout: coloured on a terminal, byte for byte when piped."""
    if out.is_terminal:
        from rich.syntax import Syntax
        out.print(Syntax(text, "python", theme="ansi_dark", line_numbers=False))
    else:
        sys.stdout.write(text)


def started(chunk, started, watching):
    """What `drill start` says: the card, the file to edit, and what next."""
    attempt = started.attempt
    if started.resumed:
        out.print(Text(f"An attempt at {chunk.name} is already open (attempt {attempt.id}, "
                       f"started {local_time(attempt.started_at)}); going on with it.",
                       style="yellow"))
    elif attempt.kind == "hunt":
        from drill.render.hunt import hunt_card
        hunt_card(chunk)
    else:
        card(chunk)
    for name in started.missing_prerequisites:
        err.print(Text(f"note: you have not passed {name} yet, which {chunk.name} builds on; "
                       "going on anyway.", style="yellow"))
    if started.kept_stale:
        out.print(Text("The file held earlier work: it is kept in this attempt's history "
                       f"(drill show {attempt.id} --version 1).", style="dim"))
    out.print("Find it in:" if attempt.kind == "hunt" else "Write it in:")
    out.print(Text(str(started.path), style="bold"), soft_wrap=True)
    if started.path.suffix == ".ipynb":
        out.print(f"Open it in Jupyter from its folder: jupyter lab {started.path.name}")
    then = ("Every save is graded here." if watching
            else "Run drill check after each save.")
    out.print(f"The timer is running (target {clock(chunk.target_s)}). {then}")


def resume_question(attempt):
    return (f"An attempt at {attempt.chunk} is open with {clock(attempt.active_s_at(now()))} "
            "on the clock. Go on with it? (no abandons it and starts afresh)")


def still_open_question(attempt, wanted):
    """What to do with the attempt open when another is asked for: one is open at a time."""
    from drill.attempt import what
    return (f"{what(attempt.chunk, attempt.kind).capitalize()} is still open (attempt "
            f"{attempt.id}, {clock(attempt.active_s_at(now()))} on the clock); one attempt at "
            f"a time.\n  r  resume it\n  a  abandon it (recorded as not passed) and start "
            f"{wanted}\n  q  neither\nWhich")


def hint(chunk, number, text, again=False):
    """A hint; `again` when every hint was already given, so this one is not news."""
    from rich.panel import Panel
    out.print(Panel(Text(text), title=f"hint {number} of {len(chunk.hints)} for {chunk.name}",
                    border_style="yellow", expand=False))
    if again:
        out.print(Text(f"That was the last hint, shown again: {chunk.name} has no more. drill "
                       "peek shows the reference (recorded).", style="yellow"))
