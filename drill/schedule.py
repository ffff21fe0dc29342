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


# `rated` as SQL, for the store to pick the day's review among the attempts that can be one.
RATED_SQL = (f"kind = 'practice' AND NOT (outcome = 'abandoned' AND "
             f"active_s < {FIRST_MINUTE_S})")


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
    locked: dict = None  # the next chunk in order, when it waits for prerequisites to pass
    open: str = None  # the chunk of an attempt still open: resume it first
    next_step: str = ""
    later: tuple = ("", "")  # (command, why) for a day with nothing left: see `later`

    def to_dict(self):
        return {"due": [vars(d) | {"due": d.due.isoformat()} for d in self.due], "new": self.new,
                "new_today": self.new_today, "streak": self.streak, "longest": self.longest,
                "counts_today": self.counts_today, "full_run_s": self.full_run_s,
                "locked": self.locked, "open": self.open, "next": self.next_step,
                "later": {"command": self.later[0], "why": self.later[1]}}


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
    """{chunk: fsrs.Card} after replaying `review_list` in order (FSRS loaded only for one)."""
    if not review_list:
        return {}
    from fsrs import Card, Rating
    fsrs = scheduler(retention)
    found = {}
    for review in review_list:
        card = found.get(review.chunk) or Card(card_id=card_id(review.chunk))
        found[review.chunk], _ = fsrs.review_card(card, Rating[review.rating], review.at)
    return found


def today(chunks, summary, now, cards_now, retention=0.9, new_per_day=1, tz=None,
          day_start_hour=4):
    """Today's queue from the cards (`cards_now`, {chunk: fsrs.Card}) and the attempts'
    `summary` (drill.summary): due chunks most overdue first, the next new chunk or why there
    is none, the streak, and what to run next (an open attempt first)."""
    from drill.days import streaks
    now = now.astimezone(timezone.utc)
    this_day = local_day(now, tz, day_start_hour)
    queue = Today()
    due = [(name, card) for name, card in cards_now.items()
           if local_day(card.due, tz, day_start_hour) <= this_day]
    fsrs = scheduler(retention) if due else None  # FSRS loaded only for a card that is due
    for name, card in due:
        queue.due.append(Due(name, card.due, fsrs.get_card_retrievability(card, now),
                             card.stability))
    queue.due.sort(key=lambda d: d.due)
    queue.new_today = sum(local_day(at, tz, day_start_hour) == this_day
                          for at in summary.first_reviews.values())
    unseen = [c for c in chunks if c.name not in cards_now]
    ready = [c for c in unseen if all(r in summary.passed_chunks for r in c.requires)]
    if unseen and not ready:  # no new chunk whatever the day's limit: say what it waits for
        first = unseen[0]
        queue.locked = {"chunk": first.name,
                        "waits_for": [r for r in first.requires if r not in summary.passed_chunks]}
    if ready and queue.new_today < new_per_day:
        queue.new = ready[0].name
    queue.streak, queue.longest = streaks(summary.passed_days, this_day)
    queue.counts_today = this_day in summary.passed_days
    queue.full_run_s = summary.full_runs.get(this_day)
    queue.open = summary.open_chunk
    target = queue.due[0].chunk if queue.due else queue.new
    queue.next_step = ("drill resume" if queue.open else
                       f"drill start {target}" if target else "")
    queue.later = later(chunks, summary.passed_chunks)
    return queue


def later(chunks, passed):
    """What a day with nothing due or new still offers, fit for how far the learner has come:
    (command, why). The whole library against the clock once every part of it has passed;
    before that, a bug hunt in the latest chunk learnt; before any code, reading ahead."""
    whole = next((c for c in chunks if c.suites and set(c.suites) - {c.name} <= passed), None)
    if whole:
        return f"drill speedrun {whole.name}", "the whole library, timed"
    learnt = [c for c in chunks if c.kind == "code" and c.name in passed and c.mutants()]
    if learnt:
        return f"drill hunt {learnt[-1].name}", "fix a planted bug"
    ahead = next((c for c in chunks if c.name not in passed), None)
    if ahead:
        return f"drill card {ahead.name}", "read what comes next"
    return "", ""
