"""Where the learner stands: the store's attempts and cards, read with the learner's settings.

The glue between the store and the pure functions of schedule.py and stats.py. The FSRS cards
live in the store and are rewritten from the review history whenever it changes (an attempt
ends, an import, a setting that moves due dates), so they can always be rebuilt.
"""
from dataclasses import dataclass, field

from drill import config
from drill.catalog import load_catalog, wholes
from drill.clock import now


def refresh_cards(store, kept=True):
    """Rebuild every card from the review history, save them with it, and return the cards and
    the reviews. A store that `kept` no cards and has nothing to review is left unwritten."""
    from drill.schedule import cards as replay, reviews
    settings = config.load()
    targets = {c.name: c.target_s for c in load_catalog()}
    review_list = reviews(store.review_candidates(settings["day_start_hour"]), targets,
                          day_start_hour=settings["day_start_hour"])
    cards = replay(review_list, settings["desired_retention"])
    if not store.read_only and (kept or cards or review_list):
        store.save_cards({chunk: card.to_json() for chunk, card in cards.items()}, now(),
                         review_list)
    return cards, review_list


def cards(store, read=None):
    """The cards as the store holds them ({chunk: fsrs.Card}, or each as `read` makes it of its
    JSON), rebuilt if it holds none."""
    stored = store.load_cards()
    if not stored or not store.has_reviews():  # lost, or saved before reviews were
        return refresh_cards(store, kept=bool(stored))[0]
    if read is None:
        from fsrs import Card
        read = Card.from_json
    return {chunk: read(text) for chunk, text in stored.items()}


def due_and_stability(text):
    """What the stats page shows of a card, read from its JSON (fsrs' Card.to_json) without
    loading FSRS, which took longer than drawing the page."""
    import json
    from datetime import datetime
    from types import SimpleNamespace
    card = json.loads(text)
    return SimpleNamespace(due=datetime.fromisoformat(card["due"]), stability=card["stability"])


def queue(store):
    """Today's queue."""
    from drill.schedule import today
    settings = config.load()
    cards_now = cards(store)
    return today(load_catalog(), store.summary(settings["day_start_hour"]),
                 now(), cards_now, settings["desired_retention"], settings["new_per_day"],
                 day_start_hour=settings["day_start_hour"])


def review_of(store, attempt):
    """How a finished attempt counts (its Review, or None for practice), after updating the
    cards with it."""
    return next((r for r in refresh_cards(store)[1] if r.attempt_id == attempt.id), None)


def last_pass(store, attempt):
    """The passed attempt of the same chunk and kind before `attempt`, or None."""
    return next((a for a in reversed(store.attempts(attempt.chunk)) if a.id < attempt.id
                 and a.kind == attempt.kind and a.outcome == "passed"), None)


def figures(store):
    """Everything `drill stats` shows, the speedrun records included."""
    from drill.stats import compute, draw_figures, hunt_figures
    day_start_hour = config.load()["day_start_hour"]
    cards_now = cards(store, read=due_and_stability)
    catalog = load_catalog()
    found = compute(catalog, store.summary(day_start_hour), now(), cards_now,
                    day_start_hour=day_start_hour)
    for chunk, stats in zip(catalog, found.chunks):
        if chunk.draws:  # which operations were drawn, and how each went
            stats.draws = draw_figures(chunk, store.draws(chunk.name))
    found.speedruns = speedrun_records(store)
    found.hunts = hunt_figures(*store.hunts())
    return found


def speedrun_records(store):
    """Per kind of run (full, or one chunk): runs, finished, personal best and sum of best."""
    from drill.catalog import get_chunk
    from drill.splits import sum_of_best
    records = []
    for kind in sorted({attempt.chunk for attempt, _ in runs_of(store)}):
        runs = runs_of(store, kind)
        chunk = get_chunk(kind).as_run("speedrun")
        finished = [a.active_s for a, _ in runs if a.outcome == "passed"]
        records.append({"run": kind, "runs": len(runs), "finished": len(finished),
                        "best_s": min(finished, default=None),
                        "sum_of_best_s": sum_of_best([s for _, s in runs if s],
                                                     chunk.split_names(), wholes())})
    return records


@dataclass
class RunReport:
    """A speedrun against the runs before it: its split rows, and the records."""
    attempt: object
    rows: list
    chunks: list
    best_s: float = None
    sum_of_best_s: float = None
    time_save_s: float = None
    never_alone: list = field(default_factory=list)  # why there is no sum of best yet


def runs_of(store, chunk=None):
    """[(attempt, splits)] of every speedrun (of `chunk`, if given), oldest first."""
    return [(a, splits_of(store, a)) for a in store.attempts(chunk, kind="speedrun")]


def splits_of(store, attempt):
    """A run's splits in whole seconds: rounded once, here, so every segment, sum and saving
    shown is worked out from the same figures and they add up on screen."""
    return [(chunk, round(at_s)) for chunk, at_s in store.splits(attempt.id)]


def run_report(store, attempt):
    """The report of speedrun `attempt`: each split compared with the earlier runs'."""
    from drill.catalog import get_chunk
    from drill.splits import compare, never_alone, personal_best, possible_time_save, sum_of_best
    names = get_chunk(attempt.chunk).as_run("speedrun").split_names()
    runs = runs_of(store, attempt.chunk)
    earlier = [(a, s) for a, s in runs if a.id < attempt.id and s]
    earlier_finished = [s for a, s in earlier if a.outcome == "passed"]
    everything = [s for _, s in runs if s]
    finished = [s for a, s in runs if a.outcome == "passed" and s]
    pb = personal_best(earlier_finished)
    whole = wholes()
    return RunReport(attempt, compare(splits_of(store, attempt), [s for _, s in earlier],
                                      earlier_finished, whole), names,
                     pb[-1][1] if pb else None, sum_of_best(everything, names, whole),
                     possible_time_save(finished, everything, names, whole),
                     never_alone(everything, names, whole))
