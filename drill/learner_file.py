"""A learner's file as drill grades it, read once: the text of a .py file, or the code cells of
a notebook (drill.notebook) with the map from each graded line back to its cell.

Every command that runs a learner's code (check, watch, graph, moons) reads the file here and
hands the grader what it read, so the version graded, the version kept and the lines that
messages point at are one and the same text.
"""
from dataclasses import dataclass
from pathlib import Path

from drill import notebook
from drill.errors import DrillError


@dataclass(frozen=True)
class LearnerFile:
    path: Path
    source: str = ""  # the Python text graded
    problem: str = ""  # why it cannot be graded; '' when it can
    cells: list = None  # a notebook's (cell, line) of each line of `source` (notebook.Graded)
    notes: str = ""  # what drill says once about how it read a notebook


def is_notebook(path):
    return Path(path).suffix.lower() == ".ipynb"


def read(path):
    """The LearnerFile at `path`: one that cannot be graded says why (`problem`); no file at
    all is a usage error (DrillError)."""
    path = Path(path).resolve()
    kind = "notebook" if is_notebook(path) else ".py file"
    if path.is_dir():
        raise DrillError(f"{path} is a directory: give the path of your {kind}")
    if not path.is_file():
        raise DrillError(f"no such file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return LearnerFile(path, problem=(
            f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}), so it cannot be "
            "graded: " + ("is it the notebook you meant?" if kind == "notebook"
                          else "save your Python file as plain UTF-8 text")))
    except OSError as exc:
        raise DrillError(f"cannot read {path}: {exc.strerror}")
    return from_text(path, text)


def from_text(path, text):
    """The LearnerFile of `text`, as the file at `path` would be read."""
    path = Path(path)
    found = LearnerFile(path, text)
    if is_notebook(path):
        try:
            graded = notebook.read(text)
        except notebook.NotANotebook as exc:
            return LearnerFile(path, problem=f"{path.name} {exc}")
        found = LearnerFile(path, graded.source, cells=graded.cells, notes=graded.notes())
    if "\0" in found.source:
        return LearnerFile(path, problem=f"{path.name} holds NUL bytes, so it is not Python text "
                                         "and cannot be graded: is it the file you meant?")
    return found
