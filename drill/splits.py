"""A speedrunner's arithmetic for drill's runs: splits, deltas, golds, sum of best.

A run is the list of its splits in completion order: (chunk, seconds since the run began when
that chunk's suite first passed). Chunks may be completed in any order, so everything compares
a chunk's split or segment with the same chunk's in other runs, as LiveSplit compares segments
by name. A segment is the time from the previous split (or the start) to this one.

One save may pass several chunks at once: they share one split time, and the time before it
belongs to all of them together, to none alone. Such a segment is shown as shared, is never a
gold, and never stands for one chunk in the sum of best. A split of the whole (`whole`: full's
own, which waits on every other) passes with the last part by design: it is no chunk of a save.
"""
from dataclasses import dataclass


@dataclass
class Row:
    """One split of the current run, compared."""
    chunk: str
    split_s: float
    segment_s: float
    delta_s: float = None    # split minus the personal best's split for this chunk
    change_s: float = None   # how much this segment gained (<0) or lost (>0) against the PB's
    gold: bool = False       # beats every earlier segment of this chunk (none on a first run)
    save: tuple = ()         # every chunk passed by the same save, when it passed several


def saves(run, whole=()):
    """{chunk: the chunks passed by its save, in order} of a run; a split of the `whole` is
    alone in its save."""
    at = {}
    for chunk, split in run:
        if chunk not in whole:
            at.setdefault(split, []).append(chunk)
    return {chunk: (chunk,) if chunk in whole else tuple(at[split]) for chunk, split in run}


def segments(run, whole=()):
    """{chunk: segment seconds} of a run, for the chunks that passed on a save of their own."""
    found, previous, together = {}, 0.0, saves(run, whole)
    for chunk, split in run:
        if len(together[chunk]) == 1:
            found[chunk] = split - previous
        previous = split
    return found


def personal_best(finished):
    """The finished run with the lowest final time, or None."""
    return min(finished, key=lambda run: run[-1][1], default=None)


def best_segments(runs, whole=()):
    """{chunk: the shortest segment ever recorded for it}, over every run, finished or not."""
    best = {}
    for run in runs:
        for chunk, segment in segments(run, whole).items():
            if chunk not in best or segment < best[chunk]:
                best[chunk] = segment
    return best


def compare(run, earlier_runs, earlier_finished, whole=()):
    """The rows of `run` against the runs before it: deltas to the personal best, the change
    since the previous split, and golds."""
    pb = personal_best(earlier_finished)
    pb_splits = dict(pb) if pb else {}
    best = best_segments(earlier_runs, whole)
    rows, previous_delta, previous_split, together = [], 0.0, 0.0, saves(run, whole)
    for chunk, split in run:
        segment, previous_split = split - previous_split, split
        save = together[chunk] if len(together[chunk]) > 1 else ()
        row = Row(chunk, split, segment, save=save,
                  gold=not save and chunk in best and segment < best[chunk])
        if chunk in pb_splits:
            row.delta_s = split - pb_splits[chunk]
            row.change_s = row.delta_s - previous_delta
            previous_delta = row.delta_s
        rows.append(row)
    return rows


def sum_of_best(runs, chunks, whole=()):
    """The sum of the best segments of `chunks`, or None until each has one of its own."""
    best = best_segments(runs, whole)
    if not all(chunk in best for chunk in chunks):
        return None
    return sum(best[chunk] for chunk in chunks)


def possible_time_save(finished, runs, chunks, whole=()):
    """How much the personal best could still shrink: its time minus the sum of best."""
    pb, sob = personal_best(finished), sum_of_best(runs, chunks, whole)
    return None if pb is None or sob is None else pb[-1][1] - sob


def never_alone(runs, chunks, whole=()):
    """The chunks of `chunks` that have passed, but only ever together with others in one
    save: until they pass alone, the sum of best would count their time as nothing."""
    passed = {chunk for run in runs for chunk, _ in run}
    best = best_segments(runs, whole)
    return [chunk for chunk in chunks if chunk in passed and chunk not in best]
