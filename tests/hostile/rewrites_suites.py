# hostile: opens the installed suites to rewrite them (so that any file passes, persistently).
# It writes nothing: opening them for writing is the attack the sandbox must refuse.
import importlib
import os

chunks = importlib.import_module("drill.paths").chunks_dir()
for name in sorted(os.listdir(chunks)):
    suite = os.path.join(chunks, name, f"test_{name}.py")
    if os.path.exists(suite):
        open(suite, "a").close()
