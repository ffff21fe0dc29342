"""The learner's file as a module, and where in it an exception came from.

Both sides of the child need these: the runner (child.py) imports the file before the suites
run, and the suites' helpers (suitekit.py) point failures at the learner's line.
"""
import os
import sys
import traceback
import types

from drill.notebook import place


def load_submission(path, source=None, name="submission", cells=None):
    """Import the learner's file as a fresh module, without writing bytecode beside it. The
    grader passes the `source` it read itself: its child may not read the workspace; and for
    a notebook, the map of its lines to cells (`cells`), kept on the module."""
    if source is None:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    module = types.ModuleType(name)
    module.__file__ = path
    module.__source_lines__ = source.splitlines()
    module.__source_cells__ = cells
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def learner_frames(exc, path):
    """(frame, line number) of each traceback entry of `exc` in the learner's file at `path`,
    outermost first."""
    return [(frame, line) for frame, line in traceback.walk_tb(exc.__traceback__)
            if frame.f_code.co_filename == path]


def line_at(path, line, lines, cells=None):
    """`file:line: code`, line `line` of the learner's file (its text `lines`); in a notebook
    (`cells`, its line map) `file, cell 4, line 3: code`."""
    code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"{place(os.path.basename(path), line, cells)}: {code}"


def learner_frame(exc, path, lines, cells=None):
    """`line_at` the deepest traceback frame of `exc` in the learner's file, or ''."""
    frames = learner_frames(exc, path)
    return line_at(path, frames[-1][1], lines, cells) if frames else ""
