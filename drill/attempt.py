"""An attempt at a chunk: hand out the stub, grade the learner's file, keep every version.

Nothing the learner wrote is ever lost: a file about to be replaced by a stub is first kept as a
snapshot, and every graded version is kept with its result.
"""
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from drill.clock import now
from drill.config import workspace
from drill.errors import DrillError
from drill.grader.dataguard import keep_copy
from drill.learner_file import from_text, is_notebook, read
from drill.paths import home
from drill.store.autobackup import automatic
from drill.stub import drawn, make_stub
from drill.worksheet import new_seed


@dataclass
class Started:
    attempt: object
    path: Path
    resumed: bool = False
    kept_stale: bool = False
    missing_prerequisites: list = field(default_factory=list)


def handout(chunk, kind="practice", mutant=None, seed=None, path=None):
    """The file an attempt starts from: the chunk's stub (a worksheet's of `seed`, or for a
    chunk that draws, its draw numbered `seed`), or for a hunt the whole reference with the bug
    `mutant` planted; written as a notebook when the attempt's file, `path`, is one."""
    chunk = drawn(chunk, seed)
    if kind == "hunt":
        from drill.hunt import planted
        text = planted(chunk, mutant)
    else:
        text = make_stub(chunk, seed=seed)
    if path and is_notebook(path):
        from drill.notebook import write
        return write(text, fits_notebook(chunk).card)
    return text


def fits_notebook(chunk):
    """`chunk`, if it can be handed out as a notebook; a DrillError for a worksheet."""
    if chunk.kind == "worksheet":
        raise DrillError(f"{chunk.name} is a worksheet of numbers, not code: it is written in "
                         "the .py file drill hands out, not in a notebook")
    return chunk


def last_known(store, attempt):
    """The code of the file as drill last knew it, as drill grades it: its latest graded
    version, or the handout it started from (a version kept before the stub replaced it is not
    the file any more)."""
    kept = store.snapshots(attempt.id)
    if kept and kept[-1].reason == "check":
        return kept[-1].content
    from drill.catalog import get_chunk
    return from_text(attempt.file, handout(get_chunk(attempt.chunk).as_run(attempt.kind),
                                           attempt.kind, attempt.mutant, attempt.seed,
                                           attempt.file)).source


def chunk_of(attempt):
    """The chunk as `attempt` sees it: as its kind of run is graded (Chunk.as_run), with what it
    drew (extend's operation), and a hunt's hints narrow down its planted bug."""
    from drill.catalog import get_chunk
    chunk = get_chunk(attempt.chunk).as_run(attempt.kind)
    if chunk.draws:
        chunk = drawn(chunk, attempt.seed)
    if attempt.kind == "hunt":
        from drill.hunt import hunted
        return hunted(chunk, attempt.mutant)
    return chunk


class StillOpen(DrillError):
    """One attempt is open at a time: another is, which the learner resumes or abandons first."""

    def __init__(self, attempt, wanted):
        self.attempt, self.wanted = attempt, wanted
        super().__init__(f"one attempt at a time: {what(attempt.chunk, attempt.kind)} (attempt "
                         f"{attempt.id}) is still open; `drill resume` goes on with it, or "
                         f"`drill abandon` ends it before {wanted} starts")

    def resumed(self):
        """Going on with the attempt that is open instead."""
        return Started(self.attempt, Path(self.attempt.file), resumed=True)


def what(chunk_name, kind):
    """An attempt in words: `topo`, `the speedrun of full`, `the bug hunt in topo`."""
    return {"speedrun": f"the speedrun of {chunk_name}",
            "hunt": f"the bug hunt in {chunk_name}"}.get(kind, chunk_name)


def start(store, chunk, fresh=False, kind="practice", mutant=None, notebook=False):
    """Open an attempt at `chunk` (a practice, a speedrun with splits, or a hunt of the bug
    `mutant`), in a .py file or a Jupyter `notebook`, or go on with the one of that chunk and
    kind already open. Another attempt open is a StillOpen; with `fresh`, whatever is open is
    abandoned instead. The file is never overwritten unsaved: a stale file is kept whole in
    the new attempt's history before the stub replaces it."""
    if notebook:
        fits_notebook(chunk)
    name = chunk.name if kind == "practice" else f"{kind}-{chunk.name}"
    path = workspace() / (name + (".ipynb" if notebook else ".py"))
    seed = new_seed() if chunk.kind == "worksheet" else previous_draw(store, chunk)
    attempt, created = store.open_or_start(chunk.name, kind, path, now(), fresh=fresh, seed=seed,
                                           mutant=mutant)
    if not created and (attempt.chunk, attempt.kind) != (chunk.name, kind):
        raise StillOpen(attempt, what(chunk.name, kind))
    if not created:
        return Started(attempt, Path(attempt.file), resumed=True)
    stub = handout(chunk, kind, mutant, seed, path)
    attempt_id = attempt.id
    stale = path.read_text(encoding="utf-8") if path.is_file() else None
    kept = stale is not None and stale != stub
    if kept:
        store.add_snapshot(attempt_id, stale, now(), "stale")
    path.write_text(stub, encoding="utf-8")
    keep_copy(store.path)
    missing = [] if kind != "practice" else [name for name in chunk.requires
                                             if not store.ever_passed(name)]
    return Started(store.attempt(attempt_id), path, kept_stale=kept, missing_prerequisites=missing)


def abandon(store, chunk_name=None):
    """End the open attempt (at `chunk_name`, if given) as abandoned, unless a watcher holds
    it; the attempt as it ended."""
    attempt = require_open(store, chunk_name)
    with claim(attempt):
        store.finish_attempt(attempt.id, "abandoned", now())
    return store.attempt(attempt.id)


@contextmanager
def claim(attempt):
    """Hold the attempt for this watcher, or a DrillError if another drill watches it: two
    clocks on one attempt would fight. The lock is the kernel's, so a watcher killed outright
    leaves nothing behind."""
    import fcntl
    path = home() / f"watching-{attempt.id}.lock"
    try:
        lock = open(path, "a")
    except OSError:  # a home drill cannot write to: it records nothing either
        from drill.store.sqlite_errors import read_only_message
        raise DrillError(read_only_message(path)) from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DrillError(f"attempt {attempt.id} ({attempt.chunk}) is being watched in "
                             "another terminal: go on there")
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def previous_draw(store, chunk):
    """A new draw for an attempt at a chunk that draws (extend), never the one its last attempt
    drew; None for a chunk that draws nothing."""
    if not chunk.draws:
        return None
    from drill.draws import pick
    last = store.latest_attempt(chunk.name)
    return pick(chunk, last.seed if last else None)


def latest_draw(store, chunk):
    """`chunk` as its open attempt, else its latest one, drew it: what `drill peek` shows of a
    chunk that draws; a DrillError before any draw."""
    if not chunk.draws or chunk.draw() is not None:
        return chunk
    last = store.open_attempt(chunk.name) or store.latest_attempt(chunk.name)
    if last is None or last.seed is None:
        raise DrillError(f"{chunk.name} draws its operation when an attempt starts, and none "
                         f"has yet: drill start {chunk.name} draws one")
    return drawn(chunk, last.seed)


def require_open(store, chunk_name=None):
    """The open attempt (at `chunk_name`, if given), or a DrillError saying how to open one."""
    attempt = store.open_attempt(chunk_name)
    if attempt is None:
        what = f"at '{chunk_name}' " if chunk_name else ""
        raise DrillError(f"no attempt {what}is open: `drill start CHUNK` opens one")
    return attempt


def next_hint(store, chunk, attempt, failure=None):
    """(how many hints given, this one's text): the attempt's next hint, the one that speaks
    to `failure` (the test failing now) first (drill.hints), counted in its record; the last
    one again once all were given; None for a chunk without hints."""
    from drill.hints import given, next_number
    if not chunk.hints:
        return None
    so_far = given(attempt)
    number = next_number(chunk, so_far, failure)
    if number is None:
        number = min(so_far[-1], len(chunk.hints))
    else:
        so_far.append(number)
        store.give_hints(attempt.id, so_far)
    return len(so_far), chunk.hints[number - 1]


def grade_open(store, chunk_name=None, on_event=None, launcher=None):
    """Grade the open attempt's file (thorough), keep the version, and end the attempt if it
    passes (in a read-only home, grade and keep nothing). Returns (attempt, result)."""
    attempt = require_open(store, chunk_name)
    learner = read(attempt.file)
    if learner.problem:
        raise DrillError(learner.problem)
    result = grade(chunk_of(attempt), learner, "thorough", attempt.seed, on_event=on_event,
                   launcher=launcher)
    if not store.read_only:
        record(store, attempt, learner.source, result, now())
    return store.attempt(attempt.id), result


def grade(chunk, learner, profile="thorough", seed=None, **run):
    """The GradeResult of the learner's file (a learner_file.LearnerFile) for `chunk`: code by
    the chunk's suites in the grader's child (`run` goes to grader.parent.grade: launcher,
    cancel, on_event), a worksheet by drill itself against the sheet of `seed` (its answers
    are read, never run); a chunk that draws, on the draws it is narrowed to (an attempt's,
    by `chunk_of`, to the one it made)."""
    if chunk.kind == "worksheet":
        from drill.worksheet import grade as grade_sheet
        return grade_sheet(chunk, learner, profile, seed)
    from drill.grader.parent import grade as grade_code
    return grade_code(chunk, learner, profile, **run)


def grade_save(chunk, learner, profiles, goes_on, seed=None, **run):
    """Grade a save in watch mode with each profile in turn, yielding each result, while
    `goes_on(result)`: the quick profile first, then the thorough one to confirm what would be
    recorded as passed. `run` goes to `grade` (launcher, cancel, on_event)."""
    for profile in profiles:
        result = grade(chunk, learner, profile, seed, **run)
        yield result
        if not goes_on(result):
            return


def needs_confirming(store, attempt):
    """What in a quick result the thorough profile must confirm before it is recorded: a pass,
    and in a speedrun, a chunk passing for the first time (a split)."""
    split = {name for name, _ in store.splits(attempt.id)} if attempt.kind == "speedrun" else None

    def goes_on(result):
        return result.passed or split is not None and any(
            name not in split for name in passed_splits(result))
    return goes_on


def passed_splits(result):
    """The splits a speedrun's result passes. The split of the whole (full's own suite) is the
    run's last: the file on its own may train before every part is right (a `=` for `+=` in
    one `_backward` still lowers the loss), so it counts only once every other split passes."""
    from drill.catalog import wholes
    verdicts, whole = result.chunk_verdicts(), wholes()
    every = all(verdicts.values())
    return [name for name, passed in verdicts.items() if passed and (every or name not in whole)]


def record(store, attempt, content, result, at):
    """Keep the graded version; in a speedrun, each chunk passing for the first time is a
    split at the run's time then; a passing version ends the attempt at `at`, unless the run
    ends with the demo trained (`train_split`)."""
    store.add_snapshot(attempt.id, content, at, "check", result)
    if attempt.kind == "speedrun":
        so_far = store.attempt(attempt.id).active_s_at(at)
        for chunk in passed_splits(result):
            store.add_split(attempt.id, chunk, so_far)
    if result.passed and not awaits_training(attempt):
        store.finish_attempt(attempt.id, "passed", at)
    keep_copy(store.path)
    automatic(store.path)  # a backup, in the background, when an attempt ended or time has passed


def last_result(store, attempt):
    """The GradeResult of the attempt's latest graded version, or None before any grading."""
    import json
    from drill.grader.results import GradeResult
    graded = [s for s in store.snapshots(attempt.id) if s.result]
    if not graded:
        return None
    return GradeResult.from_dict(json.loads(graded[-1].result))


def awaits_training(attempt):
    """Whether a passing version of `attempt` still has its network to train (a speedrun of
    moons or digits)."""
    from drill.catalog import get_chunk
    return bool(get_chunk(attempt.chunk).as_run(attempt.kind).trained) and attempt.ended_at is None


def ending(attempt):
    """The training that ends `attempt`'s run, as its chunk's `[speedrun]` table names it
    (`trained`): the parent's side of that task (drill.demo for moons, drill.digits_run for
    digits, each with `train_to_goal`, STEPS and ACCURACY), and the accuracy it must reach."""
    from drill import demo, digits_run
    from drill.catalog import get_chunk
    run_as = get_chunk(attempt.chunk).as_run(attempt.kind)
    return {"moons": demo, "digits": digits_run}[run_as.trained], run_as.goal


def train_split(store, attempt, on_step=None, cancel=None):
    """The last split of a run that ends with a training: train the run's last passing version
    as its chunk's command does by default, until the network reaches the run's goal (every
    point of the moons; 90 % of the held-out digits); then the split `trained`, at the run's
    time, ends the run. The training's run (one that falls short stays open: check again)."""
    trainer, goal = ending(attempt)
    content = next(s.content for s in reversed(store.snapshots(attempt.id)) if s.passed)
    run = trainer.train_to_goal(content, goal, on_step=on_step, cancel=cancel)
    if run.reached:
        at = now()
        store.add_split(attempt.id, "trained", store.attempt(attempt.id).active_s_at(at))
        store.finish_attempt(attempt.id, "passed", at)
    return run


def reset_file(store, chunk, attempt, at):
    """Put the file as handed out back in the attempt's file, keeping what it held, whole, in
    the attempt's history (a notebook's markdown and outputs too)."""
    path = Path(attempt.file)
    if path.is_file():
        store.add_snapshot(attempt.id, path.read_text(encoding="utf-8"), at, "reset")
    path.write_text(handout(chunk, attempt.kind, attempt.mutant, attempt.seed, path),
                    encoding="utf-8")


def start_hunt(store, chunk_name=None, fresh=False, rng=None):
    """Open a hunt (in `chunk_name`, else in any chunk with bugs, due ones likelier), or go on
    with the hunt already open there (`fresh` abandons whatever is open and plants another)."""
    import random

    from drill.catalog import get_chunk, load_catalog
    from drill.hunt import pick
    open_one = store.open_attempt(chunk_name, "hunt")
    if open_one and not fresh:
        return start(store, get_chunk(open_one.chunk), kind="hunt")
    if open_one:
        store.finish_attempt(open_one.id, "abandoned", now())
    if chunk_name:
        chunks = [get_chunk(chunk_name)]
        if not chunks[0].mutants():
            raise DrillError(f"{chunk_name} has no bugs to plant: name a chunk you write code "
                             "in (drill list)")
    else:
        chunks = [c for c in load_catalog() if c.mutants()]
    from drill.progress import queue
    due = {d.chunk for d in queue(store).due}
    last = store.latest_attempt(kind="hunt")
    chunk, mutant = pick(chunks, due, last and (last.chunk, last.mutant), rng or random.Random())
    return start(store, chunk, fresh=fresh, kind="hunt", mutant=mutant["name"])
