# hostile: fills its run folder, 64 MiB a file until the disk says no, then builds a chain of
# 3,000 folders there, each holding a link to the learner's home and one folder without any
# permission, to crash or mislead the clean-up. It fills only where it sees it is sandboxed
# (Landlock hides "/"), so that a test can never fill a real disk.
import os
from pathlib import Path

block = b"x" * (1024 * 1024)
try:
    os.listdir("/")
    sandboxed = False
except PermissionError:
    sandboxed = True
try:
    for n in range(64 if sandboxed else 0):
        with open(f"fill-{n}", "wb") as f:
            for _ in range(64):
                f.write(block)
except OSError:
    pass
home = Path.cwd().parents[1]
try:
    for _ in range(3000):
        os.symlink(home, "home")
        os.mkdir("locked")
        os.chmod("locked", 0)
        os.mkdir("d")
        os.chdir("d")
except OSError:
    pass
