"""The learner's settings, in DRILL_HOME/config.toml, each checked when it is set."""
import json

from drill.errors import DrillError
from drill.tomlfile import read


def _ranged(kind, low, high, words):
    """A parser of `kind` values from `low` to `high`; `words` say what is expected."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(words) from None
        if not low <= value <= high:
            raise ValueError(words)
        return value
    return parse


def _folder(text):
    """A folder as an absolute path (a relative one is taken from where drill runs now, so
    that it means the same from any folder later); empty for the default."""
    if not text.strip():
        return ""
    from pathlib import Path
    return str(Path(text).expanduser().resolve())


# key: (default, parse, what it means)
SETTINGS = {
    "desired_retention": (0.9, _ranged(float, 0.7, 0.99, "a number from 0.70 to 0.99"),
                          "the chance of remembering a chunk that FSRS aims for"),
    "new_per_day": (1, _ranged(int, 0, 10, "a whole number from 0 to 10"),
                    "new chunks a day, at most"),
    "day_start_hour": (4, _ranged(int, 0, 23, "an hour from 0 to 23"),
                       "the local hour at which a new day begins"),
    "workspace": ("", _folder, "where attempts' files go (empty: DRILL_HOME/workspace)"),
    "editor": ("", str, "the command --editor runs (empty: $VISUAL or $EDITOR)"),
    "backup_dir": ("", _folder, "a second folder that receives every backup (a synced "
                   "folder, a USB stick)"),
}


def path():
    from drill.paths import home
    return home() / "config.toml"


def workspace():
    """Where attempts' files live: $DRILL_WORKSPACE, else the `workspace` setting, else
    DRILL_HOME/workspace (made if need be). A setting, read by the attempts that write there
    and by the grader, which hides it from the learner's code."""
    import os
    from pathlib import Path

    from drill.paths import folder, home
    chosen = os.environ.get("DRILL_WORKSPACE") or load()["workspace"]
    return folder(Path(chosen or home() / "workspace").expanduser(),
                  "DRILL_WORKSPACE" if os.environ.get("DRILL_WORKSPACE") else "the workspace")


def load():
    """Every setting: the file's value where it has one, else the default."""
    values = {key: default for key, (default, _, _) in SETTINGS.items()}
    if path().is_file():
        try:
            values.update({k: v for k, v in read(path()).items() if k in SETTINGS})
        except ValueError as exc:  # TOMLDecodeError
            raise DrillError(f"{path()} is not valid TOML ({exc}); fix or remove it")
    return values


def known(key):
    """`key`, or a DrillError naming the closest setting."""
    if key not in SETTINGS:
        import difflib
        close = difflib.get_close_matches(key, list(SETTINGS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise DrillError(f"no setting called '{key}'{hint} (drill config lists them)")
    return key


def set_value(key, text):
    """Check and store one setting; returns its parsed value."""
    _, parse, _ = SETTINGS[known(key)]
    try:
        value = parse(text)
    except ValueError as exc:
        raise DrillError(f"{key} must be {exc}, not {text!r}")
    values = load()
    values[key] = value
    try:
        path().write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()),
                          encoding="utf-8")
    except OSError as exc:
        raise DrillError(f"cannot keep the setting in {path()} ({exc.strerror}): make "
                         "DRILL_HOME writable or set it to another folder") from None
    return value
