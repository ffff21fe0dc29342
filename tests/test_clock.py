"""DRILL_NOW replaces the current time everywhere."""
from datetime import datetime, timezone

import pytest

from drill.clock import now, parse
from drill.errors import DrillError


def test_drill_now_fixes_the_clock(monkeypatch):
    monkeypatch.setenv("DRILL_NOW", "2026-03-29T01:30:00+01:00")
    assert now() == datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)


def test_a_time_without_offset_is_utc_and_z_is_accepted():
    assert parse("2026-11-26T09:00:00") == parse("2026-11-26T09:00:00Z")
    assert parse("2026-11-26T09:00:00Z").utcoffset().total_seconds() == 0


def test_without_drill_now_the_clock_runs(monkeypatch):
    monkeypatch.delenv("DRILL_NOW")
    assert now().tzinfo is not None and now().year >= 2026


def test_a_bad_drill_now_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("DRILL_NOW", "yesterday")
    with pytest.raises(DrillError, match="not an ISO 8601 time"):
        now()
