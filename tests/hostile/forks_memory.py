# hostile: passes a per-process memory limit by forking: three processes of 1.5 GiB each. It acts
# only when named forks_memory-bounded.py, as the tests name it where drill gives the run a cgroup
# with a memory bound, so that a test never takes 4.5 GiB of a machine without one.
import os
import time

if __file__.endswith("-bounded.py"):
    for _ in range(3):
        if os.fork() == 0:
            hoard = bytearray(1536 * 1024 * 1024)
            for i in range(0, len(hoard), 4096):
                hoard[i] = 1
            time.sleep(30)
            os._exit(0)
    time.sleep(30)
