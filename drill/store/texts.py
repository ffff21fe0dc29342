"""How a version's text is kept: zlib-compressed, packed and unpacked by SQL functions that
every connection carries, so that migrations and queries read and write it inside SQLite."""
import sqlite3
import zlib


def pack(text):
    """A text as kept in the database: UTF-8, zlib-compressed (None stays None)."""
    return None if text is None else zlib.compress(text.encode("utf-8"))


def unpack(blob):
    return None if blob is None else zlib.decompress(blob).decode("utf-8")


VERSION_COLUMNS = ("s.id AS id, attempt_id, taken_at, reason, unpack(t.packed) AS content, "
                   "passed, unpack(result) AS result")


def with_functions(db):
    """A connection as the store uses it: rows by name, and the texts' pack and unpack."""
    db.row_factory = sqlite3.Row
    db.create_function("pack", 1, pack, deterministic=True)
    db.create_function("unpack", 1, unpack, deterministic=True)
    return db
