"""The consoles every screen prints to, and what the screens share: plurals, the error line,
`--json` output, local times and the colours of outcomes."""
from rich.console import Console
from rich.text import Text

from drill.clock import parse

# No :emoji: codes: they would load rich's table of emoji names on every first print.
out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


def plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def tally(chunk_name, passed, total, verb="pass"):
    """'8 of 10 tests pass' (`verb` 'passed' for a finished grading); a worksheet's tests are
    its answers: '8 of 10 answers right'."""
    from drill.catalog import load_catalog
    if any(c.name == chunk_name and c.kind == "worksheet" for c in load_catalog()):
        return f"{passed} of {plural(total, 'answer')} right"
    return f"{passed} of {plural(total, 'test')} {verb}"


def aligned(rows, left=(0,)):
    """Rows of cells (str or Text) as lines of Text, each column as wide as its widest cell and
    two spaces from the next, left-aligned in the columns `left` names and right-aligned in the
    others: a borderless rich Table that never wraps, drawn at a tenth of its time (stats'
    table of 11 chunks took a rich Table 33 ms)."""
    rows = [[cell if isinstance(cell, Text) else Text(cell) for cell in row] for row in rows]
    widths = [max(cell.cell_len for cell in column) for column in zip(*rows)]
    for row in rows:
        for i, (cell, width) in enumerate(zip(row, widths)):
            cell.align("left" if i in left else "right", width)
    lines = [Text("  ").join(row) for row in rows]
    for line in lines:
        line.rstrip()
    return lines


def error(message):
    err.print(Text("drill: ", style="bold red") + Text(message), soft_wrap=True)


def json_out(data):
    import json
    print(json.dumps(data, indent=2))


def wrote(path, what):
    out.print(Text(f"wrote {what} to ") + Text(str(path), style="bold"))


OUTCOMES = {"passed": "green", "failed": "red", "abandoned": "yellow", "open": "cyan"}


def local_time(text):
    """A stored UTC time as the learner's local time, to the minute."""
    return parse(text).astimezone().strftime("%Y-%m-%d %H:%M")
