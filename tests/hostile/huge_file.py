# hostile: fills the disk, 2 GiB in /tmp and then 2 GiB in its own folder. It writes to /tmp only
# where it sees it is sandboxed (Landlock hides "/"), so that a test can never fill a real disk.
import os

block = b"x" * (1024 * 1024)
try:
    os.listdir("/")
    sandboxed = False
except PermissionError:
    sandboxed = True
for folder in (["/tmp"] if sandboxed else []) + ["."]:
    with open(os.path.join(folder, "drill-huge-file"), "wb") as f:
        for _ in range(2048):
            f.write(block)
