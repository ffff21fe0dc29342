"""The figures behind `drill stats`: pure functions of the attempts, the catalog and a moment."""
import statistics
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from drill.days import ended_day, local_day, passed_days, streaks
from drill.schedule import reviews

WEEKS = 26


@dataclass
class ChunkStats:
    chunk: str
    attempts: int
    passed: int
    best_s: float = None
    median_s: float = None
    last_s: float = None
    times: list = field(default_factory=list)
    hints: int = 0
    due: str = None
    stability: float = None
    reviews: list = field(default_factory=list)

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


def compute(chunks, attempts, now, cards_now, tz=None, day_start_hour=4):
    """Every figure of `drill stats` at `now`, with the cards `cards_now` ({chunk: fsrs.Card})."""
    finished = [a for a in attempts if a.ended_at]
    targets = {c.name: c.target_s for c in chunks}
    review_list = reviews(finished, targets, tz, day_start_hour)
    today = local_day(now, tz, day_start_hour)
    first = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    days = {first + timedelta(days=i): 0 for i in range((today - first).days + 1)}
    for attempt in finished:
        day = ended_day(attempt, tz, day_start_hour)
        if day in days and attempt.outcome == "passed":
            days[day] += 1
    streak, longest = streaks(passed_days(finished, tz, day_start_hour), today)
    return Stats(streak, longest, sum(a.active_s for a in finished), len(finished),
                 sum(a.outcome == "passed" for a in finished), measured_retention(review_list),
                 days, [chunk_stats(c.name, finished, review_list, cards_now.get(c.name))
                        for c in chunks], hunts=hunt_figures(finished))


def hunt_figures(finished):
    """Bug hunts, a kind of their own: how many ended, how many found the bug (passed), the
    median time to find it, and per chunk [hunts, found]."""
    hunts = [a for a in finished if a.kind == "hunt"]
    times = [a.active_s for a in hunts if a.outcome == "passed"]
    per_chunk = {}
    for a in hunts:
        counts = per_chunk.setdefault(a.chunk, [0, 0])
        counts[0] += 1
        counts[1] += a.outcome == "passed"
    return {"hunts": len(hunts), "found": len(times),
            "median_s": statistics.median(times) if times else None, "chunks": per_chunk}


def measured_retention(review_list):
    """The share of reviews of chunks already learnt (every review but each chunk's first)
    that were recalled, i.e. not rated Again; None before there is any."""
    seen, recalled, total = set(), 0, 0
    for review in review_list:
        if review.chunk in seen:
            total += 1
            recalled += review.rating != "Again"
        seen.add(review.chunk)
    return recalled / total if total else None


def chunk_stats(name, finished, review_list, card):
    mine = [a for a in finished if a.chunk == name and a.kind == "practice"]
    times = [a.active_s for a in mine if a.outcome == "passed"]
    stats = ChunkStats(name, len(mine), len(times), times=times,
                       hints=sum(a.hints_used for a in mine),
                       reviews=[{"at": r.at.isoformat(), "rating": r.rating, "why": r.why}
                                for r in review_list if r.chunk == name])
    if times:
        stats.best_s, stats.median_s, stats.last_s = min(times), statistics.median(times), times[-1]
    if card is not None:
        stats.due, stats.stability = card.due.isoformat(), card.stability
    return stats

