"""Backups as the learner sees them: the one just made, the list of them, and a restore."""
from rich.table import Table
from rich.text import Text

from drill.render.common import err, out, plural


def size(nbytes):
    for unit in ("B", "kB", "MB"):
        if nbytes < 1000:
            return f"{nbytes:.0f} {unit}"
        nbytes /= 1000
    return f"{nbytes:.1f} GB"


def when(backup):
    return backup.at.astimezone().strftime("%Y-%m-%d %H:%M")


def backup_made(landed):
    """`drill backup`: where the backup went."""
    out.print(f"Backed up {plural(landed[0].attempts, 'attempt')} to:")
    for backup in landed:
        _path(backup.path)


def backup_list(backups):
    """`drill backup --list`: the backups, newest first, numbered for `drill restore N`."""
    if not backups:
        out.print("No backups yet: drill makes one after each attempt, and drill backup now.")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("#", "made", "size", "attempts", "kind", "where"):
        table.add_column(column, justify="right" if column in ("#", "size", "attempts")
                         else "left", no_wrap=column != "where", overflow="fold")
    for number, backup in enumerate(backups, start=1):
        table.add_row(str(number), when(backup), size(backup.size),
                      "?" if backup.attempts is None else str(backup.attempts),
                      Text("copy", style="dim") if backup.copy else "backup",
                      _folder(backup.path.parent))
    out.print(table)
    out.print(Text("drill restore puts back the newest good one, drill restore N the one "
                   "numbered N. A copy is the one drill keeps to undo a grading; --json names "
                   "each file.", style="dim"))


def _folder(path):
    """A folder, in the home directory shortened to ~/."""
    from pathlib import Path
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def restored(backup, kept, passed_over):
    """`drill restore`: the backups passed over, what was put back, and where the database it
    replaced is kept."""
    for skipped, why in passed_over:
        note(f"passed over {skipped.path}: {why}")
    which = "drill's copy" if backup.copy else "the backup"
    out.print(f"Restored {which} of {when(backup)} ({plural(backup.attempts, 'attempt')}) from")
    _path(backup.path)
    if kept:
        out.print("The database it replaced is kept as")
        _path(kept)


def _path(path):
    out.print(Text(f"  {path}", style="bold"), soft_wrap=True)


def note(message):
    """A line drill has to say beside a command's own output (on stderr)."""
    err.print(Text("drill: ", style="bold yellow") + Text(message), soft_wrap=True)
