"""Another drill holding the database: how long to wait for it, and how to tell its error from
the others SQLite raises. Below everything of the store that opens the file."""

BUSY_S = 30  # how long to wait for another drill holding the database


def is_busy(exc):
    """Another drill holds the database's lock (past the busy timeout)."""
    return "locked" in str(exc) or "busy" in str(exc)
