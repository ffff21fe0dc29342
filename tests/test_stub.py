"""Stubs are the reference with blanks: derived every time, so they cannot drift from it."""
import ast

import pytest

from drill.catalog import load_catalog
from drill.stub import blank_bodies, functions, make_stub

from conftest import REFERENCE

SOURCE = REFERENCE.read_text()
BLANKED = [c for c in load_catalog() if c.blanks]


def refill(stub, reference):
    """Put the reference's bodies back into the stub's blanks (the inverse of blank_bodies)."""
    ref_lines = reference.splitlines(keepends=True)
    stub_defs, ref_defs = functions(ast.parse(stub)), functions(ast.parse(reference))
    lines = stub.splitlines(keepends=True)
    blanks = [(n, d) for n, d in stub_defs.items() if isinstance(d.body[-1], ast.Raise)
              and "NotImplementedError" in ast.unparse(d.body[-1])]
    for name, node in sorted(blanks, key=lambda nd: -nd[1].lineno):
        ref = ref_defs[name]
        todo_line = node.body[0].lineno - 2  # the "# TODO: ..." line above the raise
        assert lines[todo_line].strip().startswith("# TODO:")
        lines[todo_line:node.end_lineno] = ref_lines[ref.body[0].lineno - 1:ref.end_lineno]
    return "".join(lines)


@pytest.mark.parametrize("chunk", BLANKED, ids=lambda c: c.name)
def test_stub_is_the_reference_minus_its_blanks(chunk):
    stub = make_stub(chunk)
    body = stub[stub.index('"""'):]
    assert refill(body, SOURCE) == SOURCE
    assert body.count("raise NotImplementedError") == len(chunk.blanks)


@pytest.mark.parametrize("chunk", BLANKED, ids=lambda c: c.name)
def test_every_blank_keeps_its_signature_and_says_what_goes_there(chunk):
    stub = make_stub(chunk)
    stub_defs, ref_defs = functions(ast.parse(stub)), functions(ast.parse(SOURCE))
    for name, says in chunk.blanks.items():
        assert ast.unparse(stub_defs[name].args) == ast.unparse(ref_defs[name].args)
        segment = ast.get_source_segment(stub, stub_defs[name])
        assert f"# TODO: {says}" in segment and f"NotImplementedError({name!r})" in segment


def test_every_function_of_the_reference_is_some_chunk_s_work():
    blanked = {name for c in BLANKED for name in c.blanks}
    inside_a_blank = {n for n in functions(ast.parse(SOURCE)) if n.rsplit(".", 1)[0] in blanked}
    assert set(functions(ast.parse(SOURCE))) - blanked - inside_a_blank == {"Value.__repr__"}


def test_the_full_stub_is_the_card_alone():
    full = next(c for c in load_catalog() if c.name == "full")
    stub = make_stub(full)
    assert all(line.startswith("#") or not line for line in stub.splitlines())
    assert full.card.splitlines()[0] in stub
    assert ast.parse(stub).body == []


def test_a_blank_the_reference_lacks_is_an_error():
    with pytest.raises(Exception, match="Value.__matmul__"):
        blank_bodies(SOURCE, {"Value.__matmul__": "no such thing"})


def test_peek_and_diff_never_show_a_later_chunks_code(drill_home):
    from conftest import drill
    peek = drill("peek", "ops").output
    assert "def __add__" in peek and "self.grad +=" not in peek  # backward's, not ops'
    assert "...  # written in the backward chunk" in peek
    assert "build_topo" not in peek and "class Neuron" not in peek
    drill("start", "ops", "--no-watch")
    mine = SOURCE.replace("out = Value(self.data * other.data, (self, other), '*')",
                          "out = Value(other.data * self.data, (self, other), '*')")
    (drill_home / "workspace" / "ops.py").write_text(mine)
    drill("check")
    diff = drill("diff").output
    assert "Value.__mul__" in diff and "other.data * self.data" in diff
    assert "def __add__" not in diff and "self.grad +=" not in diff
    assert "The other 13 functions are identical to the reference." in diff


def test_peek_backward_says_whose_each_backward_is(drill_home):
    from conftest import drill
    peek = drill("peek", "backward").output
    headings = [line for line in peek.splitlines() if line.startswith("# ")]
    assert headings == [f"# {op}'s _backward" for op in (
        "Value.__add__", "Value.__mul__", "Value.__pow__", "Value.exp", "Value.tanh",
        "Value.relu")]


def test_the_comparison_looks_past_spacing_and_comments_only():
    from drill.stub import chunk_parts, differing
    chunks = load_catalog()
    ops = next(c for c in chunks if c.name == "ops")
    reference = chunk_parts(ops, SOURCE, chunks)
    restyled = SOURCE.replace("return self * -1", "return self*(-1)  # the same")
    assert differing(chunk_parts(ops, restyled, chunks), reference) == []
    wrong = SOURCE.replace("return self * -1", "return self * 1")
    assert differing(chunk_parts(ops, wrong, chunks), reference) == ["Value.__neg__"]


@pytest.mark.parametrize("width, beside", [(140, True), (120, False), (80, False)])
def test_the_comparison_is_side_by_side_only_when_both_fit(width, beside, monkeypatch):
    import io

    from rich.console import Console

    from drill.render import reference as screen
    from drill.stub import chunk_parts, differing
    monkeypatch.setattr(screen, "out", Console(width=width, file=io.StringIO(), record=True))
    chunks = load_catalog()
    ops = next(c for c in chunks if c.name == "ops")
    reference = chunk_parts(ops, SOURCE, chunks)
    yours = chunk_parts(ops, SOURCE.replace("out = Value(self.data * other.data,",
                                            "out = Value(other.data * self.data,"), chunks)
    screen.diff(yours, reference, differing(yours, reference))
    lines = screen.out.export_text().splitlines()
    assert any("yours" in line and "reference" in line for line in lines) == beside
    assert all(len(line) <= width for line in lines)
    assert lines[-1] == "The other 13 functions are identical to the reference."


def test_a_worksheet_s_stub_is_the_sheet_of_its_seed():
    chain = next(c for c in load_catalog() if c.kind == "worksheet")
    assert make_stub(chain, seed=11) == make_stub(chain, seed=11)
    assert make_stub(chain, seed=11) != make_stub(chain, seed=12)
    assert "(sheet 11)" in make_stub(chain, seed=11).splitlines()[0]
    assert chain not in BLANKED and not chain.blanks
