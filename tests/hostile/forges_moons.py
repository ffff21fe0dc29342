# hostile: sends `drill moons` a trained model of no points, or of NaN points (picked by this
# file's name: forges_moons-empty.py, forges_moons-nan.py), for the pictures to choke on.
import gc
import json
import os

config = next(o for o in gc.get_objects() if isinstance(o, dict) and "results_fd" in o)
n = config["args"]["points"]
points = [] if __file__.endswith("-empty.py") else [[float("nan"), 0.0]] * n
data = {"done": True, "seconds": 1.0, "accuracy": 1.0, "X": points, "y": [1] * len(points),
        "box": [0.0, 1.0, 0.0, 1.0], "grid": [1] * (config["args"]["columns"] * config["args"]["rows"])}
for event in ({"event": "imported"}, {"event": "task", "data": data}, {"event": "done"}):
    os.write(config["results_fd"], (json.dumps({"token": config["token"], **event}) + "\n").encode())
os._exit(0)
