"""Which hint comes next: the one that speaks to the test failing now, when the chunk has one
for it (`[hints_for]` in its chunk.toml) not given yet; otherwise the chunk's next in order.

An attempt keeps the numbers of the hints it was given, in order (Attempt.hints_given), so
that a hint is never given twice while another is left."""
import json


def given(attempt):
    """The numbers (from 1) of the hints given to `attempt` so far, in order."""
    if attempt.hints_given:
        return json.loads(attempt.hints_given)
    return list(range(1, attempt.hints_used + 1))  # kept before hints could come in any order


def speaks_to(chunk, failure):
    """The number of `chunk`'s hint for the failing test `failure` (a TestResult), or None:
    the `hints_for` key that begins its function's name, or its whole name (`topo::test_`),
    the longest one if several do. A failure whose cause is another chunk's has none here."""
    if failure is None or failure.owner not in ("", failure.chunk):
        return None
    function = failure.name.split("::")[-1].split("[")[0]
    keys = [key for key in chunk.hints_for if function.startswith(key)
            or failure.name.startswith(key)]
    return chunk.hints_for[max(keys, key=len)] if keys else None


def next_number(chunk, so_far, failure=None):
    """The number of the hint to give next after `so_far`, or None once all were given."""
    wanted = speaks_to(chunk, failure)
    if wanted is not None and wanted not in so_far and 1 <= wanted <= len(chunk.hints):
        return wanted
    return next((n for n in range(1, len(chunk.hints) + 1) if n not in so_far), None)
