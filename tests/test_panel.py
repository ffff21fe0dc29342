"""The watch panel fits the terminal: the failure's message gives way, then its graph's end,
and the keys always show."""
import io

import pytest
from rich.console import Console

from conftest import CHUNKS, REFERENCE, verdict


@pytest.fixture
def failing_run(tmp_path):
    """A speedrun of full graded once with backward's first mutant: a gradient check fails,
    with its graph."""
    import tomllib

    from drill.attempt import record, start
    from drill.clock import now
    from drill.progress import run_report
    from drill.store import open_store
    from drill.watch import Screen
    with open(CHUNKS["backward"].folder + "/mutants.toml", "rb") as f:
        mutant = tomllib.load(f)["mutant"][0]
    path = tmp_path / "run.py"
    path.write_text(REFERENCE.read_text().replace(mutant["old"], mutant["new"]))
    result = verdict("full", path)
    assert result.first_failure().graph, "this needs a failure with a graph"
    store = open_store()
    started = start(store, CHUNKS["full"], kind="speedrun")
    record(store, started.attempt, path.read_text(), result, now())
    attempt = store.attempt(started.attempt.id)
    screen = Screen(CHUNKS["full"], attempt, started.path, keys=True, result=result)
    screen.report = run_report(store, attempt)
    return screen


@pytest.mark.parametrize("rows, hint", [(30, False), (30, True), (24, False), (24, True)])
def test_the_panel_fits_the_terminal_and_always_shows_the_keys(failing_run, monkeypatch, rows,
                                                               hint):
    from drill import render
    from drill.render import check, watch
    if hint:
        failing_run.hint = "1 of 3: " + CHUNKS["full"].hints[0]
    console = Console(width=80, height=rows, file=io.StringIO(), record=True, color_system=None)
    for screen in (watch, check):
        monkeypatch.setattr(screen, "out", console)
    console.print(render.watch_panel(failing_run))
    lines = console.export_text().splitlines()
    assert len(lines) <= rows - 1, "\n".join(lines)
    assert "q quit (resumable) · a abandon" in lines[-2]
    if rows == 30 and not hint:  # room for the graph, whole, under the first lines of the message
        assert any(line.strip("│ ").startswith("✗") for line in lines), "\n".join(lines)
        assert any("more lines (drill check shows it whole)" in line for line in lines)


def test_a_hint_s_brackets_are_words_not_markup(failing_run):
    from drill import render
    failing_run.hint = "3 of 3: MLP pairs up [nin] + nouts"
    console = Console(width=80, height=40, file=io.StringIO(), record=True, color_system=None)
    console.print(render.watch_panel(failing_run))
    assert "MLP pairs up [nin] + nouts" in console.export_text()


def panel_lines(screen, monkeypatch, rows=30):
    """The watch panel of `screen` as a learner at an 80x`rows` terminal without colour reads
    it."""
    from drill import render
    from drill.render import check, watch
    console = Console(width=80, height=rows, file=io.StringIO(), record=True, color_system=None)
    for module in (watch, check):
        monkeypatch.setattr(module, "out", console)
    console.print(render.watch_panel(screen))
    return console.export_text().splitlines()


def ops_screen(tmp_path, result=None, **fields):
    from drill.attempt import start
    from drill.store import open_store
    from drill.watch import Screen
    started = start(open_store(), CHUNKS["ops"])
    return Screen(CHUNKS["ops"], started.attempt, tmp_path / "ops.py", keys=True, result=result,
                  **fields)


# __pow__ loops forever for k > 0; `/`, built on `** -1`, fails at once, before the loop is met
LOOPS = REFERENCE.read_text().replace(
    "        out = Value(self.data ** k, (self,), f'**{k}')",
    "        r, i = 1.0, 0\n        while i < k:\n            r *= self.data\n"
    "        out = Value(r, (self,), f'**{k}')")


def test_a_loop_that_never_ends_is_named_while_it_runs_and_after_beside_what_failed_before(
        tmp_path, monkeypatch):
    """Watch mode said "21 of 117 tests run" for the whole run, then only that the run was
    stopped: the test that hung unnamed, the real failure found before it gone, and a count of
    passes far below drill check's unexplained."""
    from drill.grader.parent import Limits
    from drill.watch import Progress
    path = tmp_path / "loops.py"
    path.write_text(LOOPS)
    heard, progress = [], Progress()

    def hear(kind, event):
        heard.append(kind)
        progress.hear(kind, event)
        if kind == "slow":  # the panel as it is drawn while the test runs on
            seen.append("\n".join(panel_lines(ops_screen(tmp_path, grading="grading",
                                                         progress=progress), monkeypatch)))
    seen = []
    result = verdict("ops", path, limits=Limits(run_s=6, test_s=3), on_event=hear)
    assert "slow" in heard and seen, heard
    assert "⧗ running 2 s, stopped at 3 s: a ** k for an int" in seen[0], seen[0]
    lines = panel_lines(ops_screen(tmp_path, result), monkeypatch)
    text = "\n".join(lines)
    assert len(lines) <= 29 and all(len(line) <= 80 for line in lines), text
    short = len(result.stopped_short())
    passed = sum(t.status == "pass" for t in result.tests)
    assert 0 < short < len(result.tests) - passed, "some tests ran, some never finished"
    assert f"{passed} of {len(result.tests)} tests pass" in text
    assert f"{short} tests never finished: the run did not finish within 6 s" in text
    assert "⧗ a ** k for an int, negative or float constant k: this test did not finish" in text
    assert "does a loop in your code never end?" in " ".join(line.strip("│ ") for line in lines)
    assert "a + b, a - b, a * b and a / b on two Values" in text  # the failure found before
    assert "x.data ** k: the base is the Value" in " ".join(line.strip("│ ") for line in lines)


def test_a_failing_test_s_prints_show_in_the_failure_escaped_and_bounded(tmp_path, monkeypatch):
    """A debugging print inside a wrong tanh was invisible in watch mode; what it printed
    shows under the failure, its first lines, each within the panel, escaped."""
    path = tmp_path / "prints.py"
    path.write_text(REFERENCE.read_text().replace(
        "        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)\n",
        "        for n in range(6):\n            print('tanh of', x, n, '\\x1b[2J[red]x[/red]',"
        " 'y' * 50)\n        t = (math.exp(x) - 1) / (math.exp(x) + 1)\n"))
    result = verdict("ops", path)
    assert result.first_failure().output.count("tanh of") == 6
    for rows in (30, 24):
        lines = panel_lines(ops_screen(tmp_path, result), monkeypatch, rows)
        text = "\n".join(lines)
        assert len(lines) <= rows - 1 and all(len(line) <= 80 for line in lines), text
        assert "q quit (resumable) · a abandon" in lines[-2]
        assert "a.tanh() is tanh(a)" in text
    assert "your code printed, in this test:" in text
    assert text.count("tanh of") == 4 and "… 2 more lines (drill check --json)" in text
    assert "\\x1b[2J[red]x[/red]" in text and "\x1b" not in text
