"""`drill config`: the settings, their values and what each means."""
from rich.table import Table
from rich.text import Text

from drill.render.common import out


def settings(values, meanings, only=None):
    table = Table(show_header=False, box=None)
    for key, value in values.items():
        if only in (None, key):
            table.add_row(Text(key, style="bold"), Text(repr(value) if value != "" else "(unset)"),
                          Text(meanings[key][2], style="dim"))
    out.print(table)
