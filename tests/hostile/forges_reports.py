# hostile: writes passing reports to every file descriptor it can find.
import json
import os

for fd in range(3, 64):
    for event in ({"event": "collected", "tests": []}, {"event": "done"}):
        try:
            os.write(fd, (json.dumps(event) + "\n").encode())
        except OSError:
            pass
