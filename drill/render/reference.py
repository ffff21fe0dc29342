"""The reference's code: shown by `drill peek`, and beside the learner's code after a pass
and in `drill diff`."""
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.render.common import err, out


def whose(name):
    """A part's heading: a nested function says whose it is (`Value.__add__`'s _backward)."""
    owner, _, own = name.rpartition(".")
    return f"{owner}'s {own}" if "." in owner else name


def python(source):
    from rich.syntax import Syntax
    return Syntax(source.rstrip(), "python", theme="ansi_dark")


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


def diff(comparisons, parts, leave=None, rest=""):
    """The functions that differ in meaning (drill.meaning), the learner's beside the
    reference's when both fit in half the terminal, else one above the other, the lines that
    differ marked ≠. With `leave`, only as many as fit in the terminal less that many lines
    (the pass screen keeps its verdict in sight); then `rest` says where to see the others."""
    budget = None if leave is None else max(out.height - leave, 8)
    if not comparisons:
        out.print(Text("Your code does what the reference does (spacing and names aside).",
                       style="green"))
        return
    shown = 0
    for number, comparison in enumerate(comparisons):
        drawn = _compared(comparison)
        height = len(out.render_lines(drawn, out.options, pad=False))
        if budget is not None and shown + height > budget:
            left = len(comparisons) - number
            out.print(Text(f"… and {left} more function{'s' if left > 1 else ''} that "
                           f"differ{'s' if left == 1 else ''}: {rest}", style="dim"))
            break
        out.print(drawn)
        shown += height
    same = parts - len(comparisons)
    if same:
        out.print(Text("The other function does what the reference's does." if same == 1 else
                       f"The other {same} functions do what the reference's do.", style="dim"))


def _compared(comparison):
    """One function, the learner's and the reference's, differing lines marked."""
    from rich.console import Group

    from drill.render.hunt import marked
    name, mine, theirs = comparison.name, comparison.yours, comparison.reference
    longest = max(len(line) for text in (mine or "", theirs)
                  for line in text.splitlines() or [""]) + 2
    left = (marked(_lines(mine, comparison.your_lines), "≠ ", "cyan") if mine is not None else
            Text("(not in your file: written another way, or missing)", style="dim"))
    right = marked(_lines(theirs, comparison.reference_lines), "≠ ", "yellow")
    if longest <= (out.width - 7) // 2:
        table = Table(title=whose(name) or None, title_justify="left")
        table.add_column("yours", width=longest)
        table.add_column("reference", width=longest)
        table.add_row(left, right)
        return table
    return Group(Panel(left, title=f"yours{': ' + whose(name) if name else ''}",
                       title_align="left", border_style="cyan"),
                 Panel(right, title="reference", title_align="left", border_style="dim"))


def _lines(text, differing):
    """[(line, whether it differs)] of `text`, trailing blank lines left out."""
    return [(line, number in differing)
            for number, line in enumerate(text.rstrip().splitlines(), start=1)]
