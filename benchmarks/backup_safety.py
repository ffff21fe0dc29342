"""kill -9 during backups: the database and every whole backup survive, half files are swept.

    python benchmarks/backup_safety.py [--kills 60] [--attempts 2000]

A home starts with `--attempts` finished attempts (history_scale's generator: a backup then
takes a while, so that kills land inside one). Then, again and again, `drill backup` is started
and killed with SIGKILL at a random moment within 1.1 times a backup's measured duration, while
this process records new attempts every few hundredths of a second, as a learner in another
terminal would. At the end:

- how many kills left a half file (`.part`) behind, i.e. landed inside a backup,
- whether every file with a backup's name gunzips, passes `PRAGMA integrity_check` and holds
  the attempts its name says,
- attempts recorded by this process and missing from the database (must be 0), and the
  database's own integrity check,
- half files left once the next `drill backup` has run (must be 0).
"""
import argparse
import gzip
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from history_scale import generate, graded_reference

from drill.clock import now
from drill.store import Store
from drill.store.backups import NAME

DRILL = str(Path(sys.executable).with_name("drill"))


def readable(backup):
    """Whether a backup gunzips into a database that passes its check and holds the attempts
    its name says."""
    plain = backup.with_name(backup.name + ".check")
    try:
        plain.write_bytes(gzip.decompress(backup.read_bytes()))
        db = sqlite3.connect(plain)
        try:
            good = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return good and db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == \
                int(NAME.fullmatch(backup.name)[2])
        finally:
            db.close()
    except (OSError, EOFError, sqlite3.Error):
        return False
    finally:
        plain.unlink(missing_ok=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--attempts", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder, "home")
        home.mkdir()
        generate(home, args.attempts, graded_reference())
        env = {**os.environ, "DRILL_HOME": str(home)}
        env.pop("DRILL_NOW", None)
        timings = []
        for _ in range(3):
            started = time.monotonic()
            subprocess.run([DRILL, "backup"], env=env, capture_output=True, check=True)
            timings.append(time.monotonic() - started)
        usual = statistics.median(timings)
        store = Store(home / "drill.sqlite3")
        recorded, halves, rng = [], 0, random.Random(7)
        for _ in range(args.kills):
            spawned = time.time()
            victim = subprocess.Popen([DRILL, "backup"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + rng.uniform(0.05, usual * 1.1)
            while time.monotonic() < deadline:
                recorded.append(store.start_attempt("ops", "ops.py", now()))
                time.sleep(0.03)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            halves += any(part.stat().st_mtime >= spawned
                          for part in (home / "backups").glob("*.part*"))
        backups = list((home / "backups").glob("drill-*.sqlite3.gz"))
        whole = sum(readable(b) for b in backups)
        kept = {row[0] for row in store.db.execute("SELECT id FROM attempts")}
        integrity = store.db.execute("PRAGMA integrity_check").fetchone()[0]
        store.close()
        subprocess.run([DRILL, "backup"], env=env, capture_output=True, check=True)
        left = len(list((home / "backups").glob("*.part*")))
        size = (home / "drill.sqlite3").stat().st_size
        print(f"database {size / 1e6:.1f} MB, `drill backup` {usual:.2f} s (median of 3)\n")
        print("| kill -9 of drill backup | inside a backup | backups left | whole and readable "
              "| attempts recorded meanwhile | lost | integrity | half files after the next "
              "backup |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
        print(f"| {args.kills} | {halves} | {len(backups)} | {whole} | {len(recorded)} | "
              f"{len(set(recorded) - kept)} | {integrity} | {left} |")


if __name__ == "__main__":
    main()
