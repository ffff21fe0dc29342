"""The suites judge behaviour: the reference and correct files in other styles pass every chunk
they claim, every stub fails its chunk, and every one-bug file fails the chunk its bug belongs
to."""
import sys
from pathlib import Path

import pytest

from drill.hunt import planted
from drill.stub import make_stub, reference_source

from conftest import CHUNKS, REFERENCE, failures, verdict

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).parent
SUITED = [name for name, chunk in CHUNKS.items() if chunk.kind == "code" and not chunk.suites]
FULL = list(CHUNKS["full"].suites)  # the splits of a full run; trace stands beside them
CORRECT = sorted((HERE / "corpus" / "correct").glob("*.py"))


def claims(path):
    """The chunks a correct file passes: those its `# claims:` line names (a file may break the
    contract where a chunk it does not claim looks, say `_prev` named otherwise, which nn never
    reads), else full, and trace when it writes one."""
    text = path.read_text()
    line = next((line for line in text.splitlines() if line.startswith("# claims:")), None)
    if line is not None:
        return line.split(":", 1)[1].split()
    return ["full"] + (["trace"] if "\ndef trace(" in text else [])


CLAIMED = [(REFERENCE, "trace")] + [(path, chunk) for path in CORRECT for chunk in claims(path)]


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)["mutant"]


def one_bug_versions():
    """Every file with one bug: the reference's mutants (chunks/<chunk>/mutants.toml) and the
    corpus' (tests/corpus/bugs.toml), each a base file with `old` replaced by `new`. The
    reference's are planted as a bug hunt plants them (base None): the file a hunt hands out."""
    found = [pytest.param(name, m, None, id=f"reference-{name}-{m['name']}")
             for name, chunk in CHUNKS.items() for m in chunk.mutants()]
    for m in load(HERE / "corpus" / "bugs.toml"):
        base = HERE / "corpus" / "correct" / m["base"]
        found.append(pytest.param(m["chunk"], m, base, id=f"{base.stem}-{m['chunk']}-{m['name']}"))
    return found


def test_the_reference_passes_full_with_every_split():
    result = verdict("full", REFERENCE, "thorough")
    assert result.passed, failures(result)
    assert result.chunk_verdicts() == {name: True for name in FULL}


def test_the_corpus_keeps_traces_of_other_styles_and_files_that_claim_some_chunks():
    traced = [path for path, chunk in CLAIMED if chunk == "trace"]
    assert len(traced) > 2, "the corpus keeps iterative traces, and traces returning lists"
    assert any("full" not in claims(path) for path in CORRECT)


ZERO_GRAD = """
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
"""


@pytest.mark.parametrize("chunk, by_hand", [
    ("full", "        for p in model.parameters():\n            p.grad = 0.0\n        loss.backward()"),
    ("moons", "        for p in params:\n            p.grad = 0.0\n        loss.backward()"),
])
def test_a_loop_that_calls_model_zero_grad_runs_on_its_own_with_an_mlp_that_has_one(
        chunk, by_hand, tmp_path):
    """The contract lets train and fit call model.zero_grad(); the whole, run on its own, then
    needs an MLP that has one (tests/corpus/kinds.toml holds the file whose MLP has none)."""
    text = REFERENCE.read_text()
    mlp_end = "        return [p for layer in self.layers for p in layer.parameters()]\n"
    assert text.count(by_hand) == 1 and text.count(mlp_end) == 1 and "def zero_grad" not in text
    path = tmp_path / "zero_grad.py"
    path.write_text(text.replace(by_hand, "        model.zero_grad()\n        loss.backward()")
                    .replace(mlp_end, mlp_end + ZERO_GRAD))
    result = verdict(chunk, path, "thorough")
    assert result.passed, failures(result)


def test_the_backward_chunk_needs_no_backward_method(tmp_path):
    """The backward suite calls each node's _backward itself: a file whose backward() raises
    passes, and the backward stub has none."""
    text = REFERENCE.read_text()
    path = tmp_path / "raising.py"
    path.write_text(text.replace("    def backward(self):\n", "    def backward(self):\n"
                                 "        raise RuntimeError('not the backward chunk')\n"))
    result = verdict("backward", path, "thorough")
    assert result.passed, failures(result)
    assert "def backward(" not in make_stub(CHUNKS["backward"])


def test_a_backward_program_with_inner_nodes_pasted_after_the_file_gives_the_same_grads(tmp_path):
    """`a - b` is built from + and * here: the program names its inner `b * -1` (h1) by what
    the learner sees, so pasted in another process, whatever order its sets iterate in, it runs
    the same _backward calls and leaves the same wrong grad."""
    import re
    import runpy
    text = REFERENCE.read_text()
    old = "            self.grad += other.data * out.grad\n"
    path = tmp_path / "sub_bug.py"
    path.write_text(text.replace(old, "            self.grad += other.data * out.grad * "
                                      "(2 if other.data == -1 and self.data < 0 else 1)\n"))
    first = verdict("backward", path).first_failure()
    assert "h1 = next(v for v in c._prev if " in first.test_code and "h1._backward()" in first.test_code
    name, got = re.search(r"left `(\w+)\.grad == ([-\d.]+)`", first.message).groups()
    namespace = runpy.run_path(str(path))
    exec(first.test_code, namespace)
    assert namespace[name].grad == float(got)
    assert first.graph and "h1" in [node["label"] for node in first.graph["nodes"]]


@pytest.mark.parametrize("chunk", SUITED)
def test_the_stub_fails_its_chunk(chunk, tmp_path):
    path = tmp_path / f"{chunk}.py"
    path.write_text(make_stub(CHUNKS[chunk]))
    result = verdict(chunk, path)
    assert not result.passed
    passing = [t.name for t in result.tests if t.status == "pass"]
    assert passing == [], "these tests pass on the empty stub, so they check nothing of the chunk"


@pytest.mark.parametrize("path, chunk", CLAIMED, ids=[f"{p.stem}-{c}" for p, c in CLAIMED])
def test_a_correct_file_in_another_style_passes_every_chunk_it_claims(path, chunk):
    result = verdict(chunk, path, "thorough")
    assert result.passed, failures(result)


@pytest.mark.parametrize("chunk, mutant, base", one_bug_versions())
def test_a_file_with_one_realistic_bug_fails_its_chunk(chunk, mutant, base, tmp_path):
    source = base or REFERENCE
    text = source.read_text() if base else reference_source(CHUNKS[chunk])  # digits' joined in
    assert text.count(mutant["old"]) == 1, f"the bug no longer matches {source.name}"
    path = tmp_path / source.name
    path.write_text(planted(CHUNKS[chunk], mutant) if base is None
                    else text.replace(mutant["old"], mutant["new"]))
    result = verdict(chunk, path)
    assert not result.passed, f"{mutant['mistake']} was not caught"
    assert not result.problem, f"the file should run and fail a test: {result.problem}"
    assert "unreliable results" not in failures(result), "hypothesis' own words reached a verdict"


def test_a_strategy_made_once_is_reused_and_told_apart_by_type():
    from hypothesis import strategies as st

    from drill.grader.suitekit import made
    assert made(st.integers, 0, 3) is made(st.integers, 0, 3)
    assert made(st.lists, made(st.integers, 0, 3), max_size=2) is \
        made(st.lists, made(st.integers, 0, 3), max_size=2)
    assert made(st.integers, 0, 3) is not made(st.integers, 0, 4)
    # the index 2 and the number 2.0 are equal and hash alike, yet are other things to draw
    assert made(st.sampled_from, [0, 1, 2]) is not made(st.sampled_from, [0, 1, 2.0])


def test_an_example_that_failed_fails_again_with_its_lesson():
    """A file that keeps state, or walks a set in an order that changes between calls, may pass
    an example it has just failed: hypothesis would then call the test unreliable (FlakyFailure)
    and hide the lesson, so the suites' `given` fails that example again with the same lesson."""
    from hypothesis import settings, strategies as st

    from drill.grader.suitekit import Lesson, given
    met = set()

    @settings(database=None, max_examples=10)
    @given(st.integers(0, 3))
    def test_first_meetings_fail(x):
        if x not in met:
            met.add(x)
            raise Lesson(f"met {x} for the first time")

    with pytest.raises(Lesson, match="for the first time"):
        test_first_meetings_fail()
