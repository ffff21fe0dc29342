"""Watch an attempt's file: grade every save, take single keys, end when it passes.

The loop reads one queue of events: saves (from watchfiles, in a thread), keys (from the
terminal, in a thread, when there is one) and ticks (for the clock on screen). Grading happens
in the loop itself, so a key pressed during a grading is handled right after it. Everything the
learner does is written to the store as it happens, so quitting, Ctrl-C, SIGTERM or a crash
leave an attempt that `drill resume` continues.
"""
import os
import queue
import select
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from drill.attempt import next_hint, reset_file
from drill.clock import now

KEYS = {"h": "hint", "p": "pause", "r": "reset", "q": "quit", "a": "abandon"}
HEARTBEAT_S = 1.0  # how stale `last_seen` may be when drill is killed outright


@dataclass
class Screen:
    """What the live panel shows; render.watch_panel draws it."""
    chunk: object
    attempt: object
    path: Path
    best_s: float = None
    keys: bool = False
    paused: bool = False
    grading: str = ""
    result: object = None
    hint: str = ""
    note: str = ""
    ended: str = ""
    report: object = None  # a speedrun's splits (progress.RunReport), kept up to date


def watch(store, chunk, attempt, live, keys=None):
    """Run the loop until the attempt passes, is abandoned, or the learner quits.

    `live(screen)` redraws; `keys` is a file descriptor to read single keys from (None without
    a terminal). Returns the Screen as it ended: `ended` is 'passed', 'abandoned' or 'quit'.
    """
    from drill.attempt import grade_version
    events = queue.Queue()
    stop = threading.Event()
    path = Path(attempt.file)
    screen = Screen(chunk, attempt, path, store.best_time(chunk.name), keys=keys is not None)
    threading.Thread(target=_saves, args=(path, events, stop), daemon=True).start()
    if keys is not None:
        threading.Thread(target=_keys, args=(keys, events, stop), daemon=True).start()
    previous = signal.signal(signal.SIGTERM, lambda *_: events.put(("key", "quit")))
    store.resume(attempt.id, now())
    last_beat = None
    try:
        while not screen.ended:
            live(screen)
            try:
                kind, value = events.get(timeout=0.25)
            except queue.Empty:
                kind, value = "tick", None
            moment = now()
            if not screen.paused and (last_beat is None
                                      or (moment - last_beat).total_seconds() >= HEARTBEAT_S):
                store.seen(attempt.id, moment)
                last_beat = moment
            if kind == "save" and not screen.paused:
                screen.result = grade_version(store, chunk, attempt, moment,
                                              lambda label: _grading(screen, live, label))
                screen.grading = ""
                if screen.result.passed:
                    screen.ended = "passed"
            elif kind == "key":
                _key(store, chunk, screen, value, moment)
            screen.attempt = store.attempt(attempt.id)
    except KeyboardInterrupt:
        screen.ended = "quit"
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, previous)
        if screen.ended == "quit":
            store.pause(attempt.id, now())
        screen.attempt = store.attempt(attempt.id)
    live(screen)
    return screen


def _grading(screen, live, label):
    screen.grading = label
    live(screen)


def _key(store, chunk, screen, action, moment):
    attempt = screen.attempt
    if action == "hint":
        given = next_hint(store, chunk, attempt)
        screen.hint = f"{given[0]} of {len(chunk.hints)}: {given[1]}" if given else ""
        if given and attempt.hints_used >= len(chunk.hints):
            screen.note = "that was the last hint: drill peek shows the reference (recorded)"
    elif action == "pause":
        if screen.paused:
            store.resume(attempt.id, moment)
        else:
            store.pause(attempt.id, moment)
        screen.paused = not screen.paused
    elif action == "reset" and attempt.kind == "speedrun":  # as on a speedrun timer: the run
        store.finish_attempt(attempt.id, "abandoned", moment)  # ends, kept as unfinished
        screen.ended = "abandoned"
    elif action == "reset":
        reset_file(store, chunk, attempt, moment)
        screen.note = "the file is the stub again; what it held is kept in this attempt's history"
    elif action == "abandon":
        store.finish_attempt(attempt.id, "abandoned", moment)
        screen.ended = "abandoned"
    elif action == "quit":
        screen.ended = "quit"


def _saves(path, events, stop):
    """Put ('save', None) on `events` whenever `path` is written (editors that save by renaming
    a new file over it included: the folder is watched, not the file)."""
    from watchfiles import watch as watch_files
    target = str(path.resolve())
    for changes in watch_files(path.parent, stop_event=stop, debounce=100, step=20,
                               recursive=False, raise_interrupt=False):
        if any(os.path.abspath(changed) == target for _, changed in changes) and path.exists():
            events.put(("save", None))


def _keys(fd, events, stop):
    """Single keys from the terminal `fd` (already in cbreak mode) as ('key', action) events."""
    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            char = os.read(fd, 1).decode(errors="ignore").lower()
            if char in KEYS:
                events.put(("key", KEYS[char]))


class Terminal:
    """Cbreak mode on stdin for single keys while watching; restored however the loop ends."""

    def __init__(self):
        self.fd = sys.stdin.fileno() if sys.stdin.isatty() else None
        self.saved = None

    def __enter__(self):
        if self.fd is not None:
            import termios
            import tty
            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self.fd

    def __exit__(self, *exc):
        if self.saved is not None:
            import termios
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
