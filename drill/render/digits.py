"""`drill digits`: held-out digits drawn in half blocks with the network's guesses, the
confusion matrix, the loss curve (plotext, as moons draws it), and what the engine cost."""
from rich.table import Table
from rich.text import Text

from drill.clock import mmss as clock
from drill.render.common import out, plural
from drill.render.moons import plotted

CELL = 10  # characters a drawn digit takes across: its 8 pixels and a gap of 2
SHOWN = 16  # held-out digits drawn
INK = 6  # the grey level (of 16) from which a pixel is drawn without colour
HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def in_colour():
    return out.is_terminal and not out.no_color


def digit_lines(pixels, colour):
    """An 8x8 image as 4 lines of 8 characters, each character two pixels, one above the other:
    in colour, an upper half block in the top pixel's grey on the bottom one's; without, a half
    or full block where the pixels are dark enough (INK)."""
    from drill.digits import LEVELS, SIDE
    lines = []
    for row in range(0, SIDE, 2):
        line = Text()
        for top, bottom in zip(pixels[row * SIDE:(row + 1) * SIDE],
                               pixels[(row + 1) * SIDE:(row + 2) * SIDE]):
            if colour:
                grey = lambda level: "rgb({0},{0},{0})".format(round(255 * level / LEVELS))
                line.append("▀", style=f"{grey(top)} on {grey(bottom)}")
            else:
                line.append(HALVES[top >= INK, bottom >= INK])
        lines.append(line)
    return lines


def shown(run):
    """Which held-out images to draw: the first wrong ones (at most half), then right ones, a
    digit at a time; in the order of their digits."""
    wrong = [i for i, (g, d) in enumerate(zip(run.test, run.y_test)) if g != d][:SHOWN // 2]
    right = {}
    for i, (g, d) in enumerate(zip(run.test, run.y_test)):
        if g == d:
            right.setdefault(d, []).append(i)
    picked, queues = list(wrong), [right[d] for d in sorted(right)]
    while len(picked) < min(SHOWN, len(run.test)) and any(queues):
        for queue in queues:
            if queue and len(picked) < SHOWN:
                picked.append(queue.pop(0))
    return sorted(picked, key=lambda i: (run.y_test[i], i))


def caption(guess, digit):
    """Under a drawn digit: the guess, and for a wrong one ✗ and the right digit."""
    if guess == digit:
        return Text(f"{guess}".center(CELL - 2), style="green")
    return Text(f"{guess} ✗ {digit}".center(CELL - 2), style="bold red")


def digit_grid(run):
    """Some held-out digits as the network saw them, its guess under each."""
    from drill.digits import images, split
    _, test = split(images())
    colour, across = in_colour(), max(1, min(8, (min(out.width, 80) + 2) // CELL))
    picked, lines = shown(run), [Text("Held-out digits, your network's guess under each (✗: "
                                      "wrong, then the right one):", style="bold")]
    for start in range(0, len(picked), across):
        row = picked[start:start + across]
        drawn = [digit_lines(test[i][0], colour) for i in row]
        for k in range(4):
            lines.append(Text("  ").join(d[k] for d in drawn))
        lines.append(Text("  ").join(caption(run.test[i], run.y_test[i]) for i in row))
    return Text("\n").join(lines)


def confusion_table(run):
    """rows: the digit; columns: the network's guess; the diagonal is what it got right."""
    table = Table(padding=(0, 1), box=None, header_style="bold")
    table.add_column("", justify="right", style="bold")
    for guess in range(10):
        table.add_column(str(guess), justify="right")
    table.add_column("right", justify="right")
    for digit, counts in enumerate(run.confusion()):
        cells = [Text(str(n), style="bold green") if g == digit else
                 Text(str(n), style="red") if n else Text("·", style="dim")
                 for g, n in enumerate(counts)]
        share = counts[digit] / sum(counts) if sum(counts) else 0.0
        table.add_row(str(digit), *cells, f"{share:.0%}")
    return table


def loss_curve(run):
    def build(plt, width):
        plt.plotsize(width, 14)
        plt.plot([s["step"] for s in run.steps], [s["loss"] for s in run.steps],
                 marker="braille")
        plt.title("loss: the mean cross-entropy of each step's batch")
        plt.xlabel("step")
    return plotted(build)


def digits_run(run):
    """After `drill digits`: the digits and guesses, the confusion matrix, the loss curve, the
    accuracies and what the engine cost."""
    settings = run.settings
    out.print(digit_grid(run))
    out.print()
    out.print(Text("The held-out digits: a row for each digit, a column for each guess of your "
                   "network (the diagonal is what it got right):", style="bold"))
    out.print(confusion_table(run))
    if run.steps:
        out.print(loss_curve(run))
    line = Text(f"classifier(64, {list(settings.hidden)}, 10), "
                f"{plural(len(run.steps), 'step')} of {settings.batch} images in "
                f"{run.seconds:.1f} s: ")
    line += Text(f"{run.test_accuracy:.0%} of the {len(run.y_test)} held-out digits right",
                 style="bold")
    line += Text(f" ({run.train_accuracy:.0%} of {len(run.y_train)} it trained on).")
    out.print(line)
    if run.stopped:
        out.print(Text(f"Stopped at step {len(run.steps)} of {settings.steps}, as you stopped it: "
                       "the pictures show what it had learned by then; all "
                       f"{settings.steps} steps would take about "
                       f"{clock(run.whole_s) if run.steps else '-'} at this "
                       "pace.", style="yellow"))
    if run.node_us is not None:
        out.print(Text(
            f"Each step built {run.nodes:,} Values for its {settings.batch} images and walked "
            f"back through them: {run.step_s:.2f} s a step, {run.example_ms:.0f} ms an image, "
            f"{run.node_us:.1f} µs a Value. A tensor library does the batch as one matrix "
            f"product a layer ({products(settings)}) forward and two backward, over arrays "
            "with no Python object per number.", style="dim"))


def products(settings):
    """The matrix products of a batch's forward pass: '32x64 by 64x16, 32x16 by 16x10'."""
    sizes = [64] + list(settings.hidden) + [10]
    return ", ".join(f"{settings.batch}x{a} by {a}x{b}" for a, b in zip(sizes, sizes[1:]))
