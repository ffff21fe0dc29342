# hostile: puts /dev/null over the grader's results pipe, then lets the tests run unseen.
import gc
import os

config = next(o for o in gc.get_objects() if isinstance(o, dict) and "results_fd" in o)
os.dup2(os.open(os.devnull, os.O_WRONLY), config["results_fd"])
