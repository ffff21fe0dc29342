"""Scheduling and streaks, as pure functions of attempts, checked against hand calculations."""
import json
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from drill.catalog import load_catalog
from drill.days import local_day, streaks
from drill.schedule import cards, rate, reviews, today
from drill.store import Attempt
from drill.summary import from_attempts

from conftest import REFERENCE, drill

BERLIN = ZoneInfo("Europe/Berlin")
CHUNKS = load_catalog()
TARGETS = {c.name: c.target_s for c in CHUNKS}


def attempt(chunk, ended, outcome="passed", active_s=300.0, hints=0, peeked=0, n=[0]):
    """A finished practice attempt ending at `ended` (aware)."""
    n[0] += 1
    started = ended - timedelta(seconds=active_s)
    return Attempt(n[0], chunk, "practice", f"{chunk}.py", started.isoformat(), ended.isoformat(),
                   active_s, 0.0, outcome, hints, peeked, 1)


def deck(done):
    """The cards of a learner in Berlin who did `done`."""
    return cards(reviews(done, TARGETS, BERLIN), 0.9)


def queue_at(done, when, **settings):
    """Today's queue at `when` for a learner in Berlin, the cards rebuilt from `done`."""
    return today(CHUNKS, from_attempts(done, TARGETS, BERLIN), when, deck(done), tz=BERLIN,
                 **settings)


def berlin(day, hour, minute=0):
    return datetime(2026, day.month, day.day, hour, minute, tzinfo=BERLIN)


def test_ratings_follow_what_happened():
    target = TARGETS["topo"]  # 5:00
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), "failed"), target)[0] == "Again"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), "abandoned"), target)[0] == "Again"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), hints=1), target)[0] == "Hard"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), peeked=1), target)[0] == "Hard"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), active_s=301), target)[0] == "Hard"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), active_s=151), target)[0] == "Good"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), active_s=150), target)[0] == "Easy"
    assert rate(attempt("topo", berlin(date(2026, 11, 2), 9), active_s=372), TARGETS["ops"]) == \
        ("Good", "passed in 6:12, target 10:00, no hints")


def test_the_second_attempt_of_a_day_is_practice_not_a_review():
    day = date(2026, 11, 2)
    done = [attempt("ops", berlin(day, 9)), attempt("ops", berlin(day, 20)),
            attempt("ops", berlin(day + timedelta(days=1), 2))]  # 2 a.m.: still the same day
    assert [r.at.hour for r in reviews(done, TARGETS, BERLIN)] == [8]  # 9:00 Berlin is 8:00 UTC


def test_days_begin_at_the_configured_hour_across_a_daylight_saving_change():
    # Berlin leaves summer time on 25 October 2026 at 01:00 UTC (03:00 CEST becomes 02:00 CET),
    # so the 4 a.m. boundary is 02:00 UTC on the 24th and 03:00 UTC on the 25th.
    utc = timezone.utc
    assert local_day(datetime(2026, 10, 24, 1, 59, tzinfo=utc), BERLIN) == date(2026, 10, 23)
    assert local_day(datetime(2026, 10, 24, 2, 0, tzinfo=utc), BERLIN) == date(2026, 10, 24)
    assert local_day(datetime(2026, 10, 25, 2, 59, tzinfo=utc), BERLIN) == date(2026, 10, 24)
    assert local_day(datetime(2026, 10, 25, 3, 0, tzinfo=utc), BERLIN) == date(2026, 10, 25)
    assert local_day(datetime(2026, 10, 25, 3, 0, tzinfo=utc), BERLIN, day_start_hour=0) == \
        date(2026, 10, 25)


def test_streaks_count_back_from_today_or_yesterday():
    days = {date(2026, 11, d) for d in (1, 2, 3, 5, 6)}
    assert streaks(days, date(2026, 11, 6)) == (2, 3)
    assert streaks(days, date(2026, 11, 7)) == (2, 3)  # today does not count yet; yesterday did
    assert streaks(days, date(2026, 11, 8)) == (0, 3)
    assert streaks(set(), date(2026, 11, 8)) == (0, 0)


def test_thirty_days_with_a_missed_day_and_a_clock_change():
    first = date(2026, 10, 10)
    done = [attempt("ops", berlin(first + timedelta(days=i), 21, 30))
            for i in range(30) if i != 12]  # day 13 (22 October) missed; 25 October changes clocks
    last = first + timedelta(days=29)
    queue = queue_at(done, berlin(last, 22))
    assert (queue.streak, queue.longest, queue.counts_today) == (17, 17, True)
    morning = queue_at(done, berlin(last + timedelta(days=1), 8))
    assert (morning.streak, morning.counts_today) == (17, False)


def test_due_dates_follow_fsrs_from_the_first_review():
    monday = date(2026, 11, 2)
    good = [attempt("topo", berlin(monday, 9), active_s=200)]  # Good: stability 2.31, due in 2 days
    assert [d.chunk for d in queue_at(good, berlin(monday + timedelta(days=1), 9)).due] == []
    due = queue_at(good, berlin(monday + timedelta(days=2), 9)).due
    assert [d.chunk for d in due] == ["topo"] and round(due[0].stability, 4) == 2.3065
    easy = [attempt("topo", berlin(monday, 9), active_s=100)]  # Easy: due in 8 days
    assert queue_at(easy, berlin(monday + timedelta(days=7), 9)).due == []
    assert len(queue_at(easy, berlin(monday + timedelta(days=8), 9)).due) == 1


def test_new_chunks_come_in_order_after_their_prerequisites_one_a_day():
    monday = date(2026, 11, 2)
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    assert queue_at([], berlin(monday, 9)).new == "chain"
    passed_chain = [attempt("chain", berlin(monday, 10))]
    later = queue_at(passed_chain, berlin(monday, 11))
    assert (later.new, later.new_today) == (None, 1)
    assert queue_at(passed_chain, berlin(tuesday, 9)).new == "ops"
    passed_ops = passed_chain + [attempt("ops", berlin(tuesday, 10))]
    assert queue_at(passed_ops, berlin(wednesday, 9)).new == "trace"
    failed_ops = passed_chain + [attempt("ops", berlin(tuesday, 10), "failed")]
    assert queue_at(failed_ops, berlin(wednesday, 9)).new is None


def test_today_on_a_new_home_says_what_to_do():
    result = drill()
    assert result.exit_code == 0
    assert "Nothing is due today" in result.output and "Next: drill start chain" in result.output


def test_stats_figures_match_a_hand_count():
    from drill.stats import compute
    monday = date(2026, 11, 2)
    done = [attempt("topo", berlin(monday, 9), active_s=200),                          # Good
            attempt("topo", berlin(monday, 20), active_s=100),                         # practice
            attempt("topo", berlin(monday + timedelta(days=2), 9), "failed", 400),     # Again
            attempt("topo", berlin(monday + timedelta(days=3), 9), active_s=250, hints=2),  # Hard
            attempt("ops", berlin(monday + timedelta(days=3), 10), active_s=500)]      # Good
    figures = compute(CHUNKS, from_attempts(done, TARGETS, BERLIN),
                      berlin(monday + timedelta(days=3), 12), deck(done), tz=BERLIN)
    assert (figures.attempts, figures.passed, figures.practice_s) == (5, 4, 1450)
    assert (figures.streak, figures.longest) == (1, 1)
    assert figures.retention == 0.5  # topo's two later reviews: Again, then Hard
    assert figures.days[monday] == 2 and figures.days[monday + timedelta(days=2)] == 0
    topo = next(c for c in figures.chunks if c.chunk == "topo")
    assert (topo.attempts, topo.passed, topo.best_s, topo.median_s, topo.last_s, topo.hints) == \
        (4, 3, 100, 200, 250, 2)
    assert [r["rating"] for r in topo.reviews] == ["Good", "Again", "Hard"]
    assert min(figures.days) == date(2026, 5, 11)  # 26 weeks back, from a Monday


def test_stats_on_a_new_home_say_what_to_do():
    result = drill("stats")
    assert result.exit_code == 0 and "No finished attempts yet" in result.output


def test_thirty_days_through_the_commands_with_drill_now(monkeypatch, drill_home):
    """A learner in Berlin passes topo each evening in 4:00 (Good: target 5:00) for 30 days
    from 10 October 2026, misses 22 October, and the clocks change on 25 October."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        first = date(2026, 10, 10)
        for i in range(30):
            if i == 12:
                continue
            day = first + timedelta(days=i)
            start, end = berlin(day, 21, 30), berlin(day, 21, 34)
            drill("start", "topo", "--no-watch", now=start.isoformat())
            (drill_home / "workspace" / "topo.py").write_text(REFERENCE.read_text())
            checked = drill("check", now=end.isoformat())
            assert "Good: passed in 4:00, target 5:00, no hints" in checked.output
        last = berlin(first + timedelta(days=29), 23, 0).isoformat()
        queue = json.loads(drill("today", "--json", now=last).output)
        assert (queue["streak"], queue["longest"], queue["counts_today"]) == (17, 17, True)
        figures = json.loads(drill("stats", "--json", now=last).output)
        assert (figures["attempts"], figures["passed"], figures["practice_s"]) == (29, 29, 29 * 240)
        topo = next(c for c in figures["chunks"] if c["chunk"] == "topo")
        assert [r["rating"] for r in topo["reviews"]] == ["Good"] * 29
        assert figures["retention"] == 1.0
        # At a desired retention of 0.9, FSRS's interval is the card's stability in whole days.
        last_review = datetime.fromisoformat(topo["reviews"][-1]["at"])
        assert datetime.fromisoformat(topo["due"]) == \
            last_review + timedelta(days=round(topo["stability"]))
        assert datetime.fromisoformat(topo["due"]) > datetime.fromisoformat(last)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_no_new_chunk_says_what_it_waits_for_rather_than_the_day_s_limit():
    monday = date(2026, 11, 2)
    chain = attempt("chain", berlin(date(2026, 11, 1), 10))  # the first chunk, passed the day before
    failed_ops = [chain, attempt("ops", berlin(monday, 10), "failed")]
    queue = queue_at(failed_ops, berlin(monday, 11), new_per_day=2)
    assert (queue.new, queue.new_today) == (None, 1)
    assert queue.locked == {"chunk": "trace", "waits_for": ["ops"]}
    assert queue.next_step == ""
    passed_ops = [chain, attempt("ops", berlin(monday, 10))]
    assert queue_at(passed_ops, berlin(monday, 11)).locked is None  # the day's limit, not a lock


def test_today_names_the_lock_and_sends_an_open_attempt_to_resume(drill_home):
    from drill.progress import refresh_cards
    from drill.store import open_store
    store = open_store()
    earlier = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)  # due again in two days
    chain = store.start_attempt("chain", "chain.py", earlier)  # the first chunk, passed before
    store.finish_attempt(chain, "passed", earlier + timedelta(minutes=5))
    refresh_cards(store)
    drill("config", "new_per_day", "2")
    drill("start", "ops", "--no-watch")
    shown = drill("today").output
    assert "Open: ops" in shown and "Next: drill resume" in shown
    assert "drill start ops" not in shown
    ops = store.open_attempt("ops", "practice").id
    store.finish_attempt(ops, "failed", datetime(2026, 11, 26, 9, 5, tzinfo=timezone.utc))
    refresh_cards(store)
    shown = drill("today").output
    assert "No new chunk today: trace opens once you pass ops." in shown
    assert "started today" not in shown


def test_a_day_with_nothing_left_offers_what_fits_the_learner_s_stage():
    from drill.schedule import later
    assert later(CHUNKS, set()) == ("drill card chain", "read what comes next")
    assert later(CHUNKS, {"chain"})[0] == "drill card ops"  # day one: no 30-minute run yet
    assert later(CHUNKS, {"chain", "ops", "trace"})[0] == "drill hunt trace"
    assert later(CHUNKS, {"chain", "ops", "backward", "topo", "nn", "train"})[0] == \
        "drill speedrun full"
    monday = date(2026, 11, 2)
    done = [attempt("chain", berlin(monday, 9))]
    queue = queue_at(done, berlin(monday, 10))
    assert queue.next_step == "" and queue.later[0] == "drill card ops"
    assert queue.to_dict()["later"] == {"command": "drill card ops",
                                        "why": "read what comes next"}


def test_after_chain_on_day_one_today_and_the_pass_offer_no_speedrun(drill_home):
    from test_worksheet import filled, right_answers
    drill("start", "chain", "--no-watch")
    (attempt,) = json.loads(drill("history", "--json").output)
    path = drill_home / "workspace" / "chain.py"
    path.write_text(filled(attempt["seed"], right_answers(attempt["seed"])))
    passed = drill("check", now="2026-11-26T09:03:00Z")
    assert passed.exit_code == 0 and "speedrun" not in passed.output
    assert "Next: nothing else is due today; drill card ops: read what comes next." in \
        passed.output
    shown = drill("today", now="2026-11-26T10:00:00Z").output
    assert "speedrun" not in shown and "All done for today; drill card ops" in shown
