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
