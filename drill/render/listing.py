"""`drill list`, drawn with click alone: the quickest look at drill, so it loads no rich (rich's
console is a third of a read command's start). A row per chunk, in learning order, within the
terminal's width; colour only on a terminal, and never with NO_COLOR."""
import os
import shutil

from click import echo, style, unstyle

from drill.clock import mmss


def chunk_list(chunks, passed=()):
    """The chunks in learning order (✓ for those in `passed`), then one line on what next: the
    first chunk not passed yet, or a speedrun once all are. What a chunk builds on follows its
    title, or goes under it when the row would be wider than the terminal."""
    width = shutil.get_terminal_size().columns
    name_w = max([len("chunk"), *(len(c.name) for c in chunks)])
    lines = [style("drill chunks, in learning order", bold=True),
             style(f" #   {'chunk':<{name_w}}  target  what you write", underline=True)]
    for chunk in chunks:
        mark = style("✓", fg="green") if chunk.name in passed else " "
        head = (f"{chunk.order:>2} {mark} " + style(f"{chunk.name:<{name_w}}", fg="cyan",
                                                     bold=True) + f"  {mmss(chunk.target_s):>6}  ")
        indent = len(unstyle(head))
        after = f"after {', '.join(chunk.requires)}" if chunk.requires else ""
        if not after:
            lines.append(head + chunk.title)
        elif indent + len(chunk.title) + 2 + len(after) <= width:
            lines.append(head + chunk.title + "  " + style(after, dim=True))
        else:
            lines += [head + chunk.title, " " * indent + style(after, dim=True)]
    ahead = next((c.name for c in chunks if c.name not in passed), None)
    if ahead is None:
        lines.append(style("Next: ", dim=True) + style("drill speedrun full", bold=True)
                     + style(": every chunk passed, now all of it from memory.", dim=True))
    else:
        lines.append(style("Next: ", dim=True) + style(f"drill card {ahead}", bold=True)
                     + style(" to read what " + ("the first chunk" if not passed else "it")
                               + " asks.", dim=True))
    echo("\n".join(lines), color=False if os.environ.get("NO_COLOR") else None)
