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


def read_only():
    """Whether DRILL_HOME is a folder drill cannot write to: it grades there all the same
    (scratch) and records nothing."""
    return not os.access(home(), os.W_OK)


def scratch(name):
    """DRILL_HOME/`name` (made if need be): where drill keeps what it makes while it works,
    such as the grader's run folders. In a home drill cannot write to, a private folder of
    this process in the system's temporary folder instead (gone when it ends): a read-only
    home still grades, and records nothing."""
    path = home() / name
    try:
        path.mkdir(exist_ok=True)
    except OSError:
        pass
    if os.access(path, os.W_OK):
        return path
    path = _elsewhere() / name
    path.mkdir(exist_ok=True)
    return path


def _elsewhere():
    """This process's own temporary folder, made once and removed at exit."""
    if not _temporary:
        import atexit
        import shutil
        import tempfile
        from pathlib import Path
        _temporary.append(Path(tempfile.mkdtemp(prefix="drill-")))
        atexit.register(shutil.rmtree, _temporary[0], ignore_errors=True)
    return _temporary[0]


_temporary = []


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
