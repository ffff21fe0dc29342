"""Where drill keeps the learner's data, and where it finds its own chunks and reference."""
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def home():
    """$DRILL_HOME, else the platform's user data folder; created on first use."""
    path = os.environ.get("DRILL_HOME")
    if not path:
        import platformdirs
        path = platformdirs.user_data_dir("drill", appauthor=False)
    path = Path(path).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_root():
    """The folder holding chunks/ and reference/: inside the package when installed from a
    wheel, the repository's top level in a source checkout or an editable install."""
    installed = PACKAGE / "_data"
    return installed if installed.is_dir() else PACKAGE.parent


def reference_file():
    return data_root() / "reference" / "micrograd.py"


def chunks_dir():
    return data_root() / "chunks"
