"""Everything drill shows in the terminal, in one place, through rich.

Core modules return data; these functions turn it into output. `--json` prints the same data
through `json_out`, so the human and the machine forms never disagree.
"""
import sys

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.clock import mmss as clock, now, parse

# No :emoji: codes: they would load rich's table of emoji names on every first print.
out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)

MARKS = {"pass": ("✓", "green"), "fail": ("✗", "red"), "error": ("!", "red"),
         "timeout": ("⧗", "yellow")}


def plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def error(message):
    err.print(Text("drill: ", style="bold red") + Text(message), soft_wrap=True)


def json_out(data):
    import json
    print(json.dumps(data, indent=2))


def chunk_list(chunks, passed=()):
    """The chunks in learning order, then one line on what next: the first chunk not passed
    yet (`passed` holds those passed), or a speedrun once all are."""
    table = Table(title="drill chunks, in learning order", title_justify="left", expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("chunk", style="bold cyan")
    table.add_column("what you write")
    table.add_column("target", justify="right")
    table.add_column("after", style="dim")
    for chunk in chunks:
        table.add_row(str(chunk.order), chunk.name, chunk.title, clock(chunk.target_s),
                      ", ".join(chunk.requires) or "-")
    out.print(table)
    ahead = next((c.name for c in chunks if c.name not in passed), None)
    if ahead is None:
        out.print(Text("Next: ", style="dim") + Text("drill speedrun full", style="bold")
                  + Text(": every chunk passed, now all of it from memory.", style="dim"))
    else:
        out.print(Text("Next: ", style="dim") + Text(f"drill card {ahead}", style="bold")
                  + Text(" to read what " + ("the first chunk" if not passed else "it")
                         + " asks.", style="dim"))


def card(chunk):
    from rich.markdown import Markdown  # imported here: markdown-it is slow to load
    subtitle = f"target {clock(chunk.target_s)} · {len(chunk.hints)} hints"
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


def wrote(path, what):
    out.print(Text(f"wrote {what} to ") + Text(str(path), style="bold"))


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


def check_result(result):
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
                          + Text(f"all {plural(len(tests), 'test')} pass"),
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
        out.print(Panel(Text(result.problem), title="[bold red]your file did not run through",
                        border_style="red", expand=False))
    failure = result.first_failure()
    if failure and failure.message and failure.message not in result.problem:
        out.print(failure_panel(f"[bold red]{failure.title or failure.name}", failure.message,
                                failure.graph, expand=False))
    if result.output.strip() and not result.passed:
        lines = result.output.strip().splitlines()
        shown = "\n".join(lines[:15]) + (f"\n… {len(lines) - 15} more lines" if len(lines) > 15 else "")
        out.print(Panel(Text(shown, style="dim"), title="your file printed", expand=False))
    passed = sum(t.status == "pass" for t in result.tests)
    verdict = Text("PASS", style="bold green") if result.passed else Text("FAIL", style="bold red")
    out.print(verdict + Text(f"  {result.chunk}: {passed} of {len(result.tests)} tests passed "
                             f"in {result.duration_s:.2f} s ({result.profile})"))


def number(x):
    """A graph's number, short enough for a column: 6 significant figures at most."""
    return "?" if not isinstance(x, (int, float)) or isinstance(x, bool) else f"{x:.6g}"


def graph_picture(graph):
    """The graph as the lecture draws it, from the output down to the leaves, one node a line:
    its name and operation, data and grad (and the grad it should have, where known). A node
    used twice is drawn once and named again where it recurs. The first wrong node carries a
    mark that reads without colour."""
    nodes = {n.id: n for n in graph.nodes}
    rows, drawn = [], set()

    def name(node):
        return node.label or f"#{node.id}"

    stack = [(graph.root, "", "")]
    while stack:
        node_id, lead, branch = stack.pop()
        node = nodes.get(node_id)
        if node is None:
            rows.append((lead + branch + "…", None))
            continue
        again = node_id in drawn
        drawn.add(node_id)
        rows.append((lead + branch + name(node) + (f" ({node.op})" if node.op else ""),
                     None if again else node))
        if again:
            rows[-1] = (rows[-1][0] + " (above)", None)
            continue
        child_lead = lead + ("│  " if branch == "├─ " else "   " if branch else "")
        kids = node.children
        for i, kid in reversed(list(enumerate(kids))):
            stack.append((kid, child_lead, "└─ " if i == len(kids) - 1 else "├─ "))
    width = min(max(len(tree) for tree, _ in rows), 34)
    expected = any(n.expected is not None for n in graph.nodes)
    picture = Text()
    for tree, node in rows:
        tree = tree if len(tree) <= width else tree[:width - 1] + "…"
        wrong = node is not None and node.id == graph.wrong
        picture.append(("✗ " if wrong else "  ") + tree.ljust(width), style="bold red" if wrong else "")
        if node is not None:
            picture.append(f"  data {number(node.data):>9}  grad {number(node.grad):>9}")
            if node.expected is not None:
                picture.append(f"  want {number(node.expected):>9}",
                               style="red" if wrong else "dim")
        picture.append("\n")
    if graph.left_out:
        picture.append(f"  … and {plural(graph.left_out, 'more node')}\n", style="dim")
    if graph.wrong is not None and expected:
        picture.append("✗ the first node whose grad is wrong (want: the grad it should have)",
                       style="dim")
    picture.rstrip()
    return picture


def drawn_on_pass(chunk, graph, problem=""):
    """The picture a chunk draws from the learner's passing code (trace: the lecture's graph
    as their own trace found it), or why there is none."""
    if graph is None:
        err.print(Text(f"(no picture of your {chunk.name}: {problem})", style="dim"))
        return
    out.print(Text(f"The lecture's graph, as your {chunk.name} found it:", style="bold"))
    out.print(graph_picture(graph))


OUTCOMES = {"passed": "green", "failed": "red", "abandoned": "yellow", "open": "cyan"}


def attempt_line(attempt):
    """One line on where an attempt stands after a check."""
    if attempt.outcome == "passed":
        out.print(Text("Passed ", style="bold green") + Text(
            f"{attempt.chunk} in {clock(attempt.active_s)}, after {plural(attempt.checks, 'check')} "
            f"and {plural(attempt.hints_used, 'hint')} (attempt {attempt.id})."))
    else:
        out.print(Text(f"Attempt {attempt.id} at {attempt.chunk} stays open: fix the file and "
                       "run drill check again.", style="dim"))


def started(chunk, started, watching):
    """What `drill start` says: the card, the file to edit, and what next."""
    attempt = started.attempt
    if started.resumed:
        out.print(Text(f"An attempt at {chunk.name} is already open (attempt {attempt.id}, "
                       f"started {attempt.started_at[:16].replace('T', ' ')} UTC); going on "
                       "with it.", style="yellow"))
    elif attempt.kind == "hunt":
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
    then = ("Every save is graded here." if watching
            else "Run drill check after each save.")
    out.print(f"The timer is running (target {clock(chunk.target_s)}). {then}")


def hunt_card(chunk):
    """A hunt's card: which chunk holds the bug, never what the bug is."""
    out.print(Panel(Text(
        f"One realistic bug is planted in the {chunk.name} part of this file: what `drill card "
        f"{chunk.name}` asks you to write. Everything else is the working library. Find the "
        f"bug and fix it; {chunk.name}'s suite grades the file, and its failures are your clues."
        f"\nEach hint narrows down where the bug is: first the function, then the lines."),
        title=f"[bold]bug hunt in {chunk.name}[/]: {chunk.title}", expand=False, padding=(1, 2)))


def hunt_found(found):
    """A hunt that passed: the planted lines beside the learner's for each place changed (one
    above the other on a narrow terminal); changed lines are marked - and + (readable without
    colour), the others are context."""
    out.print(Text("The bug: ", style="bold") + Text(found.mistake))
    for line, planted, fixed in found.changes:
        sides = (marked(planted, "- ", "red"), marked(fixed, "+ ", "green"))
        if out.width >= 120:
            table = Table(expand=True, title=f"from line {line}", title_justify="left")
            table.add_column("planted", ratio=1)
            table.add_column("your fix", ratio=1)
            table.add_row(*sides)
            out.print(table)
        else:
            for title, side in zip((f"planted, from line {line}", "your fix"), sides):
                out.print(Panel(side, title=title, title_align="left", border_style="dim"))


def marked(lines, mark, colour):
    text = Text()
    for number, (line, changed) in enumerate(lines):
        text.append(("\n" if number else "") + (mark if changed else "  ") + line,
                    style=f"bold {colour}" if changed else "dim")
    return text


def resume_question(attempt):
    return (f"An attempt at {attempt.chunk} is open with {clock(attempt.active_s_at(now()))} "
            "on the clock. Go on with it? (no abandons it and starts afresh)")


def local_time(text):
    """A stored UTC time as the learner's local time, to the minute."""
    return parse(text).astimezone().strftime("%Y-%m-%d %H:%M")


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
                      else Text(f"{passed} of {len(data['tests'])} tests pass", style="red"))
        table.add_row(str(number), parse(snapshot.taken_at).astimezone().strftime(
            "%d %b %H:%M:%S"), KEPT.get(snapshot.reason, snapshot.reason), result)
    out.print(table)
    out.print(Text(f"drill show {attempt_id} --version N shows one.", style="dim"))


def hint(chunk, number, text, again=False):
    """A hint; `again` when every hint was already given, so this one is not news."""
    out.print(Panel(Text(text), title=f"hint {number} of {len(chunk.hints)} for {chunk.name}",
                    border_style="yellow", expand=False))
    if again:
        out.print(Text(f"That was the last hint, shown again: {chunk.name} has no more. drill "
                       "peek shows the reference (recorded).", style="yellow"))


def whose(name):
    """A part's heading: a nested function says whose it is (`Value.__add__`'s _backward)."""
    owner, _, own = name.rpartition(".")
    return f"{owner}'s {own}" if "." in owner else name


def python(source, wrap=False):
    from rich.syntax import Syntax
    return Syntax(source.rstrip(), "python", theme="ansi_dark", word_wrap=wrap)


def reference_parts(chunk, parts, recorded):
    """The reference's code for the chunk, each function under a heading that names it; says
    whether the look was recorded."""
    for number, (name, source) in enumerate(parts.items()):
        if name:
            out.print(Text(("\n" if number else "") + f"# {whose(name)}", style="bold cyan"))
        out.print(python(source))
    if recorded:
        err.print(Text("drill noted that this attempt looked at the reference; it can still "
                       "pass.", style="dim"))


def diff(yours, reference, names):
    """The learner's code beside the reference's for the parts `names` (those that differ):
    side by side when both fit in half the terminal, one above the other otherwise."""
    same = len(reference) - len(names)
    if not names:
        out.print(Text("Your code is identical to the reference.", style="green"))
        return
    for name in names:
        mine = yours.get(name)
        longest = max(len(line) for text in (mine or "", reference[name])
                      for line in text.splitlines() or [""])
        beside = longest <= (out.width - 7) // 2
        left = python(mine, wrap=not beside) if mine is not None else Text(
            "(not in your file: written another way, or missing)", style="dim")
        if beside:
            table = Table(title=whose(name) or None, title_justify="left")
            table.add_column("yours", width=longest)
            table.add_column("reference", width=longest)
            table.add_row(left, python(reference[name]))
            out.print(table)
        else:
            out.print(Panel(left, title=f"yours{': ' + whose(name) if name else ''}",
                            title_align="left", border_style="cyan"))
            out.print(Panel(python(reference[name], wrap=True), title="reference",
                            title_align="left",
                            border_style="dim"))
    if same:
        out.print(Text(f"The other {plural(same, 'function')} {'is' if same == 1 else 'are'} "
                       "identical to the reference.", style="dim"))


def watch_panel(screen):
    """The live panel of an attempt being watched."""
    from rich.console import Group
    attempt, chunk = screen.attempt, screen.chunk
    width = min(out.width, 100)
    timer = Text(clock(attempt.active_s_at(now())), style="bold")
    timer += Text(f"  target {clock(chunk.target_s)}", style="dim")
    if screen.best_s is not None:
        timer += Text(f"  best {clock(screen.best_s)}", style="dim")
    if screen.paused:
        timer += Text("  PAUSED", style="bold yellow")
    parts = [timer, Text(str(screen.path), style="dim")]
    result = screen.result
    if screen.paused:
        parts.append(Text("paused: saves are graded when you resume", style="bold yellow"))
    if screen.grading:  # two lines: together they would wrap in the middle of a phrase
        parts.append(Text(screen.grading + "…", style="cyan"))
        parts.append(Text("  ") + progress_line(screen.progress, width - 6))
        if screen.progress and screen.progress.failures:  # the first news of a failure
            parts.append(failure_panel(*screen.progress.failures[0]))
    elif result is None:
        parts.append(Text("Save the file to grade it.", style="dim"))
    else:
        passed = sum(t.status == "pass" for t in result.tests)
        style = "green" if result.passed else "red"
        parts.append(Text(f"{passed} of {len(result.tests)} tests pass", style=style))
        failure = result.first_failure()
        message = result.problem or (failure.message if failure else "")
        if message:
            parts.append(failure_panel(failure.title if failure and not result.problem
                                       else "your file", message,
                                       None if result.problem else failure.graph))
    if screen.hint:  # "2 of 3:" in a column of its own, so wrapped lines keep their indent
        number, _, text = screen.hint.partition(": ")
        hint = Table.grid(padding=(0, 1))
        hint.add_column(no_wrap=True, style="yellow")
        hint.add_column()
        hint.add_row(number + ":", text)
        parts.append(Panel(hint, title="hint", border_style="yellow"))
    if screen.note:
        parts.append(Text(screen.note, style="yellow"))
    reset = ("r reset (ends the run)" if screen.report is not None else "r reset the file"
             if attempt.kind == "hunt" else "r reset to the stub")
    pause = "p resume" if screen.paused else "p pause"
    keys = (["h hint", "m minimal example", pause, reset, "q quit (resumable)", "a abandon"]
            if screen.keys else ["Ctrl-C stops watching (drill resume goes on)"])
    parts.append(unbroken([Text(k, style="dim") for k in keys], width - 4))
    if screen.report is not None:
        parts.insert(2, splits_table(screen.report))
        parts.insert(3, records_line(screen.report))
    hunt = "bug hunt in " if attempt.kind == "hunt" else ""
    return Panel(Group(*parts), title=f"[bold]{hunt}{chunk.name}[/]: {chunk.title}",
                 subtitle=f"attempt {attempt.id}", expand=False, width=width)


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
    if progress.failures:
        phrases.append(Text(f"{len(progress.failures)} failing", style="red"))
    return unbroken(phrases, width)


def failure_panel(title, message, graph=None, expand=True):
    """A failure's message (its first lines), with its computation graph drawn under it. A
    title too long for the border opens the message instead, whole, rather than cut."""
    lines = message.splitlines()
    shown = Text("\n".join(lines[:14]) + ("\n…" if len(lines) > 14 else ""))
    if isinstance(graph, dict):
        from drill.graph import Graph
        shown += Text("\n\n") + graph_picture(Graph.from_dict(graph))
    if len(Text.from_markup(title)) > min(out.width, 100) - 12:
        shown = Text.from_markup(title, style="bold") + Text("\n") + shown
        title = "[bold red]failing" if title.startswith("[") else "failing"
    return Panel(shown, title=title, border_style="red", expand=expand)


def watch_end(screen, best_before):
    """After watching: the verdict, the time against target and personal best."""
    attempt, chunk = screen.attempt, screen.chunk
    if screen.ended == "passed":
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
        out.print(Text(f"Abandoned: attempt {attempt.id} is recorded as not passed.",
                       style="yellow"))
    else:
        out.print(Text(f"Stopped watching; attempt {attempt.id} stays open with "
                       f"{clock(attempt.active_s_at(now()))} on the clock. "
                       "drill resume goes on with it.", style="cyan"))


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


def next_step(command):
    """The last line after a pass: what to run next."""
    if command:
        out.print(Text("Next: ", style="bold") + Text(command, style="bold cyan"))
    else:
        out.print(Text("Next: ", style="bold") + Text(
            "nothing else is due today; drill speedrun full is always there.", style="dim"))


class LivePanel:
    """The watch panel, redrawn in place; `with LivePanel() as show: show(screen)`."""

    def __enter__(self):
        from rich.live import Live
        self.live = Live(console=out, auto_refresh=False, transient=False)
        self.live.start()
        return lambda screen: self.live.update(watch_panel(screen), refresh=True)

    def __exit__(self, *exc):
        self.live.stop()


def today(queue):
    """Today's queue: what is due, the next new chunk, the streak, and one line on what next."""
    if queue.due:
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
        out.print(Text("All done for today. drill speedrun full is always there.", style="dim"))


def settings(values, meanings, only=None):
    table = Table(show_header=False, box=None)
    for key, value in values.items():
        if only in (None, key):
            table.add_row(Text(key, style="bold"), Text(repr(value) if value != "" else "(unset)"),
                          Text(meanings[key][2], style="dim"))
    out.print(table)


def review_line(review, attempt):
    """How a finished attempt counts for the schedule, in one line."""
    from drill.schedule import rated
    if attempt.kind in ("speedrun", "hunt"):
        what = "A speedrun" if attempt.kind == "speedrun" else "A bug hunt"
        out.print(Text(f"{what} counts for your streak; it does not move the schedule.",
                       style="dim"))
    elif review is None and not rated(attempt):
        out.print(Text("Abandoned within its first minute: recorded, rated nothing; the "
                       "schedule is as it was.", style="dim"))
    elif review is None:
        out.print(Text("A second attempt today: practice, counted in your stats, not a review.",
                       style="dim"))
    else:
        colour = {"Again": "red", "Hard": "yellow", "Good": "green", "Easy": "bold green"}
        out.print(Text(f"{review.rating}: ", style=colour[review.rating]) + Text(review.why))


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
    legend under it."""
    from rich.console import Group
    ordered = sorted(days)
    grid = Table.grid(padding=(0, 0))
    grid.add_column(width=4)
    weeks = (len(ordered) + 6) // 7
    for _ in range(weeks):
        grid.add_column(width=2)
    for weekday, label in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        cells = []
        for week in range(weeks):
            index = week * 7 + weekday
            cells.append(heat(days[ordered[index]]) if index < len(ordered) else Text("  "))
        grid.add_row(Text(label, style="dim"), *cells)
    legend = Text("    passed a day: ", style="dim")
    for count, (_, _, words) in enumerate(HEAT):
        legend += heat(count) + Text(words + "  ", style="dim")
    return Group(grid, Text(""), legend)


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
    table = Table(title="per chunk", title_justify="left", box=None, pad_edge=False,
                  header_style="bold underline")
    longest_name = max(len(c.chunk) for c in figures.chunks)
    for column in ("chunk", "tries", "pass", "best", "med", "last", "trend", "hints", "due",
                   "stab"):
        table.add_column(column, justify="left" if column in ("chunk", "trend") else "right",
                         no_wrap=True, min_width=longest_name if column == "chunk" else None)
    for c in figures.chunks:
        table.add_row(c.chunk, str(c.attempts),
                      f"{c.pass_rate:.0%}" if c.pass_rate is not None else "-",
                      *(clock(t) if t is not None else "-" for t in (c.best_s, c.median_s, c.last_s)),
                      Text(sparkline(c.times[-TREND:]), style="cyan"), str(c.hints),
                      parse(c.due).astimezone().strftime("%d %b") if c.due else "-",
                      f"{c.stability:.1f}d" if c.stability is not None else "-")
    width = min(out.width, max(out.measure(table).maximum, 60))  # the calendar needs 60
    table.min_width = width
    out.print(Panel(heatmap(figures.days), title="last 26 weeks", title_align="left",
                    width=width))
    out.print(table)
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
    out.print(Text(f"{c.chunk}: ", style="bold") + Text(
        f"{plural(c.attempts, 'attempt')}, {c.passed} passed, best "
        f"{clock(c.best_s) if c.best_s is not None else '-'}"
        + (f", next due {local_time(c.due)[:10]}, stability {c.stability:.1f} days"
           if c.due else "")))
    if c.times:
        longest = max(c.times) or 1  # a pass in no time at all still gets its bar
        chart = Table(show_header=False, box=None, padding=(0, 1))
        first = c.passed - len(c.times) + 1
        for number, seconds in enumerate(c.times, start=first):
            bar = "█" * max(1, int(seconds / longest * 50))
            style = "bold green" if seconds == c.best_s else "cyan"
            chart.add_row(f"#{number}", clock(seconds), Text(bar, style=style))
        title = ("passed attempts, in order" if first == 1 else
                 f"the latest {len(c.times)} of {c.passed} passed attempts")
        out.print(Panel(chart, title=title, expand=False))
    for review in c.reviews[-10:]:
        out.print(Text(f"{local_time(review['at'])[:10]}  {review['rating']:<5} ", style="bold")
                  + Text(review["why"], style="dim"))


def imported(attempts, snapshots):
    out.print(f"Imported {plural(attempts, 'attempt')} and {plural(snapshots, 'version')} of "
              "your files.")


def signed(seconds):
    """A delta as a speedrun timer shows it: -0:12 ahead, +1:05 behind."""
    return ("-" if seconds < 0 else "+") + clock(abs(seconds))


def splits_table(report):
    """The splits of a run: time, delta to the personal best (green ahead, red behind, bright
    when this split gained on the previous one), golds; then the records."""
    table = Table(title=f"speedrun {report.attempt.chunk}, attempt {report.attempt.id}",
                  title_justify="left")
    for column in ("chunk", "split", "delta", "segment"):
        table.add_column(column, justify="left" if column == "chunk" else "right")
    for row in report.rows:
        delta = Text("-")
        if row.delta_s is not None:
            gained = row.change_s is not None and row.change_s < 0
            colour = "green" if row.delta_s < 0 else "red"
            delta = Text(signed(row.delta_s), style=f"bold {colour}" if gained else colour)
        segment = Text(clock(row.segment_s), style="bold yellow" if row.gold else "")
        table.add_row(row.chunk, clock(row.split_s), delta,
                      segment + (Text(" gold", style="yellow") if row.gold else Text("")))
    for chunk in report.chunks[len(report.rows):]:
        table.add_row(Text(chunk, style="dim"), "-", "", "")
    return table


def records_line(report):
    """The records under the splits; the best counts this run once it is finished."""
    finished = report.attempt.active_s if report.attempt.outcome == "passed" else None
    best_s = min((t for t in (report.best_s, finished) if t is not None), default=None)
    parts = [f"best {clock(best_s)}" if best_s is not None else "no best yet"]
    if report.sum_of_best_s is not None:
        parts.append(f"sum of best {clock(report.sum_of_best_s)}")
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
    for column in ("#", "run", "started (UTC)", "time", "outcome", "splits"):
        table.add_column(column, justify="right" if column in ("#", "time") else "left")
    for attempt, splits in runs:
        table.add_row(str(attempt.id), attempt.chunk, attempt.started_at[:16].replace("T", " "),
                      clock(attempt.active_s) if attempt.ended_at else "-",
                      Text(attempt.outcome, style=OUTCOMES.get(attempt.outcome, "")),
                      ", ".join(f"{chunk} {clock(at)}" for chunk, at in splits) or "-")
    out.print(table)
    for kind in sorted({a.chunk for a, _ in runs}):
        mine = [a for a, _ in runs if a.chunk == kind]
        done = [a.active_s for a in mine if a.outcome == "passed"]
        out.print(Text(f"{kind}: {plural(len(mine), 'run')}, {len(done)} finished"
                       + (f", best {clock(min(done))}" if done else "")))


def sandbox_off(problems):
    err.print(Text("drill: your code is graded with some protections off (drill doctor): ",
                   style="yellow") + Text(problems), soft_wrap=True)


def protections(found):
    """`drill doctor`: one line per protection of the grader's sandbox, on or off, and why."""
    table = Table(box=None, show_header=False, pad_edge=False)
    for p in found:
        table.add_row(p.name, Text("on", style="green") if p.on else Text("off", style="red"),
                      p.reason)
    out.print("The sandbox your code is graded in:")
    out.print(table)
    if not all(p.on for p in found):
        out.print("drill grades anyway, with the protections that are on.")


class TrainingProgress:
    """`drill moons`' progress bar on stderr: step, loss, accuracy; nothing when not a terminal."""

    def __init__(self, steps):
        self.steps, self.progress, self.task = steps, None, None

    def __enter__(self):
        if self.steps is not None and err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            self.progress = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("loss {task.fields[loss]}  accuracy "
                                                "{task.fields[accuracy]}"),
                                     console=err, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("", total=self.steps, loss="-", accuracy="-")
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def __call__(self, step):
        if self.progress:
            self.progress.update(self.task, completed=step["step"], loss=f"{step['loss']:.3f}",
                                 accuracy=f"{step['accuracy']:.0%}")


def plotted(build):
    """A plotext figure as rich Text, as wide as the terminal (at most 80 columns)."""
    import plotext as plt
    plt.clf()
    plt.theme("clear" if out.no_color or not out.is_terminal else "pro")
    build(plt, min(out.width, 80))
    return Text.from_ansi(plt.build())


def decision_boundary(run):
    """The sign of the trained model's score over the grid, with the points on top."""
    from drill.moons import grid

    def build(plt, width):
        box, cells = grid(run.X, run.columns, run.rows)
        inside = [cell for cell, sign in zip(cells, run.grid) if sign > 0]
        plt.plotsize(width, 24)
        plt.scatter([c[0] for c in inside], [c[1] for c in inside], marker="·", color="cyan")
        for label, mark, colour in ((1, "o", "blue+"), (-1, "x", "red+")):
            points = [x for x, y in zip(run.X, run.y) if y == label]
            plt.scatter([p[0] for p in points], [p[1] for p in points], marker=mark,
                        color=colour)
        plt.xlim(box[0], box[1])
        plt.ylim(box[2], box[3])
        plt.title("o label 1, x label -1; · where your model scores above 0")
    return plotted(build)


def training_curves(run):
    """The loss and the accuracy of each step, side by side."""
    def build(plt, width):
        steps = [s["step"] for s in run.steps]
        plt.subplots(1, 2)
        plt.plotsize(width, 14)
        for column, (name, values) in enumerate((("loss", [s["loss"] for s in run.steps]),
                                                 ("accuracy", [s["accuracy"] for s in run.steps])), 1):
            plt.subplot(1, column)
            plt.plot(steps, values, marker="braille")
            plt.title(name)
            plt.xlabel("step")
    return plotted(build)


def moons_run(run):
    """After `drill moons`: the boundary, the curves, and what the engine cost."""
    demo = run.demo
    out.print(decision_boundary(run))
    out.print(training_curves(run))
    first = next((s["step"] for s in run.steps if s["accuracy"] == 1.0), None)
    sizes = list(demo.hidden) + [1]
    line = Text(f"MLP(2, {sizes}) on {demo.points} points, {plural(len(run.steps), 'step')} "
                f"in {run.seconds:.1f} s: ")
    line += (Text(f"{run.accuracy:.0%} of the points right", style="bold green" if
                  run.separated else "bold yellow"))
    line += Text(f" (first 100% seen at step {first})." if first else ".")
    out.print(line)
    if run.node_us is not None:
        out.print(Text(
            f"Each step built {run.nodes:,} Values and walked back through them: "
            f"{run.step_s * 1000:.0f} ms a step, {run.node_us:.1f} µs a Value. A tensor library "
            "does the same step as a few matrix products over arrays, with no Python object per "
            "number: that is why real libraries use tensors.", style="dim"))


def trained_split(run, problem):
    """After a run's last part, the demo trained with the learner's file: the split, or why not."""
    if run is not None and run.separated:
        out.print(Text("Trained: ", style="bold green") + Text(
            f"your network got all {run.demo.points} points right at step {len(run.steps)} of "
            f"{run.demo.steps} ({run.seconds:.1f} s of training); that is the last split."))
        return
    why = problem if run is None else (f"after {plural(len(run.steps), 'step')} your network "
                                       f"had {run.accuracy:.0%} of the points right, not all")
    out.print(Text(f"The demo did not finish the run: {why}. The run stays open; drill check "
                   "trains again.", style="yellow"))
