"""The folders a run writes in, made and removed by drill.

Where the kernel allows, a run's folder is a tmpfs of its own in the run's mount namespace
(sandbox.private_folder): what the child writes never reaches the disk and vanishes with the
run, and drill's folder of that name stays empty. Elsewhere the child writes in the folder
itself, and drill must remove what it left: a tree the learner's code made, so perhaps 3,000
folders deep, full of links to elsewhere, of folders with no permissions. `remove_tree` walks
it without recursion, through descriptors, never following a link, and never raises.
`shutil.rmtree` is not used: it recurses (a RecursionError on such a chain), and before Python
3.11.8 and 3.12.2 `tempfile`'s clean-up changed the permissions of what a link pointed to.
"""
import os
import stat
import tempfile
from contextlib import suppress

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def make_run_folder(parent):
    """A new, empty folder for one run, named after this process (the sweep's key)."""
    return tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=parent)


def remove_tree(path):
    """Remove the folder `path` and all it holds, never following a link, with no recursion and
    two descriptors open at a time. Returns whether it is gone; never raises."""
    try:
        return _remove(os.fspath(path))
    except (OSError, ValueError):
        return False


def _remove(path):
    try:
        top = os.open(path, _DIR)
    except FileNotFoundError:
        return True
    except NotADirectoryError:  # a link or a file where the folder was: remove just that
        os.unlink(path)
        return True
    _writable(top)
    here, trail = top, []  # trail: (name, (device, inode)) of each folder above `here`
    while True:
        below = _empty_all_but_folders(here)
        if below is not None:
            child = _open_folder(below, here)
            trail.append((below, _identity(here)))
            os.close(here)
            here = child
            continue
        if not trail:
            os.close(here)
            os.rmdir(path)
            return True
        name, above = trail.pop()
        up = os.open("..", _DIR, dir_fd=here)
        os.close(here)
        here = up
        if _identity(here) != above:  # moved while it was being removed: stop there
            os.close(here)
            return False
        os.rmdir(name, dir_fd=here)


def _empty_all_but_folders(fd):
    """Unlink every entry of the folder `fd` but its folders; the name of one of those, or None."""
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                return entry.name
            with suppress(FileNotFoundError):
                os.unlink(entry.name, dir_fd=fd)
    return None


def _open_folder(name, parent):
    """The folder `name` in `parent`, opened without following a link and made ours to empty
    (the child may have left it without permissions)."""
    try:
        fd = os.open(name, _DIR, dir_fd=parent)
    except PermissionError:
        handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                         dir_fd=parent)
        try:  # through the descriptor's own entry, which names the folder itself, not a link
            os.chmod(f"/proc/self/fd/{handle}", 0o700)
            fd = os.open(f"/proc/self/fd/{handle}", _DIR & ~os.O_NOFOLLOW)
        finally:
            os.close(handle)
    _writable(fd)
    return fd


def _writable(fd):
    mode = os.fstat(fd).st_mode
    if stat.S_IMODE(mode) & 0o700 != 0o700:
        os.fchmod(fd, stat.S_IMODE(mode) | 0o700)


def _identity(fd):
    found = os.fstat(fd)
    return found.st_dev, found.st_ino
