"""What is due today, decided by FSRS from what the learner did; pure functions of the attempts.

Each chunk is an FSRS card. The first finished attempt of a chunk on a local day is a review,
rated from what happened (never asked); later ones that day are practice. The cards are rebuilt
by replaying the reviews in order, so the schedule always agrees with the history.
"""
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from drill.clock import mmss as clock
from drill.days import local_day

EASY_SHARE = 0.5  # passed in at most half the target, with no help: Easy
FIRST_MINUTE_S = 60  # an attempt abandoned sooner was a slip or a change of mind, not a review


def rated(attempt):
    """Whether a finished attempt can be a review: a practice, not abandoned in its first
    minute (kept in the history all the same)."""
    return attempt.kind == "practice" and not (
        attempt.outcome == "abandoned" and attempt.active_s < FIRST_MINUTE_S)


@dataclass
class Review:
    attempt_id: int
    chunk: str
    at: datetime
    rating: str
    why: str


@dataclass
class Due:
    chunk: str
    due: datetime
    retrievability: float
    stability: float


@dataclass
class Today:
    due: list = field(default_factory=list)
    new: str = None
    new_today: int = 0
    streak: int = 0
    longest: int = 0
    counts_today: bool = False
    full_run_s: float = None  # the best finished speedrun of full today: proof of recall
    next_step: str = ""

    def to_dict(self):
        return {"due": [vars(d) | {"due": d.due.isoformat()} for d in self.due], "new": self.new,
                "new_today": self.new_today, "streak": self.streak, "longest": self.longest,
                "counts_today": self.counts_today, "full_run_s": self.full_run_s,
                "next": self.next_step}


def rate(attempt, target_s):
    """(rating, why) of a finished attempt: Again, Hard, Good or Easy, and the reason in words."""
    if attempt.outcome != "passed":
        return "Again", f"{attempt.outcome}"
    took = f"passed in {clock(attempt.active_s)}, target {clock(target_s)}"
    helped = [what for what, used in (("a hint", attempt.hints_used),
                                      ("a look at the reference", attempt.peeked)) if used]
    if helped:
        return "Hard", f"{took}, after {' and '.join(helped)}"
    if attempt.active_s > target_s:
        return "Hard", f"{took}: slower than the target"
    if attempt.active_s <= EASY_SHARE * target_s:
        return "Easy", f"{took}, no hints: well under the target"
    return "Good", f"{took}, no hints"


def reviews(attempts, targets, tz=None, day_start_hour=4):
    """The attempts that count as reviews (the first finished one of a chunk each day), rated."""
    seen, found = set(), []
    for attempt in sorted((a for a in attempts if a.ended_at and rated(a)),
                          key=lambda a: a.ended_at):
        ended = datetime.fromisoformat(attempt.ended_at).astimezone(timezone.utc)  # as FSRS wants
        key = (attempt.chunk, local_day(ended, tz, day_start_hour))
        if key in seen or attempt.chunk not in targets:
            continue
        seen.add(key)
        rating, why = rate(attempt, targets[attempt.chunk])
        found.append(Review(attempt.id, attempt.chunk, ended, rating, why))
    return found


def scheduler(retention):
    """FSRS with whole days between reviews: no learning steps (one review a day at most)."""
    from fsrs import Scheduler
    return Scheduler(desired_retention=retention, learning_steps=(), relearning_steps=(),
                     enable_fuzzing=False)


def card_id(chunk):
    """A chunk's card id: the same on every machine and every rebuild."""
    return zlib.crc32(chunk.encode())


def cards(review_list, retention):
    """{chunk: fsrs.Card} after replaying `review_list` in order."""
    from fsrs import Card, Rating
    fsrs = scheduler(retention)
    found = {}
    for review in review_list:
        card = found.get(review.chunk) or Card(card_id=card_id(review.chunk))
        found[review.chunk], _ = fsrs.review_card(card, Rating[review.rating], review.at)
    return found


def deck(chunks, attempts, retention=0.9, tz=None, day_start_hour=4):
    """{chunk: fsrs.Card} rebuilt from the attempts' review history."""
    targets = {c.name: c.target_s for c in chunks}
    return cards(reviews(attempts, targets, tz, day_start_hour), retention)


def today(chunks, attempts, now, cards_now, retention=0.9, new_per_day=1, tz=None,
          day_start_hour=4):
    """Today's queue from the cards (`cards_now`, {chunk: fsrs.Card}) and the attempts: due
    chunks most overdue first, the next new chunk, and the streak."""
    from drill.days import ended_day, passed_days, streaks
    now = now.astimezone(timezone.utc)
    targets = {c.name: c.target_s for c in chunks}
    review_list = reviews(attempts, targets, tz, day_start_hour)
    fsrs = scheduler(retention)
    this_day = local_day(now, tz, day_start_hour)
    queue = Today()
    for name, card in cards_now.items():
        if local_day(card.due, tz, day_start_hour) <= this_day:
            queue.due.append(Due(name, card.due, fsrs.get_card_retrievability(card, now),
                                 card.stability))
    queue.due.sort(key=lambda d: d.due)
    first_days = {}
    for review in review_list:
        first_days.setdefault(review.chunk, local_day(review.at, tz, day_start_hour))
    queue.new_today = sum(day == this_day for day in first_days.values())
    passed = {a.chunk for a in attempts if a.outcome == "passed"}
    if queue.new_today < new_per_day:
        queue.new = next((c.name for c in chunks if c.name not in cards_now
                          and all(r in passed for r in c.requires)), None)
    days = passed_days(attempts, tz, day_start_hour)
    queue.streak, queue.longest = streaks(days, this_day)
    queue.counts_today = this_day in days
    full_runs = [a.active_s for a in attempts if a.kind == "speedrun" and a.chunk == "full"
                 and a.outcome == "passed" and ended_day(a, tz, day_start_hour) == this_day]
    queue.full_run_s = min(full_runs, default=None)
    target = queue.due[0].chunk if queue.due else queue.new
    queue.next_step = f"drill start {target}" if target else ""
    return queue


def verdict(chunks, attempts, attempt_id, tz=None, day_start_hour=4):
    """How a finished attempt counts: its Review (rating and why), or None for practice."""
    targets = {c.name: c.target_s for c in chunks}
    return next((r for r in reviews(attempts, targets, tz, day_start_hour)
                 if r.attempt_id == attempt_id), None)
