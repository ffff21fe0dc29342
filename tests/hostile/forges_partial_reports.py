# hostile: finds the run's token and results pipe in the grader's memory, reports a few tests as
# passed and the run as done, and leaves before any test runs.
import gc
import json
import os

config = next(o for o in gc.get_objects() if isinstance(o, dict) and "results_fd" in o)
for event in ({"event": "collected", "tests": [{"id": "ops/test_ops.py::test_forged"}]},
              {"event": "result", "id": "ops/test_ops.py::test_forged", "status": "pass"},
              {"event": "done"}):
    os.write(config["results_fd"], (json.dumps({"token": config["token"], **event}) + "\n").encode())
os._exit(0)
