"""A speedrunner's arithmetic for drill's runs: splits, deltas, golds, sum of best.

A run is the list of its splits in completion order: (chunk, seconds since the run began when
that chunk's suite first passed). Chunks may be completed in any order, so everything compares
a chunk's split or segment with the same chunk's in other runs, as LiveSplit compares segments
by name. A segment is the time from the previous split (or the start) to this one.
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


def segments(run):
    """{chunk: segment seconds} of a run."""
    found, previous = {}, 0.0
    for chunk, split in run:
        found[chunk] = split - previous
        previous = split
    return found


def personal_best(finished):
    """The finished run with the lowest final time, or None."""
    return min(finished, key=lambda run: run[-1][1], default=None)


def best_segments(runs):
    """{chunk: the shortest segment ever recorded for it}, over every run, finished or not."""
    best = {}
    for run in runs:
        for chunk, segment in segments(run).items():
            if chunk not in best or segment < best[chunk]:
                best[chunk] = segment
    return best


def compare(run, earlier_runs, earlier_finished):
    """The rows of `run` against the runs before it: deltas to the personal best, the change
    since the previous split, and golds."""
    pb = personal_best(earlier_finished)
    pb_splits = dict(pb) if pb else {}
    best = best_segments(earlier_runs)
    rows, previous_delta, previous_split = [], 0.0, 0.0
    for chunk, split in run:
        segment, previous_split = split - previous_split, split
        row = Row(chunk, split, segment, gold=chunk in best and segment < best[chunk])
        if chunk in pb_splits:
            row.delta_s = split - pb_splits[chunk]
            row.change_s = row.delta_s - previous_delta
            previous_delta = row.delta_s
        rows.append(row)
    return rows


def sum_of_best(runs, chunks):
    """The sum of the best segments of `chunks`, or None until each has one."""
    best = best_segments(runs)
    if not all(chunk in best for chunk in chunks):
        return None
    return sum(best[chunk] for chunk in chunks)


def possible_time_save(finished, runs, chunks):
    """How much the personal best could still shrink: its time minus the sum of best."""
    pb, sob = personal_best(finished), sum_of_best(runs, chunks)
    return None if pb is None or sob is None else pb[-1][1] - sob
