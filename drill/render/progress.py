"""Where the learner stands (drill.progress works it out): today's queue, and the stats
page with its calendar, sparklines and one chunk's detail."""
from rich.text import Text

from drill.clock import mmss as clock, parse
from drill.render.common import aligned, local_time, out, plural
from drill.render.finished import offer


def today(queue):
    """Today's queue: what is due, the next new chunk, the streak, and one line on what next."""
    if queue.due:
        from rich.table import Table  # here, as Panel below: a day with nothing due needs neither
        table = Table(title="due today, most overdue first", title_justify="left")
        for column in ("chunk", "due", "chance you remember it now"):
            table.add_column(column)
        for item in queue.due:
            table.add_row(item.chunk, item.due.astimezone().strftime("%a %d %b %H:%M"),
                          f"{item.retrievability:.0%}")
        out.print(table)
    else:
        out.print("Nothing is due today.")
    if queue.open:
        out.print(Text("Open: ") + Text(queue.open, style="bold cyan")
                  + Text(" is still going: resume it before anything new.", style="dim"))
    if queue.new and queue.new != queue.open:
        out.print(Text("New today: ") + Text(queue.new, style="bold cyan"))
    elif queue.locked:
        out.print(Text(f"No new chunk today: {queue.locked['chunk']} opens once you pass "
                       f"{' and '.join(queue.locked['waits_for'])}.", style="dim"))
    elif queue.new_today:
        out.print(Text(f"{plural(queue.new_today, 'new chunk')} started today: enough for one "
                       "day.", style="dim"))
    flame = Text(f"Streak: {plural(queue.streak, 'day')}", style="bold")
    flame += Text(f" (longest {queue.longest}); ", style="dim")
    flame += Text("today counts." if queue.counts_today else
                  "pass one attempt today to keep it." if queue.streak else
                  "pass an attempt today to start one.")
    out.print(flame)
    if queue.full_run_s is not None:
        out.print(Text(f"Today's full speedrun: {clock(queue.full_run_s)}, the whole library "
                       "from memory.", style="bold green"))
    if queue.next_step:
        out.print(Text("Next: ") + Text(queue.next_step, style="bold"))
    else:
        out.print(Text("All done for today", style="dim") + offer(queue.later))


SPARKS = "▁▂▃▄▅▆▇█"
TREND = 10  # the latest passed times drawn in the per-chunk table
# Passed attempts in a day, as a calendar cell: glyphs of rising weight, so that the calendar
# reads without colour too (NO_COLOR), and a colour each.
HEAT = [("·", "grey35", "none"), ("░", "green4", "1"), ("▒", "green3", "2"),
        ("█", "bright_green", "3 or more")]


def sparkline(values):
    """Times as a row of bars, low to high; an empty string for none."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    return "".join(SPARKS[int((v - low) / span * (len(SPARKS) - 1))] for v in values)


def duration(seconds):
    """A total of practice: m:ss under an hour, else hours and minutes."""
    if seconds < 3600:
        return clock(seconds)
    minutes = int(round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60:02d} m"


def heat(count):
    glyph, colour, _ = HEAT[min(count, len(HEAT) - 1)]
    return Text(glyph + " ", style=colour)


def heatmap(days):
    """Passed attempts per day as a calendar: a row per weekday, a column per week, and the
    legend under it. Each row is one Text of two columns a day: as a table of 189 cells, rich
    took a fifth of a second to measure it, at any history size."""
    from rich.console import Group
    ordered = sorted(days)
    weeks = (len(ordered) + 6) // 7
    rows = []
    for weekday, label in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        row = Text()
        row.append(label.ljust(4), style="dim")
        for week in range(weeks):
            index = week * 7 + weekday
            row.append_text(heat(days[ordered[index]]) if index < len(ordered) else Text("  "))
        rows.append(row)
    legend = Text("    passed a day: ", style="dim")
    for count, (_, _, words) in enumerate(HEAT):
        legend += heat(count) + Text(words + "  ", style="dim")
    return Group(*rows, Text(""), legend)


def stats(figures, chunk=None):
    """drill stats: the whole picture, or one chunk's. The calendar's box is as wide as the
    table under it, and no line is wider than 80 columns."""
    if chunk is not None:
        return chunk_detail(next(c for c in figures.chunks if c.chunk == chunk))
    if not figures.attempts:
        out.print("No finished attempts yet: drill start begins the first, and this page fills "
                  "up as you practise.")
        return
    rate = f"{figures.pass_rate:.0%}" if figures.pass_rate is not None else "-"
    kept = f"{figures.retention:.0%}" if figures.retention is not None else "not yet measured"
    out.print(Text("Streak ", style="bold") + Text(f"{plural(figures.streak, 'day')}")
              + Text(f" (longest {figures.longest})", style="dim")
              + Text(f" · practice {duration(figures.practice_s)}"))
    out.print(Text(f"{plural(figures.attempts, 'attempt')} · passed {rate} · retention {kept}"))
    head = ["chunk", "tries", "pass", "best", "med", "last", "trend", "hints", "due", "stab"]
    rows = [[Text(h, style="bold underline") for h in head]] + [
        [c.chunk, str(c.attempts), f"{c.pass_rate:.0%}" if c.pass_rate is not None else "-",
         *(clock(t) if t is not None else "-" for t in (c.best_s, c.median_s, c.last_s)),
         Text(sparkline(c.times[-TREND:]).ljust(TREND), style="cyan"), str(c.hints),
         parse(c.due).astimezone().strftime("%d %b") if c.due else "-",
         f"{c.stability:.1f}d" if c.stability is not None else "-"] for c in figures.chunks]
    lines = aligned(rows, left=(0, head.index("trend")))
    width = min(out.width, max(60, *(line.cell_len for line in lines)))  # the calendar needs 60
    from rich.panel import Panel
    out.print(Panel(heatmap(figures.days), title="last 26 weeks", title_align="left",
                    width=width))
    out.print(Text("per chunk"))
    out.print(Text("\n").join(lines), no_wrap=True, crop=True)  # rich's cost is per print
    out.print(Text("med: median time · due: next review · stab: FSRS stability, in days",
                   style="dim"))
    if figures.hunts.get("hunts"):
        hunts = figures.hunts
        median = clock(hunts["median_s"]) if hunts["median_s"] is not None else "-"
        out.print(Text("bug hunts: ", style="bold") + Text(
            f"{hunts['hunts']}, {hunts['found']} found, median {median} to find one ("
            + ", ".join(f"{name} {found} of {n}" for name, (n, found) in hunts["chunks"].items())
            + ")"))
    for record in figures.speedruns:
        out.print(Text(f"speedrun {record['run']}: ", style="bold") + Text(
            f"{plural(record['runs'], 'run')}, {record['finished']} finished, best "
            + (clock(record["best_s"]) if record["best_s"] is not None else "-")
            + (f", sum of best {clock(record['sum_of_best_s'])}"
               if record["sum_of_best_s"] is not None else "")))


def chunk_detail(c):
    """One chunk: its latest passed times as bars, its personal best, its latest reviews."""
    from rich.panel import Panel
    out.print(Text(f"{c.chunk}: ", style="bold") + Text(
        f"{plural(c.attempts, 'attempt')}, {c.passed} passed, best "
        f"{clock(c.best_s) if c.best_s is not None else '-'}"
        + (f", next due {local_time(c.due)[:10]}, stability {c.stability:.1f} days"
           if c.due else "")))
    if c.times:
        longest = max(c.times) or 1  # a pass in no time at all still gets its bar
        first = c.passed - len(c.times) + 1
        chart = aligned([[f"#{number}", clock(seconds),
                          Text("█" * max(1, int(seconds / longest * 50)),
                               style="bold green" if seconds == c.best_s else "cyan")]
                         for number, seconds in enumerate(c.times, start=first)], left=(0, 1, 2))
        title = ("passed attempts, in order" if first == 1 else
                 f"the latest {len(c.times)} of {c.passed} passed attempts")
        out.print(Panel(Text("\n").join(chart), title=title, expand=False))
    if c.draws:
        head = ["operation", "drawn", "passed", "best", "hints", "last"]
        out.print(Text("operations drawn"))
        out.print(Text("\n").join(aligned([[Text(h, style="bold underline") for h in head]] + [
            [d["draw"], str(d["drawn"]), str(d["passed"]),
             clock(d["best_s"]) if d["best_s"] is not None else "-", str(d["hints"]), d["last"]]
            for d in c.draws], left=(0, head.index("last")))), no_wrap=True, crop=True)
    for review in c.reviews[-10:]:
        out.print(Text(f"{local_time(review['at'])[:10]}  {review['rating']:<5} ", style="bold")
                  + Text(review["why"], style="dim"))
