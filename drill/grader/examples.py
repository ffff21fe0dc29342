"""Hypothesis' example database, kept by drill and lent to each run.

A property that fails saves its minimal example, and the next grading tries it first: the
learner sees the same failure until it is mended. The folder hypothesis keeps them in used to be
writable by every child and shared by every grading, so one file could poison them all (a FIFO,
a link to /dev/urandom, 20,000 examples a key). Now no child writes it: the parent lends each run
a bounded set of the examples its chunks kept (`lend`, in the run's config), the child runs
hypothesis on a database in its memory (profiles.RunExamples), and each test's report carries
what it left for its keys, which drill checks (reports.examples) and keeps (`keep`).

One JSON file per chunk, `DRILL_HOME/examples/<chunk>.json`: {key: [value, ...]}, both hex.
"""
import json
import os
import stat
import threading
from contextlib import suppress

from drill.grader.reports import MAX_VALUE, MAX_VALUES
from drill.paths import home

MAX_KEYS = 64  # keys a chunk keeps: a failing property keeps two or three
MAX_FILE = MAX_KEYS * MAX_VALUES * 2 * (MAX_VALUE + 64)  # a chunk's file, in bytes
LENT = 48 * 1024  # characters of examples one run is lent: its config stays within a pipe's
#                   buffer (64 KiB), so handing it over never blocks


def folder():
    return home() / "examples"


def _read(chunk):
    """The examples `chunk` kept, {key: [value]}; {} for anything but a small regular file of
    that form (never a link, a FIFO or a device)."""
    path = folder() / f"{chunk}.json"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_FILE:
            return {}
        data = json.loads(os.read(fd, MAX_FILE + 1))
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(fd)
    if type(data) is not dict:
        return {}
    return {key: values for key, values in list(data.items())[-MAX_KEYS:]
            if type(values) is list and all(type(v) is str and len(v) <= 2 * MAX_VALUE
                                            for v in values[:MAX_VALUES])}


def lend(chunks):
    """The examples a run of `chunks` may start from: the shortest of each key first, within
    LENT characters in all."""
    lent, size = {}, 0
    for chunk in chunks:
        for key, values in _read(chunk).items():
            for value in sorted(values[:MAX_VALUES], key=lambda v: (len(v), v)):
                size += len(key) + len(value) + 8
                if size > LENT:
                    return lent
                lent.setdefault(key, []).append(value)
    return lent


def keep(chunk, examples):
    """Keep what a test of `chunk` left for its keys ({key: [value]}, checked by
    reports.examples): a key left empty is dropped. Written whole or not at all; a full disk
    or another drill writing at once costs only examples."""
    kept = _read(chunk)
    for key, values in examples.items():
        kept.pop(key, None)
        if values:
            kept[key] = values[:MAX_VALUES]
    path = folder() / f"{chunk}.json"
    fresh = path.with_name(f".{chunk}.{os.getpid()}-{threading.get_ident()}.part")
    with suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        try:
            fresh.write_text(json.dumps(dict(list(kept.items())[-MAX_KEYS:])))
            os.replace(fresh, path)
        finally:
            with suppress(OSError):
                fresh.unlink()
