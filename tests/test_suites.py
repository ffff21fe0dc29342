"""The suites judge behaviour: the reference and correct files in other styles pass every chunk,
every stub fails its chunk, and every one-bug file fails the chunk its bug belongs to."""
import sys
from pathlib import Path

import pytest

from drill.stub import make_stub

from conftest import CHUNKS, REFERENCE, failures, verdict

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).parent
SUITED = [name for name, chunk in CHUNKS.items() if not chunk.suites]
CORRECT = sorted((HERE / "corpus" / "correct").glob("*.py"))
BUGGY = sorted((HERE / "corpus" / "buggy").glob("*.py"))
REFERENCE_TEXT = REFERENCE.read_text()


def mutants():
    found = []
    for path in sorted((HERE / "mutants").glob("*.toml")):
        with open(path, "rb") as f:
            for mutant in tomllib.load(f)["mutant"]:
                found.append(pytest.param(path.stem, mutant, id=f"{path.stem}-{mutant['name']}"))
    return found


def test_the_reference_passes_full_with_every_split():
    result = verdict("full", REFERENCE, "thorough")
    assert result.passed, failures(result)
    assert result.chunk_verdicts() == {name: True for name in SUITED}


@pytest.mark.parametrize("chunk", SUITED)
def test_the_stub_fails_its_chunk(chunk, tmp_path):
    path = tmp_path / f"{chunk}.py"
    path.write_text(make_stub(CHUNKS[chunk]))
    result = verdict(chunk, path)
    assert not result.passed
    passing = [t.name for t in result.tests if t.status == "pass"]
    assert passing == [], "these tests pass on the empty stub, so they check nothing of the chunk"


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_a_correct_file_in_another_style_passes_every_chunk(path):
    result = verdict("full", path, "thorough")
    assert result.passed, failures(result)


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.stem)
def test_a_file_with_one_realistic_bug_fails_its_chunk(path):
    chunk = path.stem.split("__")[0]
    result = verdict(chunk, path)
    assert not result.passed, f"{path.name}: {path.read_text().splitlines()[0]} was not caught"


@pytest.mark.parametrize("chunk, mutant", mutants())
def test_every_mutant_of_the_reference_fails_its_chunk(chunk, mutant, tmp_path):
    assert REFERENCE_TEXT.count(mutant["old"]) == 1, "the mutant no longer matches the reference"
    path = tmp_path / "mutant.py"
    path.write_text(REFERENCE_TEXT.replace(mutant["old"], mutant["new"]))
    result = verdict(chunk, path)
    assert not result.passed, f"{mutant['mistake']} was not caught"
    assert not result.problem, f"the mutant should run and fail a test: {result.problem}"
