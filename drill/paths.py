"""Where drill keeps the learner's data, and where it finds its own chunks and reference.

The chunks are found with os.path alone: `drill list` needs nothing else, and pathlib takes
longer to import than the whole list takes to read.
"""
import os

PACKAGE = os.path.dirname(os.path.realpath(__file__))


def home():
    """$DRILL_HOME, else the platform's user data folder; created on first use."""
    from pathlib import Path
    path = os.environ.get("DRILL_HOME")
    if not path:
        import platformdirs
        path = platformdirs.user_data_dir("drill", appauthor=False)
    return folder(Path(path).expanduser(), "DRILL_HOME")


def folder(path, name):
    """`path` (a Path), created if need be; a DrillError if it is a file or cannot be made,
    `name` saying where it was set."""
    from drill.errors import DrillError
    if path.exists() and not path.is_dir():
        raise DrillError(f"{name} is {path}, which is a file, not a folder: point it at a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DrillError(f"cannot make {name}'s folder {path}: {exc.strerror}")
    return path


def data_root():
    """The folder holding chunks/ and reference/ (a str): inside the package when installed
    from a wheel, the repository's top level in a source checkout or an editable install."""
    installed = os.path.join(PACKAGE, "_data")
    return installed if os.path.isdir(installed) else os.path.dirname(PACKAGE)


def reference_file():
    from pathlib import Path
    return Path(data_root(), "reference", "micrograd.py")


def chunks_dir():
    return os.path.join(data_root(), "chunks")
