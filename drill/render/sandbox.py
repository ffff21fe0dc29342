"""The grader's sandbox as the learner sees it: `drill doctor`'s protections, and the note
before a grading when some are off."""
from rich.table import Table
from rich.text import Text

from drill.render.common import err, out


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
