# hostile: kill(-1), every process the user may signal. It acts only where it sees it is
# sandboxed (Landlock hides "/", and it is PID 1 of a namespace of its own, where -1 reaches
# nothing outside), so that a test can never kill a real process.
import ctypes
import os
import signal
import time

try:
    os.listdir("/")
    sandboxed = False
except PermissionError:
    sandboxed = os.getpid() == 1
if sandboxed:
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"drill-victim", 0, 0, 0)
        time.sleep(60)
        os._exit(0)
    os.kill(-1, signal.SIGKILL)
