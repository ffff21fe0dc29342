"""The learner's editor, which `--editor` opens the handed-out file in: found before an
attempt opens, so that a missing one is said in one line and leaves nothing half started."""
import os
import shlex
import shutil

from drill.errors import DrillError


def editor_command():
    """The editor's command as a list of words: the `editor` setting, else $VISUAL, else
    $EDITOR; a DrillError when none is set or its program is not found."""
    from drill import config
    for source, chosen in (("drill config editor", config.load()["editor"]),
                           ("$VISUAL", os.environ.get("VISUAL")),
                           ("$EDITOR", os.environ.get("EDITOR"))):
        if chosen:
            break
    else:
        raise DrillError("--editor needs your editor's command: drill config editor CMD, "
                         "or $VISUAL or $EDITOR")
    try:
        words = shlex.split(chosen)
    except ValueError as exc:
        raise DrillError(f"cannot read the editor command {chosen!r} ({source}): {exc}") from None
    if not words or shutil.which(words[0]) is None:
        raise DrillError(f"your editor {words[0] if words else chosen!r} ({source}) is not a "
                         "program drill can find: drill config editor CMD sets another")
    return words


def open_in_editor(words, path):
    """Start the editor on `path` and go on (the watcher grades its saves)."""
    import subprocess
    try:
        subprocess.Popen([*words, str(path)])
    except OSError as exc:
        raise DrillError(f"could not start your editor {words[0]!r}: {exc.strerror}") from None
