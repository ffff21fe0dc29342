"""What the schedule and the stats read of the attempts, summed up, so that they never hold a
whole history in memory.

The store sums the attempts up in SQL at any history size (Store.summary); `from_attempts`
does the same from a list of attempts, in Python: the definition the store must agree with.
"""
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from drill.days import ended_day, passed_days

RECENT = 30  # per chunk: the latest passed times (trend and chart) and reviews kept


@dataclass
class ChunkFacts:
    """A chunk's finished practice attempts: how many, passed, hints, and its times."""
    attempts: int = 0
    passed: int = 0
    hints: int = 0
    best_s: float = None
    median_s: float = None
    times: list = field(default_factory=list)  # the latest RECENT passed times, oldest first


@dataclass
class Summary:
    finished: int = 0
    passed: int = 0
    practice_s: float = 0.0
    chunks: dict = field(default_factory=dict)  # {chunk: ChunkFacts}
    passed_chunks: set = field(default_factory=set)  # passed at least once, in any kind
    passed_days: set = field(default_factory=set)  # the days that count for a streak
    passed_per_day: dict = field(default_factory=dict)  # {day: passed attempts}
    full_runs: dict = field(default_factory=dict)  # {day: best finished full speedrun}
    first_reviews: dict = field(default_factory=dict)  # {chunk: its first review's moment}
    reviews: dict = field(default_factory=dict)  # {chunk: its latest RECENT Reviews}
    retention: float = None  # see measured_retention
    open_chunk: str = None  # the chunk of the latest open attempt


def to_json(summary):
    """The summary as JSON text, to keep between commands (open_chunk is not kept)."""
    return json.dumps({
        "totals": [summary.finished, summary.passed, summary.practice_s],
        "chunks": {name: asdict(facts) for name, facts in summary.chunks.items()},
        "passed_chunks": sorted(summary.passed_chunks),
        "passed_per_day": {day.isoformat(): n for day, n in summary.passed_per_day.items()},
        "full_runs": {day.isoformat(): s for day, s in summary.full_runs.items()},
        "first_reviews": {chunk: at.isoformat() for chunk, at in summary.first_reviews.items()},
        "reviews": {chunk: [[r.attempt_id, r.at.isoformat(), r.rating, r.why] for r in mine]
                    for chunk, mine in summary.reviews.items()},
        "retention": summary.retention})


def from_json(text):
    from drill.schedule import Review
    data = json.loads(text)
    per_day = {date.fromisoformat(day): n for day, n in data["passed_per_day"].items()}
    return Summary(
        *data["totals"], {name: ChunkFacts(**facts) for name, facts in data["chunks"].items()},
        set(data["passed_chunks"]), set(per_day), per_day,
        {date.fromisoformat(day): s for day, s in data["full_runs"].items()},
        {chunk: datetime.fromisoformat(at) for chunk, at in data["first_reviews"].items()},
        {chunk: [Review(i, chunk, datetime.fromisoformat(at), rating, why)
                 for i, at, rating, why in mine] for chunk, mine in data["reviews"].items()},
        data["retention"])


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


def from_attempts(attempts, targets, tz=None, day_start_hour=4):
    """The summary of `attempts` (all of them, oldest first), in Python."""
    from statistics import median  # here: it loads fractions, decimal and random
    from drill.schedule import reviews
    finished = [a for a in attempts if a.ended_at]
    review_list = reviews(finished, targets, tz, day_start_hour)
    found = Summary(len(finished), sum(a.outcome == "passed" for a in finished),
                    sum(a.active_s for a in finished), retention=measured_retention(review_list))
    for a in finished:
        if a.kind == "practice":
            facts = found.chunks.setdefault(a.chunk, ChunkFacts())
            facts.attempts += 1
            facts.hints += a.hints_used
            if a.outcome == "passed":
                facts.passed += 1
                facts.times.append(a.active_s)
        if a.outcome == "passed":
            day = ended_day(a, tz, day_start_hour)
            found.passed_chunks.add(a.chunk)
            found.passed_per_day[day] = found.passed_per_day.get(day, 0) + 1
            if a.kind == "speedrun" and a.chunk == "full":
                found.full_runs[day] = min(a.active_s, found.full_runs.get(day, a.active_s))
    for facts in found.chunks.values():
        if facts.times:
            facts.best_s, facts.median_s = min(facts.times), median(facts.times)
            facts.times = facts.times[-RECENT:]
    found.passed_days = passed_days(finished, tz, day_start_hour)
    for review in review_list:
        found.first_reviews.setdefault(review.chunk, review.at)
        found.reviews.setdefault(review.chunk, []).append(review)
    found.reviews = {chunk: mine[-RECENT:] for chunk, mine in found.reviews.items()}
    found.open_chunk = next((a.chunk for a in reversed(attempts) if a.outcome == "open"), None)
    return found
