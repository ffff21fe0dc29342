"""The current time, which $DRILL_NOW (ISO 8601) replaces everywhere, for tests and demos.

Times are timezone-aware and stored as UTC; a DRILL_NOW without an offset is read as UTC.
"""
import os
from datetime import datetime, timezone

from drill.errors import DrillError


def parse(text):
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DrillError(f"not an ISO 8601 time: {text!r} (for example 2026-11-26T09:00:00+01:00)")
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def now():
    fixed = os.environ.get("DRILL_NOW")
    return parse(fixed) if fixed else datetime.now(timezone.utc)


def mmss(seconds):
    """Seconds as m:ss, the way a timer shows them."""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
