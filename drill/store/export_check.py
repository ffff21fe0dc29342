"""The check an export passes before `drill import` writes any of it: every section drill
writes is there, and every record holds only the fields drill writes, each of the kind drill
writes, naming a chunk drill has, so a hand-edited or foreign file is refused with the first
bad record named rather than half imported."""
from datetime import datetime

from drill.errors import DrillError


def _whole(v):
    return type(v) is int


def _number(v):
    return type(v) in (int, float)


def _time(v):
    try:
        return datetime.fromisoformat(v) is not None
    except (TypeError, ValueError):
        return False


def _text(v):
    return isinstance(v, str)


def _numbers(v):
    import json
    try:
        found = json.loads(v)
    except (TypeError, ValueError):
        return False
    return isinstance(found, list) and all(_whole(n) for n in found)


def _maybe(test):
    return lambda v: v is None or test(v)


# What an export's records may hold: {table: {field: (check, what it must be, required)}}
EXPORT_FIELDS = {
    "attempts": {
        "id": (_whole, "a whole number", True), "chunk": (_text, "text", True),
        "kind": (lambda v: v in ("practice", "speedrun", "hunt"),
                 "practice, speedrun or hunt", False), "file": (_text, "text", True),
        "started_at": (_time, "an ISO 8601 time", True),
        "ended_at": (_maybe(_time), "an ISO 8601 time or null", False),
        "active_s": (_number, "a number", False), "paused_s": (_number, "a number", False),
        "outcome": (lambda v: v in ("open", "passed", "failed", "abandoned"),
                    "open, passed, failed or abandoned", False),
        "hints_used": (_whole, "a whole number", False), "peeked": (_whole, "a whole number", False),
        "checks": (_whole, "a whole number", False),
        "paused_since": (_maybe(_time), "an ISO 8601 time or null", False),
        "last_seen": (_maybe(_time), "an ISO 8601 time or null", False),
        "seed": (_maybe(_whole), "a whole number or null", False),
        "mutant": (_maybe(_text), "text or null", False),
        "hints_given": (_maybe(_numbers), "a JSON list of whole numbers, or null", False)},
    "snapshots": {
        "id": (_whole, "a whole number", False), "attempt_id": (_whole, "a whole number", True),
        "taken_at": (_time, "an ISO 8601 time", True), "reason": (_text, "text", True),
        "content": (_text, "text", True), "passed": (_maybe(_whole), "0, 1 or null", False),
        "result": (_maybe(_text), "text or null", False)},
    "splits": {
        "attempt_id": (_whole, "a whole number", True), "chunk": (_text, "text", True),
        "at_s": (_number, "a number", True)},
}


# What a record may name: a chunk of the catalog, or for a split, a run's last one as well.
NAMED = {"attempts": (), "splits": ("trained",)}


def check_export(data, source):
    """Refuse, before anything is written, an export whose sections or records are not what
    drill writes: a DrillError naming the missing section or the first bad record."""
    from drill import config
    from drill.catalog import load_catalog
    chunks = {c.name for c in load_catalog()}
    ids = set()
    for table in _required(data):
        if table not in data:
            raise DrillError(f"{source} has no {table} section, which drill export always "
                             "writes: nothing was imported")
    for table, fields in EXPORT_FIELDS.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise DrillError(f"{source}: {table} must be a list of records")
        for number, row in enumerate(rows):
            where = f"{source}: {table}[{number}]"
            if not isinstance(row, dict):
                raise DrillError(f"{where} is not a record (a JSON object)")
            unknown = next((key for key in row if key not in fields), None)
            if unknown is not None:
                raise DrillError(f"{where} has a field drill does not know: {unknown!r}")
            for key, (valid, what, required) in fields.items():
                if key not in row:
                    if required:
                        raise DrillError(f"{where} lacks the field {key!r}")
                elif not valid(row[key]):
                    raise DrillError(f"{where}: {key} must be {what}, not {row[key]!r}")
            if table in NAMED and row["chunk"] not in chunks | set(NAMED[table]):
                raise DrillError(f"{where}: chunk {row['chunk']!r} is no chunk of this drill "
                                 "(drill list shows them)")
            if table == "attempts":
                if row["id"] in ids:
                    raise DrillError(f"{where}: attempt id {row['id']} appears twice")
                ids.add(row["id"])
            elif row["attempt_id"] not in ids:
                raise DrillError(f"{where}: attempt_id {row['attempt_id']} is no attempt "
                                 "of the export")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise DrillError(f"{source}: settings must be a record")
    for key, value in settings.items():
        if key in config.SETTINGS:
            try:
                config.SETTINGS[key][1](str(value))
            except ValueError as exc:
                raise DrillError(f"{source}: setting {key} must be {exc}, not {value!r}")


def _required(data):
    """The sections an export must have: the attempts and the versions of their files, and
    the splits once it holds a speedrun (an export from before speedruns has none)."""
    attempts = data.get("attempts")
    runs = isinstance(attempts, list) and any(isinstance(a, dict) and a.get("kind") == "speedrun"
                                              for a in attempts)
    return ["attempts", "snapshots"] + (["splits"] if runs else [])
