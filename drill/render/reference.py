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
        out.print(Text("The other function is identical to the reference." if same == 1 else
                       f"The other {same} functions are identical to the reference.",
                       style="dim"))
