# hostile: drops the grader's import blocker and imports the reference as a module.
import importlib
import os
import sys

sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "ImportBlocker"]
sys.path.append(os.path.join(importlib.import_module("drill.paths").data_root(), "reference"))
Value = importlib.import_module("micrograd").Value
