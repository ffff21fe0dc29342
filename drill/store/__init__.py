"""Everything drill remembers, in one SQLite file in DRILL_HOME: attempts and every graded version.

These are the names the rest of drill uses; drill.store.database opens the file and says how.
"""
from drill.store.database import Store, open_store
from drill.store.export_check import check_export
from drill.store.records import Attempt
from drill.store.sqlite_errors import as_drill_error

__all__ = ["Attempt", "Store", "as_drill_error", "check_export", "open_store"]
