"""The catalog is data: every chunk folder is complete and consistent, and bad names are caught."""
import pytest

from drill.catalog import get_chunk, load_catalog, parse_target
from drill.errors import DrillError


def test_chunks_come_in_learning_order():
    assert [c.name for c in load_catalog()] == ["chain", "ops", "trace", "backward", "topo",
                                                "extend", "nn", "train", "moons", "full", "digits"]
    assert get_chunk("moons").order == 9


def test_chain_is_a_worksheet_and_neither_it_nor_trace_is_part_of_full():
    chunks = {c.name: c for c in load_catalog()}
    assert chunks["chain"].kind == "worksheet" and chunks["chain"].suite_files() == []
    assert chunks["trace"].kind == "code" and chunks["trace"].on_pass == "trace"
    assert chunks["full"].suites == ("ops", "backward", "topo", "nn", "train", "full")


def every_chunk():
    """Each chunk of the catalog; a chunk that draws (extend), as each of its draws makes it."""
    return [pytest.param(d, id=f"{c.name}-{d.drawn[0]}" if d.drawn else c.name)
            for c in load_catalog()
            for d in ([c.drawing(i) for i in range(len(c.draws))] if c.draws else [c])]


@pytest.mark.parametrize("chunk", every_chunk())
def test_every_chunk_folder_is_complete(chunk):
    names = {c.name for c in load_catalog()}
    assert chunk.title and chunk.target_s > 0
    assert len(chunk.card.strip().splitlines()) >= 5
    assert 2 <= len(chunk.hints) <= 3, "two or three hints, from a nudge to nearly the answer"
    assert set(chunk.requires) <= names - {chunk.name}
    assert all(p.is_file() for p in chunk.suite_files())


def test_prerequisites_come_earlier():
    order = {c.name: c.order for c in load_catalog()}
    for chunk in load_catalog():
        assert all(order[r] < chunk.order for r in chunk.requires)


def test_a_new_folder_is_a_new_chunk(tmp_path):
    folder = tmp_path / "grad"
    folder.mkdir()
    (folder / "chunk.toml").write_text('title = "Gradients"\norder = 9\ntarget = "2:30"\n')
    (chunk,) = load_catalog(tmp_path)
    assert (chunk.name, chunk.target_s, chunk.suite_files()) == ("grad", 150, [folder / "test_grad.py"])


def test_unknown_chunk_names_the_closest():
    with pytest.raises(DrillError, match="did you mean 'topo'"):
        get_chunk("tpoo")


def test_targets_read_as_minutes_and_seconds():
    assert parse_target("8:00") == 480 and parse_target("0:45") == 45 and parse_target("3") == 180


@pytest.mark.parametrize("chunk", [c for c in load_catalog() if c.hints_for],
                         ids=lambda c: c.name)
def test_each_hint_for_a_test_names_tests_of_the_chunk_and_a_hint_it_has(chunk):
    import re
    suites = {path.parent.name: path.read_text() for path in chunk.suite_files()}
    functions = {f"{name}::{f}" for name, text in suites.items()
                 for f in re.findall(r"^def (test_\w+)", text, re.M)}
    for key, number in chunk.hints_for.items():
        assert 1 <= number <= len(chunk.hints), (key, number)
        assert any(name.split("::")[1].startswith(key) or name.startswith(key)
                   for name in functions), f"{key} begins no test of {chunk.name}'s suites"
