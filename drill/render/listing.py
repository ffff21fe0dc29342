"""`drill list`, drawn with click alone: the quickest look at drill, so it loads no rich (rich's
console is a third of a read command's start). A row per chunk, in learning order, within the
terminal's width; colour only on a terminal, and never with NO_COLOR."""
import os
import shutil
import textwrap

from click import echo, style, unstyle

from drill.clock import mmss


def chunk_list(chunks, passed=()):
    """The chunks in learning order (✓ for those in `passed`), then one line on what next: the
    first chunk not passed yet, or a speedrun once all are. A title wider than the terminal
    wraps under itself; what a chunk builds on follows it, or goes under it."""
    width = shutil.get_terminal_size().columns
    name_w = max([len("chunk"), *(len(c.name) for c in chunks)])
    lines = [style("drill chunks, in learning order", bold=True),
             style(f" #   {'chunk':<{name_w}}  target  what you write", underline=True)]
    for chunk in chunks:
        mark = style("✓", fg="green") if chunk.name in passed else " "
        head = (f"{chunk.order:>2} {mark} " + style(f"{chunk.name:<{name_w}}", fg="cyan",
                                                     bold=True) + f"  {mmss(chunk.target_s):>6}  ")
        indent = len(unstyle(head))
        room = max(width - indent, 20)
        title = textwrap.wrap(chunk.title, room)
        after = f"after {', '.join(chunk.requires)}" if chunk.requires else ""
        if after and indent + len(title[-1]) + 2 + len(after) <= width:
            title[-1] += "  " + style(after, dim=True)
        elif after:
            title += [style(line, dim=True) for line in textwrap.wrap(after, room)]
        lines += [head + title[0], *(" " * indent + line for line in title[1:])]
    ahead = next((c.name for c in chunks if c.name not in passed), None)
    if ahead is None:
        lines.append(style("Next: ", dim=True) + style("drill speedrun full", bold=True)
                     + style(": every chunk passed, now all of it from memory.", dim=True))
    else:
        lines.append(style("Next: ", dim=True) + style(f"drill card {ahead}", bold=True)
                     + style(" to read what " + ("the first chunk" if not passed else "it")
                               + " asks.", dim=True))
    echo("\n".join(lines), color=False if os.environ.get("NO_COLOR") else None)
