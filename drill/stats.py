"""The figures behind `drill stats`: pure functions of the attempts' summary, the catalog and a
moment."""
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from drill.days import local_day, streaks
from drill.summary import ChunkFacts

WEEKS = 26


@dataclass
class ChunkStats:
    chunk: str
    attempts: int
    passed: int
    best_s: float = None
    median_s: float = None
    last_s: float = None
    times: list = field(default_factory=list)  # the latest passed times (summary.RECENT)
    hints: int = 0
    due: str = None
    stability: float = None
    reviews: list = field(default_factory=list)  # the latest reviews (summary.RECENT)
    draws: list = field(default_factory=list)  # a chunk that draws (extend): draw_figures

    @property
    def pass_rate(self):
        return self.passed / self.attempts if self.attempts else None


@dataclass
class Stats:
    streak: int
    longest: int
    practice_s: float
    attempts: int
    passed: int
    retention: float
    days: dict
    chunks: list
    speedruns: list = field(default_factory=list)  # per kind of run: progress.speedrun_records
    hunts: dict = field(default_factory=dict)  # bug hunts: hunt_figures

    @property
    def pass_rate(self):
        return self.passed / self.attempts if self.attempts else None

    def to_dict(self):
        data = asdict(self)
        data["pass_rate"] = self.pass_rate
        data["days"] = {day.isoformat(): n for day, n in self.days.items()}
        for chunk, stats in zip(data["chunks"], self.chunks):
            chunk["pass_rate"] = stats.pass_rate
        return data


def compute(chunks, summary, now, cards_now, tz=None, day_start_hour=4):
    """Every figure of `drill stats` at `now`, from the attempts' `summary` (drill.summary)
    and the cards `cards_now` ({chunk: a card}: of each, its `due` and `stability` alone)."""
    today = local_day(now, tz, day_start_hour)
    first = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    days = {first + timedelta(days=i): summary.passed_per_day.get(first + timedelta(days=i), 0)
            for i in range((today - first).days + 1)}
    streak, longest = streaks(summary.passed_days, today)
    return Stats(streak, longest, summary.practice_s, summary.finished, summary.passed,
                 summary.retention, days,
                 [chunk_stats(c.name, summary.chunks.get(c.name, ChunkFacts()),
                              summary.reviews.get(c.name, []), cards_now.get(c.name))
                  for c in chunks])


def draw_figures(chunk, sums):
    """How each draw of a chunk that draws (extend) went, in the chunk's order, from its
    attempts' `sums` per draw (store.draws: seed, drawn, passed, best time, hints, the latest
    outcome): how often it was drawn, passed, the best time, the hints taken and the latest
    outcome. Draws never drawn are left out."""
    from drill.draws import name_of
    figures = {}
    for seed, drawn, passed, best_s, hints, last in sums:
        name = name_of(chunk, seed)
        if name is not None:
            figures[name] = {"draw": name, "drawn": drawn, "passed": passed or 0,
                             "best_s": best_s, "hints": hints or 0, "last": last}
    return [figures[d["name"]] for d in chunk.draws if d["name"] in figures]


def hunt_figures(per_chunk, found_s):
    """Bug hunts, a kind of their own, from the finished hunts' [hunts, found] per chunk and
    the times of those found: how many, how many found, the median time to find one."""
    from statistics import median  # here: it loads fractions, decimal and random
    return {"hunts": sum(n for n, _ in per_chunk.values()), "found": len(found_s),
            "median_s": median(found_s) if found_s else None, "chunks": per_chunk}


def chunk_stats(name, facts, review_list, card):
    times = facts.times
    stats = ChunkStats(name, facts.attempts, facts.passed, facts.best_s, facts.median_s,
                       times[-1] if times else None, times, facts.hints,
                       reviews=[{"at": r.at.isoformat(), "rating": r.rating, "why": r.why}
                                for r in review_list])
    if card is not None:
        stats.due, stats.stability = card.due.isoformat(), card.stability
    return stats
