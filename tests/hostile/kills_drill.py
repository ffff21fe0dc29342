# hostile: kills drill (its pid is in the run folder's name, DRILL_HOME/runs/<pid>-...), its own
# parent, and then every process it may signal, kill(-1). It acts only where it sees it is
# sandboxed (Landlock hides "/", and it is PID 1 of a namespace of its own, where -1 reaches
# nothing outside), so that a test can never kill a real process.
import ctypes
import os
import signal
import time
from pathlib import Path

try:
    os.listdir("/")
    sandboxed = False
except PermissionError:
    sandboxed = os.getpid() == 1
if sandboxed:
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"drill-victim", 0, 0, 0)  # PR_SET_NAME: the tests look for it
        time.sleep(60)
        os._exit(0)
    refused = []
    for target in (int(Path.cwd().name.split("-")[0]), os.getppid(), -1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError as exc:
            refused.append(f"kill({target}): {exc.strerror}")
    raise RuntimeError("; ".join(refused))
