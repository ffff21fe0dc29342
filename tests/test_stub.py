"""Stubs are derived from the reference every time: what the suite needs of the chunks the
chunk builds on, written out, its own blanks, and nothing else of the library."""
import ast
import runpy
import textwrap
from dataclasses import replace

import pytest

from drill.catalog import load_catalog
from drill.stub import (WRITTEN_IN, functions, joined, make_stub, owners, reference_parts,
                        reference_source, selected, stub_source, whose)

from conftest import CHUNKS, REFERENCE, failures, verdict

SOURCE = REFERENCE.read_text()
CATALOG = load_catalog()
# Every chunk with blanks; a chunk that draws (extend), as each of its draws makes it.
BLANKED = [d for c in CATALOG for d in ([c.drawing(i) for i in range(len(c.draws))] or [c])
           if d.blanks]
OWNED = {name: c.name for name, c in owners(CATALOG).items()}


def named(chunk):
    return "-".join([chunk.name, *chunk.drawn])


def source_of(chunk):
    """The reference as the chunk sees it: with its draw's method, for a chunk that draws."""
    return reference_source(chunk, SOURCE)


def segment(source, node):
    """A function's whole lines, its comments included, dedented."""
    return textwrap.dedent("".join(source.splitlines(keepends=True)[node.lineno - 1:node.end_lineno]))


def bodies(stub):
    """{qualified name: (kind, text)} of every function in the stub, its kind 'todo' (a blank),
    'marker' (a later or other chunk's, `...`) or 'written'."""
    found = {}
    for name, node in functions(ast.parse(stub)).items():
        text, only = segment(stub, node), node.body[0] if len(node.body) == 1 else None
        found[name] = ("todo" if isinstance(only, ast.Raise) and "# TODO:" in text
                       else "marker" if isinstance(only, ast.Expr) and WRITTEN_IN in text
                       else "written", text)
    return found


@pytest.mark.parametrize("chunk", BLANKED, ids=named)
def test_a_stub_writes_out_only_the_code_of_the_chunks_it_gives(chunk):
    found = bodies(make_stub(chunk))
    for name, (kind, _) in found.items():
        owner = whose(name, OWNED)
        if kind == "todo":
            assert name in chunk.blanks
        elif kind == "marker":
            assert owner not in (*chunk.gives, chunk.name), name
        else:
            assert owner is None or owner in chunk.gives, f"{name} is {owner}'s code"
    assert set(chunk.blanks) <= set(found), "every blank is in the stub"


@pytest.mark.parametrize("chunk, absent", [
    ("ops", ["Value.backward", "trace", "Neuron", "Layer", "MLP", "train", "margin_loss", "fit"]),
    ("trace", ["Value.backward", "Neuron", "train"]),
    ("topo", ["trace", "Neuron", "train"]),
    ("backward", ["Value.backward", "trace", "Neuron"]),
    ("train", ["trace", "margin_loss", "fit"]),
    ("moons", ["trace", "train"]),
    ("digits", ["trace", "margin_loss", "fit"]),
])
def test_what_the_contract_names_is_not_in_the_stub(chunk, absent):
    defs = functions(ast.parse(make_stub(CHUNKS[chunk])), classes=True)
    assert [name for name in absent if name in defs] == []


@pytest.mark.parametrize("chunk", BLANKED, ids=named)
def test_what_a_stub_writes_out_is_the_reference_s_code(chunk):
    source = stub_source(chunk, SOURCE)  # digits' changes to nn's code are the learner's
    reference = functions(ast.parse(source))
    for name, (kind, text) in bodies(make_stub(chunk)).items():
        if kind == "written" and WRITTEN_IN not in text and "# TODO:" not in text:
            assert text == segment(source, reference[name])


@pytest.mark.parametrize("chunk", BLANKED, ids=named)
def test_a_stub_loads_and_says_what_it_gives(chunk, tmp_path):
    path = tmp_path / f"{chunk.name}.py"
    path.write_text(make_stub(chunk))
    runpy.run_path(str(path))  # imports cleanly: every name the file needs to load exists
    header = make_stub(chunk).split('"""')[0]
    assert all(given in header for given in chunk.gives)
    assert f"drill card {chunk.name}" in header


@pytest.mark.parametrize("chunk", BLANKED, ids=named)
def test_every_blank_keeps_its_signature_and_says_what_goes_there(chunk):
    stub = make_stub(chunk)
    stub_defs, ref_defs = functions(ast.parse(stub)), functions(ast.parse(source_of(chunk)))
    for name, says in chunk.blanks.items():
        assert ast.unparse(stub_defs[name].args) == ast.unparse(ref_defs[name].args)
        text = ast.get_source_segment(stub, stub_defs[name])
        assert f"# TODO: {says}" in text and f"NotImplementedError({name!r})" in text


@pytest.mark.parametrize("chunk", [c for c in BLANKED if c.kind == "code"], ids=named)
def test_a_stub_gives_the_chunks_it_builds_on_and_comes_after(chunk):
    order = {c.name: c.order for c in CATALOG}
    below, todo = set(), list(chunk.requires)
    while todo:
        name = todo.pop()
        if name not in below:
            below.add(name)
            todo += CHUNKS[name].requires
    assert set(chunk.gives) <= below and all(order[g] < chunk.order for g in chunk.gives)


def solved(chunk, gives):
    """The chunk's stub as the reference would fill its blanks, giving the chunks `gives`."""
    catalog = [chunk if c.name == chunk.name else c for c in CATALOG]  # a draw owns its method
    return selected(source_of(chunk), replace(chunk, blanks={}), (*gives, chunk.name), catalog)


@pytest.mark.parametrize("chunk", [c for c in BLANKED if c.kind == "code"], ids=named)
def test_what_a_stub_gives_is_what_its_suite_needs(chunk, tmp_path):
    """Checked against the suite itself: filled in with the reference's code of the chunk, the
    stub passes the chunk's suite, and without any one chunk it gives it fails."""
    path = tmp_path / f"{chunk.name}.py"
    path.write_text(solved(chunk, chunk.gives))
    result = verdict(chunk, path)
    assert result.passed, failures(result)
    for given in chunk.gives:
        path.write_text(solved(chunk, [g for g in chunk.gives if g != given]))
        assert not verdict(chunk, path).passed, f"{chunk.name}'s suite needs no {given}"


def test_every_function_of_the_reference_is_some_chunk_s_work():
    blanked = {name for c in BLANKED for name in c.blanks}
    inside_a_blank = {n for n in functions(ast.parse(SOURCE)) if n.rsplit(".", 1)[0] in blanked}
    assert set(functions(ast.parse(SOURCE))) - blanked - inside_a_blank == {"Value.__repr__"}


def test_the_full_stub_is_the_card_alone():
    full = next(c for c in CATALOG if c.name == "full")
    stub = make_stub(full)
    assert all(line.startswith("#") or not line for line in stub.splitlines())
    assert full.card.splitlines()[0] in stub
    assert ast.parse(stub).body == []


def test_a_blank_the_reference_lacks_is_an_error():
    ops = replace(CHUNKS["ops"], blanks={"Value.__matmul__": "no such thing"})
    with pytest.raises(Exception, match="Value.__matmul__"):
        make_stub(ops)


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
    assert "The other 13 functions do what the reference's do." in diff


def test_peek_backward_says_whose_each_backward_is(drill_home):
    from conftest import drill
    peek = drill("peek", "backward").output
    headings = [line for line in peek.splitlines() if line.startswith("# ")]
    assert headings == [f"# {op}'s _backward" for op in (
        "Value.__add__", "Value.__mul__", "Value.__pow__", "Value.exp", "Value.tanh",
        "Value.relu")]


def test_a_worksheet_s_stub_is_the_sheet_of_its_seed():
    chain = next(c for c in load_catalog() if c.kind == "worksheet")
    assert make_stub(chain, seed=11) == make_stub(chain, seed=11)
    assert make_stub(chain, seed=11) != make_stub(chain, seed=12)
    assert "(sheet 11)" in make_stub(chain, seed=11).splitlines()[0]
    assert chain not in BLANKED and not chain.blanks


def test_what_digits_adds_is_joined_for_digits_alone():
    """The reference file is the lecture's library: digits' code (chunks/digits/reference.py)
    joins it for digits alone, so no other chunk's stub or peek shows a `nonlin` flag, while
    digits' peek shows the flag added to the lecture's Neuron and Layer, its stub the lecture's
    Neuron and Layer written out, and its whole reference runs."""
    digits = CHUNKS["digits"]
    for chunk in BLANKED:
        if chunk.name != "digits":
            assert reference_source(chunk, SOURCE) == stub_source(chunk, SOURCE)
            assert "nonlin" not in make_stub(chunk) and "classifier" not in make_stub(chunk)
            assert not any("nonlin" in text for text in reference_parts(chunk, CATALOG).values())
    stub = make_stub(digits)
    assert "def __init__(self, nin):" in stub and "nonlin" not in stub.split("def classifier")[0]
    parts = reference_parts(digits, CATALOG)
    assert list(parts) == ["Value.log", "Neuron.__init__", "Neuron.__call__", "Layer.__init__",
                           "classifier", "softmax", "cross_entropy", "fit_digits"]
    assert "nonlin=True" in parts["Neuron.__init__"]
    namespace = {}
    exec(compile(reference_source(digits, SOURCE), "digits", "exec"), namespace)
    probs = namespace["softmax"](namespace["classifier"](4, [3], 2)([1.0] * 4))
    assert len(probs) == 2 and abs(sum(p.data for p in probs) - 1) < 1e-12


def test_joined_replaces_or_adds_methods_and_functions():
    source = "class A:\n\n    def f(self):\n        return 1\n\n\ndef g():\n    return 2\n"
    addition = "class A:\n    def f(self):\n        return 3\n\n    def h(self):\n" \
               "        return 4\n\n\ndef k():\n    return 5\n"
    namespace = {}
    exec(joined(source, addition), namespace)
    assert (namespace["A"]().f(), namespace["A"]().h(), namespace["g"](), namespace["k"]()) == \
        (3, 4, 2, 5)
    exec(joined(source, addition, replacing=False), namespace)
    assert namespace["A"]().f() == 1 and namespace["A"]().h() == 4


def test_joined_moves_a_member_with_its_decorators():
    source = "class A:\n    @staticmethod\n    def f():\n        return 1\n" \
             "def g():\n    return 2\n"
    addition = "class A:\n    @property\n    def f(self):\n        return 3\n\n" \
               "    @staticmethod\n    def h():\n        return 4\n\n\n" \
               "def g():\n    return 5\n"
    text = joined(source, addition)
    namespace = {}
    exec(text, namespace)
    assert (namespace["A"]().f, namespace["A"].h(), namespace["g"]()) == (3, 4, 5)
    assert text.count("@staticmethod") == 1 and text.count("@property") == 1
