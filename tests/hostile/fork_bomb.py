# hostile: forks until the machine gives out. It acts only as PID 1 of a namespace of its own,
# where RLIMIT_NPROC bounds it and the kernel ends its processes with it.
import ctypes
import os
import time

if os.getpid() == 1:
    while True:
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"drill-bomb", 0, 0, 0)
            time.sleep(60)
            os._exit(0)
