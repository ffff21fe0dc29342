"""What the store hands back: an attempt and a kept version, as plain dataclasses with a
dictionary form for `--json` and export; and a moment as the store writes it (ISO 8601 text)."""
import json
from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass
class Attempt:
    id: int
    chunk: str
    kind: str
    file: str
    started_at: str
    ended_at: str
    active_s: float
    paused_s: float
    outcome: str
    hints_used: int
    peeked: int
    checks: int
    paused_since: str = None
    last_seen: str = None
    seed: int = None
    mutant: str = None
    hints_given: str = None  # JSON: the numbers of the hints given, in order (drill.hints)

    def to_dict(self):
        return asdict(self)

    def active_s_at(self, moment):
        """Active seconds so far at `moment`: wall time since the start, less time away."""
        if self.ended_at:
            return self.active_s
        until = datetime.fromisoformat(self.paused_since) if self.paused_since else moment
        return max((until - datetime.fromisoformat(self.started_at)).total_seconds()
                   - self.paused_s, 0.0)


@dataclass
class Snapshot:
    id: int
    attempt_id: int
    taken_at: str
    reason: str
    content: str
    passed: int
    result: str

    def to_dict(self):
        data = asdict(self)
        data["result"] = json.loads(self.result) if self.result else None
        return data


def as_iso(moment):
    """The column form of a time: ISO 8601 text (a str is taken as already in that form)."""
    return moment if isinstance(moment, str) else moment.isoformat()
