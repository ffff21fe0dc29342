"""The live panel of a watched attempt, redrawn in place on each save and key, and the verdict
when watching stops."""
import time

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.clock import mmss as clock, now
from drill.grader.results import NOT_FINISHED, stopped_short
from drill.render.check import failure_panel, notes_line, run_problem
from drill.render.common import out, plural, tally
from drill.render.finished import abandoned
from drill.render.speedrun import records_line, splits_table


def watch_panel(screen):
    """The live panel of an attempt being watched, as tall as the terminal at most: the
    failure's panel takes what room the rest leaves it (its end cut, saying so), so the keys
    always show."""
    from rich.console import Group
    attempt, chunk = screen.attempt, screen.chunk
    width = min(out.width, 100)
    timer = Text(clock(attempt.active_s_at(now())), style="bold")
    timer += Text(f"  target {clock(chunk.target_s)}", style="dim")
    if screen.best_s is not None:
        timer += Text(f"  best {clock(screen.best_s)}", style="dim")
    if screen.paused:
        timer += Text("  PAUSED", style="bold yellow")
    parts = [timer, Text(tail(str(screen.path), width - 4), style="dim")]
    if screen.report is not None:
        parts += [splits_table(screen.report, titled=False), records_line(screen.report)]
    result, failure = screen.result, None
    if result is not None and result.notes:
        parts.append(notes_line(result.notes))
    if screen.paused:
        parts.append(Text("paused: saves are graded when you resume", style="bold yellow"))
    if screen.grading:  # two lines: together they would wrap in the middle of a phrase
        parts.append(Text(screen.grading + "…", style="cyan"))
        parts.append(Text("  ") + progress_line(screen.progress, width - 6))
        if screen.progress and screen.progress.slow:
            parts.append(slow_line(screen.progress.slow))
        if screen.progress and screen.progress.failures:  # the first news of a failure
            failure = len(parts), screen.progress.failures[0]
    elif result is None:
        parts.append(Text("Save the file to grade it.", style="dim"))
    else:
        parts += verdict_lines(chunk, result)
        failure = shown_failure(result)
        if failure is not None:
            failure = len(parts), failure
    if screen.hint:  # "2 of 3:" in a column of its own, so wrapped lines keep their indent
        number, _, text = screen.hint.partition(": ")
        hint = Table.grid(padding=(0, 1))
        hint.add_column(no_wrap=True, style="yellow")
        hint.add_column()
        hint.add_row(number + ":", Text(text))  # a hint's words, never markup: [nin] stays
        parts.append(Panel(hint, title="hint", border_style="yellow"))
    if screen.note:
        parts.append(Text(screen.note, style="yellow"))
    reset = ("r reset (a new run)" if screen.report is not None else "r reset the file"
             if attempt.kind == "hunt" else "r reset the sheet" if chunk.kind == "worksheet"
             else "r reset to the stub")
    pause = "p resume" if screen.paused else "p pause"
    minimal = [] if chunk.kind == "worksheet" else ["m minimal example"]
    keys = (["h hint", *minimal, pause, reset, "q quit (resumable)", "a abandon"]
            if screen.keys else ["Ctrl-C stops watching (drill resume goes on)"])
    parts.append(unbroken([Text(k, style="dim") for k in keys], width - 4))
    if failure is not None:
        at, (title, message, graph, output) = failure
        printed = printed_lines(output, width - 4)
        room = out.height - 3 - _height(parts + printed, width - 4)  # 3: borders, the cursor
        if printed and room < 6:  # the failure's own words first: what it printed gives way
            printed, room = [], room + _height(printed, width - 4)
        parts[at:at] = [failure_panel(title, message, graph, height=room) if room >= 4 else
                        Text(f"✗ {title}: a taller terminal, or drill check, shows why",
                             style="red", no_wrap=True, overflow="ellipsis"), *printed]
    kind = {"hunt": "bug hunt in ", "speedrun": "speedrun "}.get(attempt.kind, "")
    return Panel(Group(*parts), title=f"[bold]{kind}{chunk.name}[/]: {chunk.title}",
                 subtitle=f"attempt {attempt.id}", expand=False, width=width)


def verdict_lines(chunk, result):
    """How many tests pass and, when the run stopped short of some, how many and why, in the
    words `drill check` uses, so that the two screens' figures explain each other; then the test
    that hung, named, unless it is the failure shown."""
    passed = sum(t.status == "pass" for t in result.tests)
    lines = [Text(tally(chunk.name, passed, len(result.tests)),
                  style="green" if result.passed else "red")]
    if result.problem and ran_any(result):
        lines.append(Text(run_problem(result), style="red"))
        hung = result.hung()
        if hung is not None and hung is not own_failure(result):
            lines.append(Text(f"⧗ {hung.title or hung.name}: "
                              f"{hung.message.removeprefix(NOT_FINISHED)}", style="yellow"))
    return lines


def shown_failure(result):
    """(title, message, graph, output) of the failure to show, or None: the first test that
    failed on its own; else, when no test ran, why the file did not run."""
    if result.problem and not ran_any(result):
        return "your file", result.problem, None, ""
    failure = own_failure(result)
    if failure is None or not failure.message:
        return None
    return failure.title, failure.message, failure.graph, failure.output


def own_failure(result):
    """The first test that failed on its own, not charged to a run that stopped short."""
    failure = result.first_failure()
    return None if failure is None or stopped_short(failure) else failure


def ran_any(result):
    return len(result.stopped_short()) < len(result.tests)


def slow_line(slow):
    """The test running long, named while the learner waits, with when it will be stopped."""
    _, title, began, limit = slow
    return Text(f"⧗ running {time.monotonic() - began:.0f} s, stopped at {limit:g} s: {title}",
                style="yellow")


PRINTED_LINES = 4  # of what a failing test printed, in the panel; drill check --json has all


def printed_lines(output, width):
    """What the learner's code printed during the failing test (escaped where it entered
    drill), its first PRINTED_LINES lines, each cut to `width`: a debugging print is seen where
    the failure is. [] when it printed nothing."""
    lines = output.rstrip("\n").splitlines() if output and output.strip() else []
    if not lines:
        return []
    shown = Text("your code printed, in this test:", style="dim")
    for line in lines[:PRINTED_LINES]:
        shown.append("\n  " + line)
    if len(lines) > PRINTED_LINES:
        more = plural(len(lines) - PRINTED_LINES, "more line")
        shown.append(f"\n  … {more} (drill check --json)", style="dim")
    shown.no_wrap, shown.overflow = True, "ellipsis"
    return [shown]


def tail(text, width):
    """`text` in one line of `width`: its end, where a path says most, after an ellipsis."""
    return text if len(text) <= width else "…" + text[-(width - 1):]


def _height(renderables, width):
    """How many lines `renderables` take, one under the other, `width` columns wide."""
    from rich.console import Group
    return len(out.render_lines(Group(*renderables), out.options.update(width=width), pad=False))


def unbroken(phrases, width, separator=" · "):
    """Phrases (Texts) joined on as few lines as fit in `width`, never breaking one."""
    joined, used = Text(), 0
    for phrase in phrases:
        if used and used + len(separator) + len(phrase) > width:
            joined.append("\n")
            used = 0
        elif used:
            joined.append(separator, style="dim")
            used += len(separator)
        joined.append_text(phrase)
        used += len(phrase)
    return joined


def progress_line(progress, width=76):
    """How far the grading of a save has come: does the file load, how many tests ran; its
    phrases kept whole on a narrow terminal."""
    if progress is None or progress.loaded is None:
        return Text("loading your file", style="dim")
    if not progress.loaded:
        return Text("your file did not load", style="red")
    phrases = [Text("your file loads", style="green")]
    if progress.titles:
        ran = progress.passed + len(progress.failures)
        phrases.append(Text(f"{ran} of {len(progress.titles)} tests run", style="dim"))
    if len(progress.failures) > progress.stopped:
        phrases.append(Text(f"{len(progress.failures) - progress.stopped} failing", style="red"))
    if progress.stopped:
        phrases.append(Text(f"⧗ {progress.stopped} ran too long", style="yellow"))
    return unbroken(phrases, width)


def watch_end(screen, best_before):
    """After watching: the verdict, the time against target and personal best."""
    attempt, chunk = screen.attempt, screen.chunk
    if screen.ended == "passed" and attempt.kind == "hunt":  # each hunt plants another bug
        line = Text("Fixed ", style="bold green") + Text(
            f"the bug in {chunk.name} in {clock(attempt.active_s)}")
        out.print(line + Text(": your first hunt found there." if best_before is None else
                              ": your fastest hunt there yet." if attempt.active_s < best_before
                              else f"; your fastest there took {clock(best_before)}."))
    elif screen.ended == "passed":
        line = Text("Passed ", style="bold green") + Text(
            f"{chunk.name} in {clock(attempt.active_s)} (target {clock(chunk.target_s)})")
        if best_before is None:
            line += Text(": your first pass.", style="green")
        elif attempt.active_s < best_before:
            line += Text(f": a new personal best, {clock(best_before - attempt.active_s)} "
                         "faster.", style="bold green")
        else:
            line += Text(f"; your best is {clock(best_before)}.")
        out.print(line)
    elif screen.ended == "abandoned":
        abandoned(attempt)
    else:
        out.print(Text(f"Stopped watching; attempt {attempt.id} stays open with "
                       f"{clock(attempt.active_s_at(now()))} on the clock. "
                       "drill resume goes on with it.", style="cyan"))


class LivePanel:
    """The watch panel, redrawn in place; `with LivePanel() as show: show(screen)`."""

    def __enter__(self):
        from rich.live import Live
        self.live = Live(console=out, auto_refresh=False, transient=False)
        self.live.start()
        return lambda screen: self.live.update(watch_panel(screen), refresh=True)

    def __exit__(self, *exc):
        self.live.stop()
