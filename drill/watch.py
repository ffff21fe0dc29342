"""Watch an attempt's file: grade every save, take single keys, end when it passes.

The loop reads one queue of events: saves (from watchfiles, in a thread), keys (from the
terminal, in a thread, when there is one), what the grader says as it goes, and ticks (for the
clock on screen). Each save is graded in a thread of its own by the warm grader (warm.py), so the
first news of a save shows within a blink and a newer save stops a grading that is still running.
Everything the learner does is written to the store by the loop as it happens, so quitting,
Ctrl-C, SIGTERM or a crash leave an attempt that `drill resume` continues.

A save is graded when its code differs from the version graded last: Jupyter writes a notebook
anew when only its outputs changed, and sometimes twice for one save. A save that cannot be read
(a notebook Jupyter is still writing in place reads as cut-off JSON) is read again for a moment
before it is said to be unreadable.
"""
import os
import queue
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from drill.attempt import needs_confirming, next_hint, reset_file
from drill.clock import now
from drill.errors import DrillError
from drill.learner_file import read

KEYS = {"h": "hint", "m": "minimal", "p": "pause", "r": "reset", "q": "quit", "a": "abandon"}
HEARTBEAT_S = 1.0  # how stale `last_seen` may be when drill is killed outright
REDRAW_S = 0.1  # how often the panel is redrawn while only a grading's counts move
SETTLE_S = 1.0  # how long a save that cannot be read is read again before it is said so
BURST_S = 0.08  # keys closer together than this are typing, not keys meant for drill


@dataclass
class Screen:
    """What the live panel shows; render.watch_panel draws it."""
    chunk: object
    attempt: object
    path: Path
    best_s: float = None
    keys: bool = False
    paused: bool = False
    waiting: bool = False  # saved while paused: graded on resuming
    confirming: str = ""  # 'abandon' or 'reset' once its key is pressed, until the next key
    grading: str = ""
    progress: object = None  # Progress of the save being graded
    result: object = None
    hint: str = ""
    note: str = ""
    ended: str = ""
    report: object = None  # a speedrun's splits (progress.RunReport), kept up to date


@dataclass
class Progress:
    """What the grader has said so far about the save being graded."""
    loaded: bool = None  # None until the file has loaded or failed to
    titles: dict = field(default_factory=dict)  # test id: what the test checks
    passed: int = 0
    failures: list = field(default_factory=list)  # (title, message, graph, output), as they come
    stopped: int = 0  # tests stopped for running too long
    slow: tuple = None  # (test id, what it checks, when it began: time.monotonic, its limit in s)

    def hear(self, kind, event):
        if kind == "imported":
            self.loaded = True
        elif kind == "import_error":
            self.loaded = False
        elif kind == "collected":
            self.titles = {t.get("id"): t.get("title") or t.get("function") for t in event["tests"]}
        elif kind == "slow":
            self.slow = (event["id"], self.titles.get(event["id"]) or event["id"],
                         time.monotonic() - event["since_s"], event["test_s"])
        elif kind == "result":
            if self.slow and self.slow[0] == event.get("id"):
                self.slow = None
            if event.get("status") == "pass":
                self.passed += 1
                return
            if event.get("status") == "timeout":
                self.stopped += 1
            self.failures.append((self.titles.get(event.get("id"), ""), event.get("message", ""),
                                  event.get("graph"), event.get("output", "")))


class Job:
    """One save graded in a thread of its own; the loop hears of it through the queue."""

    def __init__(self, chunk, learner, launcher, events, profiles, goes_on, seed=None):
        from drill.grader.parent import Cancel
        self.content = learner.source  # the version graded, kept with its result
        self.saved_at, self.seed = now(), seed  # seed: a worksheet's, graded against its sheet
        self.profiles, self.goes_on, self.cancel = profiles, goes_on, Cancel()
        self.thread = threading.Thread(target=self._grade, daemon=True,
                                       args=(chunk, learner, launcher, events))
        self.thread.start()

    def _grade(self, chunk, learner, launcher, events):
        from drill.attempt import grade_save
        try:
            learner = settled(learner, self.cancel)
            if learner.problem:
                raise DrillError(learner.problem)
            self.content = learner.source
            for result in grade_save(chunk, learner, self.profiles, self.goes_on, self.seed,
                                     launcher=launcher,
                                     cancel=self.cancel, on_event=lambda kind, event: events.put(
                                         ("progress", (self, kind, event)))):
                if self.cancel.is_set:
                    return
                events.put(("graded", (self, result)))
        except DrillError as exc:  # the file went away, or cannot be read
            events.put(("graded", (self, exc)))

    def stop(self):
        self.cancel.set()
        self.thread.join()


def settled(learner, cancel, step=0.05):
    """The save as it reads once it can be graded, or as it still reads after SETTLE_S. Jupyter
    rewrites a notebook in place: read in the middle, it is cut-off JSON, and a failure shown
    then would flash for a save that is fine. A newer save (`cancel`) ends the wait."""
    waited = 0.0
    while learner.problem and waited < SETTLE_S and not cancel.is_set:
        time.sleep(step)
        waited += step
        learner = read(learner.path)
    return learner


SAVED, MINIMAL = ("quick", "thorough"), ("thorough",)  # the profiles a save and `m` grade with
LABELS = {SAVED: "grading", MINIMAL: "finding the minimal example"}


def watch(store, chunk, attempt, live, keys=None):
    """Run the loop until the attempt passes, is abandoned, or the learner quits.

    `live(screen)` redraws; `keys` is a file descriptor to read single keys from (None without
    a terminal). Returns the Screen as it ended: `ended` is 'passed', 'abandoned', 'quit', or
    'restart' (a speedrun reset: the next run is to begin).
    """
    from drill.grader.warm import launcher
    events = queue.Queue()
    stop = threading.Event()
    path = Path(attempt.file)
    screen = Screen(chunk, attempt, path, store.best_time(chunk.name, attempt.kind),
                    keys=keys is not None)
    _where_it_stood(store, chunk, screen)
    from drill.attempt import last_known
    known = last_known(store, attempt)  # the code graded last, before this loop grades any
    threading.Thread(target=_saves, args=(path, events, stop), daemon=True).start()
    reader = threading.Thread(target=_keys, args=(keys, events, stop), daemon=True)
    if keys is not None:
        reader.start()
    previous = signal.signal(signal.SIGTERM, lambda *_: events.put(("key", "quit")))
    store.resume(attempt.id, now())
    last_beat, job, latest, redraw = None, None, None, Redraws(live)  # latest: the last Job
    try:
        with launcher() as grader:
            while not screen.ended:
                redraw(screen)
                batch = redraw.batch(_waiting(events))
                # Progress alone changes nothing stored: full's 240 results would otherwise be
                # as many reads of the attempt, on the cores its grading needs.
                stored = any(kind != "progress" for kind, _ in batch)
                for kind, value in batch:
                    moment = now()
                    if not screen.paused and (last_beat is None or
                                              (moment - last_beat).total_seconds() >= HEARTBEAT_S):
                        store.seen(attempt.id, moment)
                        last_beat, stored = moment, True
                    profiles = SAVED if kind == "save" and not screen.paused else None
                    if kind == "save" and screen.paused:
                        screen.waiting = True
                    elif kind == "key":
                        profiles = _key(store, chunk, screen, value, moment)
                    learner = _read(screen, path) if profiles else None
                    if learner and (kind != "save" or learner.problem or
                                    learner.source != (latest.content if latest else known)):
                        if job:
                            job.stop()
                        job = latest = _start(screen, chunk, learner, grader, events, profiles,
                                              needs_confirming(store, screen.attempt))
                    elif kind == "progress" and value[0] is job:
                        screen.progress.hear(*value[1:])
                    elif kind == "graded" and value[0] is job:
                        job = _graded(store, screen, job, value[1], redraw.now)
                    if screen.ended:
                        break
                if stored:
                    screen.attempt = store.attempt(attempt.id)
            if job:
                job.stop()
    except KeyboardInterrupt:
        screen.ended = "quit"
    finally:
        stop.set()
        if reader.is_alive():  # a key pressed from now on is the next watcher's (a speedrun's
            reader.join()      # reset starts one at once), never lost to this one
        signal.signal(signal.SIGTERM, previous)
        if screen.ended == "quit":
            store.pause(attempt.id, now())
        screen.attempt = store.attempt(attempt.id)
    live(screen)
    return screen


class Redraws:
    """Draws the panel at once when there is news (a key, a save, a verdict, the file loading,
    its first test), and otherwise at most every REDRAW_S: a redraw per test would cost full's
    240 tests more time than grading them, on the cores the grading needs."""

    def __init__(self, live):
        self.live, self.news, self.shown, self.drawn_at = live, True, None, 0.0

    def batch(self, events):
        """The events the loop is about to take in: news unless all are a grading's progress."""
        self.news = self.news or any(kind != "progress" for kind, _ in events)
        return events

    def now(self, screen):
        """Draw at once."""
        self.news = True
        self(screen)

    def __call__(self, screen):
        progress = screen.progress
        stage = progress and (progress.loaded, bool(progress.passed or progress.failures))
        moment = time.monotonic()
        if self.news or stage != self.shown or moment - self.drawn_at >= REDRAW_S:
            self.live(screen)
            self.news, self.shown, self.drawn_at = False, stage, moment


def _waiting(events):
    """The next event (a tick if none comes within a quarter second), then all that wait."""
    try:
        batch = [events.get(timeout=0.25)]
    except queue.Empty:
        return [("tick", None)]
    while True:
        try:
            batch.append(events.get_nowait())
        except queue.Empty:
            return batch


def _read(screen, path):
    """The file as saved (learner_file.read), or None, with a note, when it is gone."""
    try:
        return read(path)
    except DrillError as exc:
        screen.note = str(exc)
        return None


def _start(screen, chunk, learner, grader, events, profiles, goes_on):
    """A new Job for the file as it was read."""
    screen.grading, screen.progress, screen.note = LABELS[profiles], Progress(), ""
    return Job(chunk, learner, grader, events, profiles, goes_on, screen.attempt.seed)


def _graded(store, screen, job, result, show):
    """Take a Job's result; the job if it goes on (a quick pass being confirmed), else None.
    A verdict is shown (`show(screen)`) before its version is kept, which takes a few hundredths."""
    from drill.attempt import record
    if isinstance(result, DrillError):
        screen.grading, screen.note = "", str(result)
        return None
    screen.result = result
    if result.profile != job.profiles[-1] and job.goes_on(result):
        screen.grading, screen.progress = ("it passes: confirming with the thorough profile"
                                           if result.passed else "a new split: confirming it"
                                           " with the thorough profile"), Progress()
        return job
    screen.grading, screen.progress = "", None
    show(screen)
    record(store, screen.attempt, job.content, result, job.saved_at)
    if result.passed:
        screen.ended = "passed"
    return None


def _where_it_stood(store, chunk, screen):
    """On resuming, the panel starts where the attempt stood: its last grading and hint."""
    from drill.attempt import last_result
    from drill.hints import given
    attempt = screen.attempt
    screen.result = last_result(store, attempt)
    if screen.result is not None:
        screen.note = "as graded before you stopped: save a change to grade it again"
    so_far = given(attempt)
    if so_far and chunk.hints:
        number = min(so_far[-1], len(chunk.hints))
        screen.hint = f"{len(so_far)} of {len(chunk.hints)}: {chunk.hints[number - 1]}"


CONFIRM = {"abandon": "press a again to abandon this attempt (recorded as not passed); any "
                      "other key goes on",
           "reset": "press r again to put the stub back (what the file holds is kept in its "
                    "history); any other key goes on",
           "reset sheet": "press r again to put the same sheet back, unanswered (what the file "
                          "holds is kept in its history); any other key goes on",
           "reset hunt": "press r again to put the file back as handed out, its planted bug "
                         "with it (what it holds now is kept in its history); any other key "
                         "goes on",
           "end": "press r again to reset: this run is recorded as abandoned and a new one starts "
                  "with its file handed out afresh; any other key goes on",
           "hint": "press h again for a hint (counted in this attempt's record); any other key "
                   "goes on"}
COSTLY = ("hint", "reset", "abandon")  # keys that act on a second press only
TYPING = ("ignored: that came as typing, not a key (drill's keys act one at a time, and h, r "
          "and a on a second press)")


def _key(store, chunk, screen, action, moment):
    """Act on a key; the profiles to grade the file with now (saves that waited for a resume,
    or the minimal example), else None. A key that costs something (a hint, a reset, an
    abandon) acts on a second press of it only, and a burst of typing does nothing: stray keys
    cost nothing."""
    attempt = screen.attempt
    asked, screen.confirming = screen.confirming, ""
    if action == "typing":
        screen.note = TYPING
        return None
    if action in COSTLY and asked != action and not _free(chunk, attempt, action):
        screen.confirming = action
        screen.note = CONFIRM[_asking(chunk, attempt, action)]
        return None
    if asked:
        screen.note = ""
    if action == "hint":
        _hint(store, chunk, screen)
    elif action == "minimal" and chunk.kind == "worksheet":
        screen.note = ("a worksheet has no minimal example: each wrong answer says which step "
                       "of the chain rule went wrong")
    elif action == "minimal":
        return MINIMAL
    elif action == "pause":
        if screen.paused:
            store.resume(attempt.id, moment)
        else:
            store.pause(attempt.id, moment)
        screen.paused = not screen.paused
        if not screen.paused and screen.waiting:
            screen.waiting = False
            return SAVED
    elif action == "reset" and attempt.kind == "speedrun":  # as on a speedrun timer: the run
        store.finish_attempt(attempt.id, "abandoned", moment)  # ends, recorded as abandoned,
        screen.ended = "restart"  # and the next one starts
    elif action == "reset":
        reset_file(store, chunk, attempt, moment)
        screen.note = ("the file is as handed out again; what it held is kept in this attempt's "
                       "history")
    elif action == "abandon":
        store.finish_attempt(attempt.id, "abandoned", moment)
        screen.ended = "abandoned"
    elif action == "quit":
        screen.ended = "quit"
    return None


def _asking(chunk, attempt, action):
    """Which CONFIRM question a costly key asks: a reset differs with what it puts back."""
    if action != "reset":
        return action
    if attempt.kind in ("speedrun", "hunt"):
        return {"speedrun": "end", "hunt": "reset hunt"}[attempt.kind]
    return "reset sheet" if chunk.kind == "worksheet" else "reset"


def _free(chunk, attempt, action):
    """Whether a costly key costs nothing this time: a hint once every hint was given (the
    last one comes again), or when the chunk has none."""
    return action == "hint" and attempt.hints_used >= len(chunk.hints)


def _hint(store, chunk, screen):
    """The next hint on the panel: the one for the failure on screen first (drill.hints)."""
    failure = screen.result.first_failure() if screen.result else None
    given = next_hint(store, chunk, screen.attempt, failure)
    if given is None:
        screen.note = f"{chunk.name} has no hints"
        return
    screen.hint = f"{given[0]} of {len(chunk.hints)}: {given[1]}"
    if given[0] >= len(chunk.hints):
        screen.note = "that was the last hint: drill peek shows the reference (recorded)"


def _saves(path, events, stop):
    """Put ('save', None) on `events` whenever `path` is written (editors that save by renaming
    a new file over it included: the folder is watched, not the file; Jupyter's checkpoints,
    in a folder below it, are not). Once the watcher is up, the file counts as saved once: an
    edit made while the watcher was being set up, or while drill was not running (resumed
    later), is graded without another save, and an unchanged file is not (the loop compares)."""
    from watchfiles import watch as watch_files
    target, ready = str(path.resolve()), False
    for changes in watch_files(path.parent, stop_event=stop, debounce=100, step=10,
                               recursive=False, raise_interrupt=False, rust_timeout=250,
                               yield_on_timeout=True):
        saved = not ready or any(os.path.abspath(changed) == target for _, changed in changes)
        ready = True
        if saved and path.exists():
            events.put(("save", None))


def _keys(fd, events, stop):
    """Single keys from the terminal `fd` (already in cbreak mode) as ('key', action) events.
    A key followed within BURST_S by another is typing (a command meant for a shell, a
    paste), not a key: the whole burst is one ('key', 'typing') event."""
    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        typed = os.read(fd, 64)
        while typed and not stop.is_set() and select.select([fd], [], [], BURST_S)[0]:
            more = os.read(fd, 64)
            if not more:
                break
            typed += more
        char = typed.decode(errors="ignore").lower()
        if len(typed) > 1:
            events.put(("key", "typing"))
        elif char in KEYS:
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
