"""TOML files read on demand: the parser is loaded only when a file is parsed (a read command
that finds the chunks kept parsed and no settings file needs none)."""
import sys


def read(path):
    """The TOML file at `path`, parsed; a ValueError (TOMLDecodeError) if it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with open(path, "rb") as f:
        return tomllib.load(f)
