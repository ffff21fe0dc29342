"""Local days and streaks: the one place where UTC times become the learner's days.

A day begins at `day_start_hour` local time (4 a.m. by default, as in Anki), so a session past
midnight still counts for the evening it started in. Converting each moment with the time zone's
own rules keeps days right across daylight-saving changes.
"""
from datetime import datetime, timedelta


def local_day(moment, tz=None, day_start_hour=4):
    """The learner's day that `moment` (aware) falls in; `tz` None means the system's zone."""
    local = moment.astimezone(tz)
    return (local - timedelta(hours=day_start_hour)).date()


def sql_day(column, day_start_hour=4):
    """The SQL for local_day of a stored UTC time, in the system's zone, so that SQLite can
    group by day (its 'localtime' follows the same zone rules as the system)."""
    return f"date({column}, 'localtime', '-{int(day_start_hour)} hours')"


def ended_day(attempt, tz=None, day_start_hour=4):
    """The learner's day a finished attempt ended on."""
    return local_day(datetime.fromisoformat(attempt.ended_at), tz, day_start_hour)


def passed_days(attempts, tz=None, day_start_hour=4):
    """The days that count for a streak: those with at least one passed attempt."""
    return {ended_day(a, tz, day_start_hour) for a in attempts if a.outcome == "passed"}


def streaks(days, today):
    """(current, longest) runs of consecutive days in `days` (a set of dates).

    The current streak still stands on a day that does not count yet, if yesterday did: it ends
    only once a whole day passes without one.
    """
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return current, longest
