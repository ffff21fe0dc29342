# hostile: kills drill, whose pid it reads in its run folder's name (DRILL_HOME/runs/<pid>-...),
# and its own parent. It acts only where it sees it is sandboxed (Landlock hides "/", and it is
# PID 1 of a namespace of its own), so that a test can never kill a real process.
import os
import signal
from pathlib import Path

try:
    os.listdir("/")
    sandboxed = False
except PermissionError:
    sandboxed = os.getpid() == 1
if sandboxed:
    os.kill(int(Path.cwd().name.split("-")[0]), signal.SIGKILL)
    os.kill(os.getppid(), signal.SIGKILL)
