"""The drill command: parse, call the core, render. Nothing else lives here.

Modules are imported inside the commands, so `drill --help` loads click alone.
"""
import sys

import click


class OneLine(click.UsageError):
    """click's usage error in one line, as drill's own errors are: what was wrong, then where
    the command's help is (click's own takes four)."""

    def __init__(self, error):
        super().__init__(error.format_message().rstrip("."), error.ctx)

    def show(self, file=None):
        from drill import render
        path = self.ctx.command_path if self.ctx else "drill"
        render.error(f"{self.message} ({path} -h for help)")


class DrillGroup(click.Group):
    """Turns a DrillError anywhere below into one line on stderr and its exit code, and a usage
    error too (OneLine); after a command that ran, a backup if one is due (`_backed_up`)."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise OneLine(exc) from None

    def invoke(self, ctx):
        from drill.errors import DrillError
        try:
            try:
                done = super().invoke(ctx)
            except click.UsageError as exc:  # a command's own arguments
                raise exc if isinstance(exc, OneLine) else OneLine(exc) from None
            except SystemExit:  # a command that ran, with its exit status (drill check)
                _backed_up()
                raise
            except Exception as exc:  # an SQLite error met anywhere: one line, no traceback
                if type(exc).__module__ != "sqlite3":
                    raise
                from drill.store import as_drill_error
                raise as_drill_error(exc) from exc
            _backed_up()
            return done
        except DrillError as exc:
            from drill import render
            render.error(str(exc))
            ctx.exit(exc.exit_code)


def _backed_up():
    """After a command that opened the store: a backup if one is due (an attempt ended), and
    what drill has to say about backups."""
    autobackup = sys.modules.get("drill.store.autobackup")
    if autobackup is not None:
        from drill import render
        for line in autobackup.afterwards():
            render.note(line)


@click.group(cls=DrillGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drill", prog_name="drill", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx):
    """Write micrograd from memory: chunk by chunk, then against the clock.

    drill keeps its data in $DRILL_HOME (default: your user data folder). Without a command,
    drill shows today's queue.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(today)


@cli.command("list")
def list_chunks():
    """The chunks in learning order.

    With each its target time and the chunks it builds on."""
    from drill import render
    from drill.catalog import load_catalog
    from drill.store import open_store
    render.chunk_list(load_catalog(), open_store().passed_chunks())


@cli.command()
@click.argument("chunk")
def card(chunk):
    """What CHUNK asks you to write."""
    from drill import render
    from drill.catalog import get_chunk
    render.card(get_chunk(chunk))


@cli.command()
@click.argument("chunk")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the stub to this file (a notebook if it ends in .ipynb).")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def stub(chunk, output, force):
    """The file CHUNK starts from.

    Its parts are left blank; what its suite needs of the chunks before it is written out, and
    nothing else of the library."""
    from pathlib import Path

    from drill import render
    from drill.attempt import handout
    from drill.catalog import get_chunk
    from drill.errors import DrillError
    target = get_chunk(chunk)
    if not output:
        render.code(handout(target))
        return
    path = Path(output)
    if path.exists() and not force:
        raise DrillError(f"{path} already exists; drill never overwrites your work "
                         "(--force replaces it)")
    _write(path, handout(target, path=path))
    render.wrote(path, f"the {chunk} stub")


def _write(path, text):
    """Write a file the learner named, or say in one line why it cannot be."""
    from pathlib import Path

    from drill.errors import DrillError
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DrillError(f"cannot write {path}: {exc.strerror}") from None


@cli.command()
@click.argument("chunk", required=False)
@click.option("--file", "path", help="Grade this file and record nothing (needs CHUNK).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--quick", is_flag=True, help="With --file: the quick profile used on every save.")
@click.option("--op", help="With --file, for a chunk that draws an operation (extend): grade "
              "this one (default: every one your Value defines).")
def check(chunk, path, as_json, quick, op):
    """Grade the open attempt, or any file with --file.

    The open attempt ends when it passes; a file graded with --file is not recorded. Exit
    status: 0 when every test passes, 1 when any does not, 2 for usage errors.
    """
    if _grades_a_worksheet(chunk, path):  # drill grades it itself: no child, no grader
        _check(chunk, path, as_json, quick, op, None)
        return
    from drill.grader.resident import home_grader
    from drill.grader.parent import cores
    # first: cold children load while drill does its work, as many as the grading will use
    with home_grader(ahead=1 if quick else cores()) as launcher:
        _check(chunk, path, as_json, quick, op, launcher)


def _grades_a_worksheet(chunk, path):
    """Whether the check grades a worksheet (chain): the chunk named, or when none is, the
    open attempt's. Bad input is no worksheet here: the check itself says what is wrong."""
    from drill.catalog import get_chunk
    from drill.errors import DrillError
    try:
        if not chunk and not path:
            from drill.store import open_store
            attempt = open_store().open_attempt(None)
            chunk = attempt.chunk if attempt else None
        return bool(chunk) and get_chunk(chunk).kind == "worksheet"
    except DrillError:
        return False


def _check(chunk, path, as_json, quick, op, launcher):
    from drill import render
    from drill.errors import DrillError
    from drill.paths import home, read_only
    if op and not path:
        raise DrillError("--op goes with --file: an attempt is graded on the operation it drew")
    _sandbox_note()
    if read_only():
        render.not_recorded(home())
    if path:
        from drill.attempt import grade
        from drill.catalog import get_chunk
        from drill.learner_file import read
        if not chunk:
            raise DrillError("--file needs the chunk to grade it on: drill check ops --file ops.py")
        target = get_chunk(chunk)
        learner = read(path)
        if target.draws or op:
            target = _drawn_in(target, learner, op)
            if not as_json:
                render.draws_graded(target, path, found=not op)
        result = _graded(target.name, as_json, lambda progress: grade(
            target, learner, "quick" if quick else "thorough", on_event=progress,
            launcher=launcher))
        attempt = None
    else:
        from drill.attempt import grade_open
        from drill.store import open_store
        if quick:
            raise DrillError("a check that is recorded is always thorough; --quick goes with --file")
        store = open_store()
        attempt, result = _graded(chunk or "the open attempt", as_json,
                                  lambda progress: grade_open(store, chunk, on_event=progress,
                                                              launcher=launcher))
        from drill.catalog import get_chunk
        target = get_chunk(attempt.chunk)
    if as_json:
        if attempt and result.passed:
            attempt = _train_split(store, attempt, quiet=True)
        render.json_out({**result.to_dict(), "attempt": attempt.to_dict() if attempt else None})
    else:
        render.check_result(result)
        if result.passed and target.on_pass:
            _draw_on_pass(target, path or attempt.file)
        if attempt and result.passed:
            attempt = _train_split(store, attempt)
        if attempt and attempt.kind == "speedrun":
            from drill.progress import run_report
            render.run_summary(run_report(store, attempt))
        if attempt and attempt.kind == "hunt" and attempt.outcome == "passed":
            from drill.attempt import chunk_of
            _show_found(store, chunk_of(attempt), attempt)
        if attempt:
            render.attempt_line(attempt)
            if attempt.ended_at:
                from drill.progress import last_pass, queue, review_of
                render.review_line(review_of(store, attempt), attempt)
                render.since_last(attempt, last_pass(store, attempt))
                render.next_step(queue(store), target)
    sys.exit(0 if result.passed and not (attempt and attempt.outcome == "open") else 1)


def _drawn_in(chunk, learner, op):
    """`chunk` narrowed to the operation `op`, or to every one the learner's file defines."""
    from drill.errors import DrillError
    names = [d["name"] for d in chunk.draws]
    if not names:
        raise DrillError(f"{chunk.name} draws no operation: --op goes with a chunk that does "
                         "(extend)")
    if op:
        if op not in names:
            raise DrillError(f"{chunk.name} has no operation '{op}': it draws one of "
                             f"{', '.join(names)}")
        return chunk.only([op])
    from drill.draws import defined
    found = defined(chunk, learner.source)
    if not found:
        raise DrillError(f"the Value of {learner.path.name} defines none of {chunk.name}'s "
                         f"operations ({', '.join(names)}): write one, or grade one with --op "
                         "NAME")
    return chunk.only(found)


def _train_split(store, attempt, quiet=False):
    """A run that ends with a training (moons, digits): train it now, with a progress bar; the
    attempt as it is afterwards (passed once the network reaches the run's goal)."""
    from drill import render
    from drill.attempt import awaits_training, ending, train_split
    if not awaits_training(attempt):
        return attempt
    from drill.errors import DrillError
    trainer, _ = ending(attempt)
    run, problem = None, "you stopped it"
    try:
        with render.TrainingProgress(None if quiet else trainer.STEPS,
                                     trainer.ACCURACY) as progress:
            run = train_split(store, attempt, on_step=progress)
    except KeyboardInterrupt:
        pass
    except DrillError as exc:
        problem = str(exc)
    if not quiet:
        render.trained_split(run, problem)
    return store.attempt(attempt.id)


def _sandbox_note():
    """Before a grading, once: which of the sandbox's protections are off here (drill doctor)."""
    from drill import render
    from drill.grader.sandbox import problems
    off = problems()
    if off:
        render.sandbox_off(off)


def _graded(label, as_json, run):
    """Run a grading with a progress bar on a terminal (none for --json); its return value.
    Ctrl-C stops it before anything is recorded, with the shell's code for an interrupt."""
    from drill import render
    try:
        if as_json:
            return run(None)
        with render.CheckProgress(label) as progress:
            return run(progress)
    except KeyboardInterrupt:
        render.error("check interrupted, nothing recorded")
        sys.exit(130)


def _handing_out(what):
    """The options of a command that hands out `what` to work on: --no-watch and --editor."""
    def decorate(command):
        command = click.option("--editor", is_flag=True,
                               help="Open the file in $VISUAL or $EDITOR.")(command)
        return click.option("--no-watch", is_flag=True, help=f"Hand out {what}, start the "
                            "timer and exit; `drill check` grades it.")(command)
    return decorate


NOTEBOOK = click.option("--notebook", is_flag=True,
                        help="Hand it out as a Jupyter notebook (CHUNK.ipynb): each save graded.")


@cli.command()
@click.argument("chunk", required=False)
@_handing_out("the stub")
@NOTEBOOK
def start(chunk, no_watch, editor, notebook):
    """Start a timed attempt at a chunk.

    CHUNK (default: the top of today's queue) is handed out as its stub in your workspace,
    the timer runs, and every save is graded until it passes. An attempt already open at it
    goes on instead; one open elsewhere is offered to resume or abandon."""
    from drill.attempt import start as start_attempt
    from drill.catalog import get_chunk
    from drill.errors import DrillError
    from drill.store import open_store
    store = open_store()
    if chunk is None:
        from drill.progress import queue as queue_of
        queue = queue_of(store)
        chunk = queue.due[0].chunk if queue.due else queue.new
        if chunk is None:
            raise DrillError("nothing is due and no new chunk today: name one (drill list)")
    target = get_chunk(chunk)
    _hand_out(store, lambda fresh: start_attempt(store, target, fresh=fresh, notebook=notebook),
              no_watch, editor)


@cli.command()
@click.argument("chunk", required=False)
@_handing_out("the file")
def hunt(chunk, no_watch, editor):
    """Find and fix a bug planted in a chunk.

    The whole library with one realistic bug planted in CHUNK (default: any chunk, those
    due likelier), timed and graded by CHUNK's suite like an attempt. A hunt already open
    goes on instead."""
    from drill.attempt import start_hunt
    from drill.store import open_store
    store = open_store()
    _hand_out(store, lambda fresh: start_hunt(store, chunk, fresh=fresh), no_watch, editor)


def _hand_out(store, begin, no_watch, editor):
    """Open an attempt with `begin(fresh)`, say what to do, and watch it unless told not to.
    One attempt is open at a time: on a terminal, one already open is offered to go on with
    or to abandon (`fresh`); elsewhere another one open is a one-line error."""
    from drill import render
    from drill.attempt import StillOpen, chunk_of
    if editor:
        from drill.editor import editor_command, open_in_editor
        command = editor_command()  # before anything opens: a missing editor leaves nothing
    try:
        started = begin(False)
    except StillOpen as busy:
        if not sys.stdin.isatty():
            raise
        choice = click.prompt(render.still_open_question(busy.attempt, busy.wanted),
                              type=click.Choice(["r", "a", "q"]), default="r")
        if choice == "q":
            sys.exit(1)
        started = busy.resumed() if choice == "r" else begin(True)
    else:
        if started.resumed and sys.stdin.isatty() and not click.confirm(
                render.resume_question(started.attempt), default=True):
            started = begin(True)
    target = chunk_of(started.attempt)
    render.started(target, started, watching=not no_watch)
    if editor:
        open_in_editor(command, started.path)
    if not no_watch:
        _watch(store, target, started.attempt)


@cli.command()
@click.argument("chunk", default="full")
@_handing_out("the blank file")
@click.option("--history", "show_history", is_flag=True, help="List every speedrun instead.")
@click.option("--json", "as_json", is_flag=True, help="With --history: as JSON.")
@NOTEBOOK
def speedrun(chunk, no_watch, editor, show_history, as_json, notebook):
    """Race the clock through the whole library.

    CHUNK (default: full, the whole library) from a blank file, with a split each time a
    chunk's suite first passes, against your personal best and your best segments."""
    from drill import render
    from drill.attempt import start as start_attempt
    from drill.catalog import get_chunk
    from drill.progress import runs_of
    from drill.store import open_store
    store = open_store()
    if show_history:
        runs = runs_of(store)
        if as_json:
            render.json_out([{**a.to_dict(), "splits": s} for a, s in runs])
        else:
            render.speedrun_history(runs)
        return
    target = get_chunk(chunk).as_run("speedrun")
    _hand_out(store, lambda fresh: start_attempt(store, target, fresh=fresh, kind="speedrun",
                                                 notebook=notebook), no_watch, editor)


@cli.command()
@click.argument("chunk", required=False)
def abandon(chunk):
    """End the open attempt as not passed.

    With CHUNK, the open attempt at it."""
    from drill import render
    from drill.attempt import abandon as abandon_attempt
    from drill.progress import review_of
    from drill.store import open_store
    store = open_store()
    attempt = abandon_attempt(store, chunk)
    render.abandoned(attempt)
    render.review_line(review_of(store, attempt), attempt)


@cli.command()
@click.argument("chunk", required=False)
def resume(chunk):
    """Go on with the open attempt.

    Watch its file (at CHUNK, if given) again, the clock running on."""
    from drill.attempt import chunk_of, require_open
    from drill.store import open_store
    store = open_store()
    attempt = require_open(store, chunk)
    _watch(store, chunk_of(attempt), attempt)


def _watch(store, chunk, attempt):
    """Watch the attempt's file until it passes or the learner stops; then the verdict, and on
    a pass the pass screen."""
    from drill import render
    from drill.attempt import claim
    from drill.watch import Terminal, watch
    from drill.progress import run_report
    _sandbox_note()
    best = store.best_time(chunk.name, attempt.kind)
    speedrun = attempt.kind == "speedrun"
    with claim(attempt), Terminal() as keys, render.LivePanel() as show:
        def redraw(screen):  # the splits change only when a save is graded
            if speedrun and (screen.report is None
                             or screen.report.attempt.checks != screen.attempt.checks):
                screen.report = run_report(store, screen.attempt)
            show(screen)
        screen = watch(store, chunk, attempt, redraw, keys)
    if screen.ended == "restart":  # a speedrun's reset: kept unfinished, and the next run begins
        _watch(store, *_next_run(store, screen.attempt))
        return
    if screen.ended == "passed":
        screen.attempt = _train_split(store, screen.attempt)
    if speedrun:
        render.run_summary(run_report(store, screen.attempt))
    render.watch_end(screen, best)
    if screen.ended in ("passed", "abandoned"):
        from drill.progress import review_of
        render.review_line(review_of(store, screen.attempt), screen.attempt)
    if screen.ended == "passed":
        _pass_screen(store, chunk, screen.attempt)


def _next_run(store, ended):
    """(the chunk as the next run sees it, its attempt): the speedrun that follows `ended` after
    a reset, in the same kind of file (a notebook stays one). It is an attempt of its own, so a
    chunk that draws (extend) draws it anew from the chunk undrawn, and the card, the handout
    and the grading follow that draw, not the last."""
    from drill import render
    from drill.attempt import chunk_of, start
    from drill.catalog import get_chunk
    from drill.learner_file import is_notebook
    render.restarted(ended)
    attempt = start(store, get_chunk(ended.chunk).as_run("speedrun"), kind="speedrun",
                    notebook=is_notebook(ended.file)).attempt
    chunk = chunk_of(attempt)
    if chunk.draws:  # a new operation to write: its card says which
        render.card(chunk)
    return chunk, attempt


PASS_SCREEN = 10  # lines of the terminal the pass screen keeps for all but its comparison


def _pass_screen(store, chunk, attempt):
    """After the verdict and the rating: what changed since the last pass, the functions that
    differ from the reference, and what next, last, where the eye is."""
    from drill import render
    from drill.meaning import against_reference
    from drill.progress import last_pass, queue as queue_of
    render.since_last(attempt, last_pass(store, attempt))
    if attempt.kind == "hunt":
        _show_found(store, chunk, attempt)
    elif chunk.kind == "code":
        render.diff(*against_reference(chunk, store.snapshots(attempt.id)[-1].content),
                    leave=PASS_SCREEN, rest=f"drill diff {attempt.id} shows them all")
    if chunk.on_pass:
        _draw_on_pass(chunk, attempt.file)
    render.next_step(queue_of(store), chunk)


def _draw_on_pass(chunk, path):
    """The picture a chunk draws from the learner's own code once it passes (trace: the
    lecture's graph as their trace found it), made in the grader's child."""
    from drill import render
    from drill.errors import DrillError
    from drill.pictures import of_task
    from drill.learner_file import read
    try:
        render.drawn_on_pass(chunk, of_task(chunk.on_pass, read(path), {}))
    except DrillError as exc:  # the pass stands; only the picture is missing
        render.drawn_on_pass(chunk, None, str(exc))


def _show_found(store, chunk, attempt):
    """A hunt that passed: the planted bug beside the learner's fix (the version that passed)."""
    from drill import render
    from drill.hunt import found
    render.hunt_found(found(chunk, attempt.mutant, store.snapshots(attempt.id)[-1].content))


PAGE = 20  # attempts `drill history` shows unless told


@cli.command()
@click.argument("chunk", required=False)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=PAGE, show_default=True,
              help="How many of the latest attempts to show.")
@click.option("--all", "show_all", is_flag=True, help="Every attempt, however many.")
@click.option("--json", "as_json", is_flag=True, help="Print the attempts as JSON.")
def history(chunk, limit, show_all, as_json):
    """Your latest attempts, oldest first.

    At CHUNK, or all: time, outcome, hints, checks."""
    from drill import render
    from drill.store import open_store
    if chunk:
        from drill.catalog import get_chunk
        get_chunk(chunk)
    store = open_store()
    attempts = store.attempts(chunk, latest=None if show_all else limit)
    if as_json:
        render.json_out([a.to_dict() for a in attempts])
    else:
        render.history(attempts, store.count_attempts(chunk))


@cli.command()
@click.argument("attempt_id", type=int)
@click.option("--version", "version", type=int, help="An earlier version (1 = the first).")
@click.option("--versions", "list_versions", is_flag=True,
              help="List the attempt's versions: when each was kept and how it fared.")
def show(attempt_id, version, list_versions):
    """An attempt's code, or one of its versions.

    The final code of attempt ATTEMPT_ID, one of its earlier versions, or the list of them."""
    from drill import render
    from drill.errors import DrillError
    from drill.store import open_store
    store = open_store()
    store.attempt(attempt_id)  # a DrillError when there is no such attempt
    snapshots = store.snapshots(attempt_id)
    if not snapshots and store.attempt(attempt_id).seed is not None:  # a worksheet not yet graded
        from drill.catalog import get_chunk
        from drill.stub import make_stub
        attempt = store.attempt(attempt_id)
        render.code(make_stub(get_chunk(attempt.chunk), seed=attempt.seed))
        return
    if not snapshots:
        raise DrillError(f"attempt {attempt_id} has no version kept yet (drill check keeps one)")
    if list_versions:
        render.versions(attempt_id, snapshots)
        return
    number = len(snapshots) if version is None else version
    if not 1 <= number <= len(snapshots):
        raise DrillError(f"attempt {attempt_id} has versions 1 to {len(snapshots)}, numbered "
                         f"from 1 (drill show {attempt_id} --versions lists them)")
    render.code(snapshots[number - 1].content)


@cli.command()
@click.argument("chunk", required=False)
def hint(chunk):
    """The next hint for the open attempt (counted).

    It speaks to the test failing now first, then to the chunk as a whole."""
    from drill import render
    from drill.attempt import chunk_of, last_result, next_hint, require_open
    from drill.errors import DrillError
    from drill.store import open_store
    store = open_store()
    attempt = require_open(store, chunk)
    target = chunk_of(attempt)
    graded = last_result(store, attempt)
    given = next_hint(store, target, attempt, graded and graded.first_failure())
    if given is None:
        raise DrillError(f"{target.name} has no hints")
    render.hint(target, *given, again=attempt.hints_used >= len(target.hints))


@cli.command()
@click.argument("chunk", required=False)
def peek(chunk):
    """The reference's code for a chunk (noted).

    For CHUNK (default: the open attempt's); noted on the open attempt. For a
    chunk that draws an operation (extend), the operation drawn."""
    from drill import render
    from drill.attempt import latest_draw
    from drill.catalog import get_chunk, load_catalog
    from drill.errors import DrillError
    from drill.store import open_store
    from drill.stub import reference_parts
    store = open_store()
    attempt = store.open_attempt(chunk)
    if not chunk and attempt is None:
        raise DrillError("no attempt is open: name the chunk to look at (drill peek ops)")
    target = latest_draw(store, get_chunk(chunk or attempt.chunk))  # extend: the one drawn
    parts = reference_parts(target, load_catalog())  # a worksheet's DrillError comes first
    if attempt:
        store.count(attempt.id, "peeked")
    render.reference_parts(target, parts, recorded=attempt is not None)


@cli.command()
@click.argument("attempt_id", type=int, required=False)
def diff(attempt_id):
    """Your code beside the reference's.

    For an attempt (default: the latest), the functions that differ in meaning, with the
    lines that differ marked."""
    from drill import render
    from drill.catalog import get_chunk
    from drill.errors import DrillError
    from drill.meaning import against_reference
    from drill.store import open_store
    from drill.stub import drawn
    store = open_store()
    latest = store.latest_attempt()
    if latest is None:
        raise DrillError("no attempts yet: drill start ops begins the first")
    attempt = store.attempt(attempt_id) if attempt_id else latest
    versions = store.snapshots(attempt.id)
    if not versions:
        raise DrillError(f"attempt {attempt.id} has no graded version yet")
    chunk = drawn(get_chunk(attempt.chunk), attempt.seed)  # extend: the operation it drew
    render.diff(*against_reference(chunk, versions[-1].content))


@cli.command()
@click.argument("expr")
@click.argument("leaves", nargs=-1)
@click.option("--file", "path", required=True, help="The file whose Value builds the graph.")
@click.option("--json", "as_json", is_flag=True, help="Print the graph as JSON.")
def graph(expr, leaves, path, as_json):
    """Draw a graph built with your Value.

    EXPR is built with your file's Value and backpropagated. Leaves are NAME=NUMBER pairs: drill graph "(a*b + c)*f" a=2 b=-3 c=10 f=-2 --file ops.py
    """
    from drill import render
    from drill.errors import DrillError
    from drill.pictures import of_expression
    from drill.learner_file import read
    names = {}
    for pair in leaves:
        name, _, number = pair.partition("=")
        try:
            names[name] = float(number)
        except ValueError:
            raise DrillError(f"`{pair}` is not NAME=NUMBER (for example a=2.0)") from None
        if not name.isidentifier():
            raise DrillError(f"`{name}` in `{pair}` is not a name")
    learner = read(path)
    drawn, lacks = of_expression(expr, names, learner)
    if as_json:
        render.json_out({**drawn.drawn(), "lacks": lacks, "notes": learner.notes})
    else:
        render.file_notes(learner.notes)
        render.expression_graph(drawn, lacks)


def _sizes(ctx, param, text):
    """'16,16' -> (16, 16): the hidden layers of the demo's MLP."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not sizes like 8,8") from None
    if not sizes or not all(1 <= n <= 64 for n in sizes):
        raise click.BadParameter("each hidden layer has 1 to 64 neurons")
    return sizes


def _trained(path, reference, as_json, steps, draw, train, accuracy="accuracy"):
    """What drill moons and drill digits share: the file (--file, --reference or the last that
    passed, never two), `train(learner, on_step=, cancel=)` run with a progress bar (its
    `accuracy` as TrainingProgress takes it) where the first Ctrl-C stops the training, then
    the run as JSON or drawn by `draw`; the run."""
    from drill import render
    from drill.demo import Stop, first_interrupt_stops
    from drill.errors import DrillError
    from drill.learner_file import read
    if path and reference:
        raise DrillError("--file and --reference each name the file to train with: pick one")
    learner = read(path) if path else None
    notes = learner.notes if learner else ""
    if not as_json:
        render.file_notes(notes)
    try:
        with render.TrainingProgress(None if as_json else steps, accuracy) as progress, \
                first_interrupt_stops(Stop()) as stop:
            run = train(learner, on_step=progress, cancel=stop)
    except KeyboardInterrupt:
        raise DrillError("stopped: the training was interrupted", exit_code=130) from None
    if as_json:
        render.json_out({**run.to_dict(), "notes": notes})
    else:
        draw(run)
    return run


@cli.command()
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="Train with this file (default: your last file that passed moons).")
@click.option("--reference", is_flag=True, help="Train with drill's own reference instead.")
@click.option("--points", type=click.IntRange(4, 400), default=30, show_default=True,
              help="How many points of the two moons.")
@click.option("--hidden", default="8,8", show_default=True, callback=_sizes,
              help="The hidden layers of MLP(2, [..., 1]).")
@click.option("--steps", type=click.IntRange(1, 2000), default=100, show_default=True,
              help="Steps of fit.")
@click.option("--until-perfect", is_flag=True,
              help="Stop once every point is right, however many steps are left.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the losses, accuracies and the final grid as JSON.")
def moons(path, reference, points, hidden, steps, until_perfect, as_json):
    """Train your network on two moons and draw it.

    micrograd's demo: your MLP, margin_loss and fit, then the decision boundary and the
    curves. Ctrl-C stops the training and draws what it learned so far (a second Ctrl-C
    quits at once)."""
    from drill import render
    from drill.demo import run_demo
    from drill.moons import Demo
    demo = Demo(points=points, hidden=hidden, steps=steps)
    until = 1.0 if until_perfect else None
    run = _trained(path, reference, as_json, steps, render.moons_run,
                   lambda learner, **o: run_demo(demo, learner, reference, until=until, **o))
    sys.exit(130 if run.stopped else 0 if run.separated else 1)


@cli.command()
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="Train with this file (default: your last file that passed digits).")
@click.option("--reference", is_flag=True, help="Train with drill's own reference instead.")
@click.option("--hidden", default="16", show_default=True, callback=_sizes,
              help="The hidden layers of classifier(64, [...], 10).")
@click.option("--steps", type=click.IntRange(1, 2000), default=80, show_default=True,
              help="Steps of fit_digits, one batch each.")
@click.option("--batch", type=click.IntRange(1, 256), default=32, show_default=True,
              help="Images in each step's batch.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the accuracies, losses and seconds as JSON.")
def digits(path, reference, hidden, steps, batch, as_json):
    """Train your classifier on handwritten digits.

    Your classifier, softmax, cross_entropy and fit_digits on 1,442 8x8 images of the UCI
    handwritten digits, then its accuracy on 355 it never saw, a confusion matrix, some of
    those digits with its guesses, and the loss curve. Ctrl-C stops the training and shows
    what it learned so far (a second Ctrl-C quits at once)."""
    from drill import render
    from drill.digits import Settings
    from drill.digits_run import run_digits
    settings = Settings(hidden=hidden, steps=steps, batch=batch)
    run = _trained(path, reference, as_json, steps, render.digits_run,
                   lambda learner, **o: run_digits(settings, learner, reference, **o),
                   accuracy=None)
    sys.exit(130 if run.stopped else 0)


@cli.command()
def doctor():
    """What the grader's sandbox protects here.

    Which protections this machine gives your code's sandbox, and why not."""
    from drill import render
    from drill.grader.sandbox import protections
    render.protections(protections())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON.")
def today(as_json):
    """What to practise today.

    What is due, the next new chunk, your streak, and what to run next."""
    from drill import render
    from drill.progress import queue as queue_of
    from drill.store import open_store
    queue = queue_of(open_store())
    if as_json:
        render.json_out(queue.to_dict())
    else:
        render.today(queue)


@cli.command()
@click.argument("chunk", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(chunk, as_json):
    """Your progress: streak, calendar, times.

    Times per chunk, or one CHUNK in detail."""
    from drill import render
    from drill.catalog import get_chunk
    from drill.progress import figures as figures_of
    from drill.store import open_store
    if chunk:
        get_chunk(chunk)
    figures = figures_of(open_store())
    if as_json:
        data = figures.to_dict()
        render.json_out(next(c for c in data["chunks"] if c["chunk"] == chunk) if chunk else data)
    else:
        render.stats(figures, chunk)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
def export(output):
    """Everything drill keeps, as one JSON document.

    Attempts, every version of your files, splits, reviews and settings."""
    import json

    from drill import config, render
    from drill.catalog import load_catalog
    from drill.clock import now
    from drill.errors import DrillError
    from drill.schedule import reviews
    from drill.store import Attempt, open_store
    store = open_store()
    tables, lost = store.dump()
    data = {"drill_export": 1, "exported_at": now().isoformat(), **tables}
    targets = {c.name: c.target_s for c in load_catalog()}
    data["reviews"] = [vars(r) | {"at": r.at.isoformat()} for r in
                       reviews([Attempt(**a) for a in data["attempts"]], targets,
                               day_start_hour=config.load()["day_start_hour"])]
    data["settings"] = config.load()
    if output:
        _write(output, json.dumps(data, indent=2))
        render.wrote(output, "what it could read" if lost else "everything")
    else:
        render.json_out(data)
    if lost:
        raise DrillError(f"{store.path} is damaged: the export lacks {', '.join(lost)}",
                         exit_code=1)


@cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def import_command(path):
    """Restore an export into an empty DRILL_HOME."""
    import json
    from pathlib import Path

    from drill import config, render
    from drill.errors import DrillError
    from drill.progress import refresh_cards
    from drill.store import check_export, open_store
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DrillError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DrillError(f"cannot read {path} as a drill export: {exc}") from None
    if not isinstance(data, dict) or data.get("drill_export") != 1:
        raise DrillError(f"{path} is not a drill export")
    check_export(data, path)
    store = open_store()
    store.restore(data)
    for key, value in data.get("settings", {}).items():
        if key in config.SETTINGS and value != config.SETTINGS[key][0]:
            config.set_value(key, str(value))
    refresh_cards(store)
    render.imported(len(data.get("attempts", [])), len(data.get("snapshots", [])))


@cli.command()
@click.option("--list", "listing", is_flag=True, help="List the backups, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the backups as JSON.")
def backup(listing, as_json):
    """Back up your records now, or list the backups.

    drill also backs up on its own after each attempt, into DRILL_HOME/backups and backup_dir
    (drill config backup_dir PATH)."""
    from drill import render
    from drill.clock import now
    from drill.store import backups, open_store
    store = open_store()  # a damaged or missing database is said as by every command
    found, problems = (backups.found(store.path), []) if listing else \
        backups.make(store.path, now())
    if as_json:
        render.json_out([b.to_dict() for b in found])
    else:
        (render.backup_list if listing else render.backup_made)(found)
    for problem in problems:
        render.note(problem)


@cli.command("restore")
@click.argument("backup", required=False)
def restore_command(backup):
    """Put back the newest good backup, or the one named.

    BACKUP is its number in drill backup --list, or its file. The database it replaces is kept
    beside it under a dated name: nothing is deleted."""
    from drill import render
    from drill.clock import now
    from drill.paths import home
    from drill.store import Store
    from drill.store.restore import restore
    path = home() / "drill.sqlite3"
    restored, kept, passed_over = restore(path, now(), backup)
    Store(path).close()  # brought up to the current schema; versions kept aside go back in
    render.restored(restored, kept, passed_over)


@cli.command("config")
@click.argument("key", required=False)
@click.argument("value", required=False)
def config_command(key, value):
    """Show or change your settings.

    Every setting, one (KEY), or set one (KEY VALUE)."""
    from drill import config, render
    if key is not None:
        config.known(key)
    if value is not None:
        value = config.set_value(key, value)
        if key == "backup_dir" and value:
            from drill.store.backups import unreachable
            problem = unreachable(value)
            if problem:
                render.note(f"{problem}; backups go there from when it is")
        if key in ("desired_retention", "day_start_hour"):  # they move due dates
            from drill.progress import refresh_cards
            from drill.store import open_store
            refresh_cards(open_store())
    render.settings(config.load(), config.SETTINGS, only=key)


def main():
    cli(prog_name="drill")
