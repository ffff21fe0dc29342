# hostile: reads the reference from where drill keeps it, to copy the answer.
import importlib
import os

root = importlib.import_module("drill.paths").data_root()
with open(os.path.join(root, "reference", "micrograd.py")) as f:
    exec(f.read())
