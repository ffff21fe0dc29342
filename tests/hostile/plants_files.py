# hostile: plants a conftest.py beside the suites, a suite .pyc in __pycache__ and a .pth in
# site-packages (which would run in drill itself). Anything it did manage to plant, it removes
# at once and says so: a test must never leave the install changed.
import importlib
import os
import sysconfig

chunks = importlib.import_module("drill.paths").chunks_dir()
targets = [os.path.join(chunks, "conftest.py"),
           os.path.join(chunks, "ops", "__pycache__", "test_ops.cpython-311.pyc"),
           os.path.join(sysconfig.get_paths()["purelib"], "drill-hostile.pth")]
planted, refused = [], []
for target in targets:
    try:
        with open(target, "x") as f:
            f.write("import os\n")
        planted.append(target)
        os.remove(target)
    except OSError as exc:
        refused.append(exc)
if planted:
    raise RuntimeError("planted (and removed): " + ", ".join(planted))
raise refused[0]
