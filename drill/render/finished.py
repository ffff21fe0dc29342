"""The lines after an attempt ends, whether `drill check` or the watch loop ended it: how it
counts for the schedule, what changed since the last pass, what to run next."""
from rich.text import Text

from drill.clock import mmss as clock, parse
from drill.render.common import out


def since_last(attempt, previous):
    """What changed since the last pass of the same chunk: the time, the hints, the looks."""
    if previous is None:
        return
    gained = previous.active_s - attempt.active_s
    line = Text(f"Since your last pass ({parse(previous.ended_at).astimezone():%d %b}): ",
                style="bold")
    changes = [f"{clock(abs(gained))} {'faster' if gained >= 0 else 'slower'}"
               f" ({clock(previous.active_s)} then)"]
    for what, before, after in (("hints", previous.hints_used, attempt.hints_used),
                                ("looks at the reference", previous.peeked, attempt.peeked)):
        if before != after:
            changes.append(f"{what} {after} ({before} then)")
    out.print(line + Text(", ".join(changes) + "."))


def abandoned(attempt):
    out.print(Text(f"Abandoned: attempt {attempt.id} at {attempt.chunk} is recorded as not "
                   "passed.", style="yellow"))


def restarted(attempt):
    out.print(Text(f"Reset: run {attempt.id} is recorded as abandoned (drill speedrun --history); "
                   "the next one starts now, its file handed out afresh.", style="yellow"))


def next_step(queue, chunk=None):
    """The last lines after a pass: what to try with the code `chunk` just passed with, if
    it says, then what to run next, or what the day still offers (schedule.later)."""
    if chunk is not None and chunk.after_pass:
        command, why = chunk.after_pass
        out.print(Text("Try: ", style="bold") + Text(command, style="bold cyan")
                  + Text(f": {why}.", style="dim"))
    line = Text("Next: ", style="bold")
    if queue.next_step:
        out.print(line + Text(queue.next_step, style="bold cyan"))
    else:
        out.print(line + Text("nothing else is due today", style="dim") + offer(queue.later))


def offer(later):
    """What a day with nothing left still offers, after a semicolon, or a full stop."""
    command, why = later
    if not command:
        return Text(".", style="dim")
    return Text("; ", style="dim") + Text(command, style="bold") + Text(f": {why}.", style="dim")


def review_line(review, attempt):
    """How a finished attempt counts for the schedule, in one line."""
    from drill.schedule import rated
    if attempt.kind in ("speedrun", "hunt"):
        what = "speedrun" if attempt.kind == "speedrun" else "bug hunt"
        out.print(Text(f"A {what} counts for your streak; it does not move the schedule."
                       if attempt.outcome == "passed" else
                       f"An unfinished {what} is kept in your history; it counts neither for "
                       "your streak nor for the schedule.", style="dim"))
    elif review is None and not rated(attempt):
        out.print(Text("Abandoned within its first minute: recorded, rated nothing; the "
                       "schedule is as it was.", style="dim"))
    elif review is None:
        out.print(Text("A second attempt today: practice, counted in your stats, not a review.",
                       style="dim"))
    else:
        colour = {"Again": "red", "Hard": "yellow", "Good": "green", "Easy": "bold green"}
        out.print(Text(f"{review.rating}: ", style=colour[review.rating]) + Text(review.why))
