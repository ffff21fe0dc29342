"""A bug hunt's screens: its card, which never tells the bug, and the planted lines beside
the learner's fix once it passes."""
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.render.common import out


def hunt_card(chunk):
    """A hunt's card: which chunk holds the bug, never what the bug is."""
    out.print(Panel(Text(
        f"One realistic bug is planted in the {chunk.name} part of this file: what `drill card "
        f"{chunk.name}` asks you to write. Everything else is the working library. Find the "
        f"bug and fix it; {chunk.whose} suite grades the file, and its failures are your clues."
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
