# hostile: a daemon (double fork, setsid, every descriptor closed) that escapes the grader's
# process-group kill and wipes the database a second after the check has passed.
import ctypes
import os
import time
from pathlib import Path

home = Path.cwd().parents[1]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"drill-daemon", 0, 0, 0)  # PR_SET_NAME: the tests look for it
        os.closerange(0, 1024)
        time.sleep(1.5)
        for name in ("drill.sqlite3", "config.toml"):
            try:
                os.remove(home / name)
            except OSError:
                pass
    os._exit(0)
