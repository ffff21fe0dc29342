"""Every test runs with its own DRILL_HOME and a fixed clock: the real home folder is never touched."""
from pathlib import Path

import pytest

from drill.catalog import load_catalog
from drill.grading import grade

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "micrograd.py"
CHUNKS = {c.name: c for c in load_catalog()}


@pytest.fixture(autouse=True)
def drill_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DRILL_HOME", str(home))
    monkeypatch.setenv("DRILL_NOW", "2026-11-26T09:00:00+00:00")
    return home


def verdict(chunk, path, profile="quick", **kwargs):
    """Grade `path` on the chunk named `chunk`; the GradeResult."""
    return grade(CHUNKS[chunk], path, profile, **kwargs)


def failures(result):
    return "\n".join(f"{t.name} [{t.status}]: {t.message}" for t in result.tests if t.status != "pass")
