"""Every kind of failure the judge once explained wrongly (tests/corpus/kinds.toml) is now named
by its real cause, under the chunk it belongs to, with the program that ran, once."""
import re
import runpy
import tomllib
from pathlib import Path

import pytest

from conftest import REFERENCE, verdict

CORPUS = Path(__file__).parent / "corpus"
KINDS = tomllib.loads((CORPUS / "kinds.toml").read_text())["kind"]
# (kind, the chunk it is graded on): `graded` names one chunk, or a list of them.
GRADED = [(kind, graded) for kind in KINDS
          for graded in ([kind["graded"]] if isinstance(kind["graded"], str) else kind["graded"])]


def written(kind, folder):
    """The kind's file: its base with each `old` replaced by its `new` (or a name renamed)."""
    source = REFERENCE if kind["base"] == "reference" else CORPUS / "correct" / kind["base"]
    text = source.read_text()
    for old, new in ((kind.get("old"), kind.get("new")), (kind.get("old2"), kind.get("new2"))):
        if old is not None:
            assert text.count(old) == 1, f"{kind['name']} no longer matches {kind['base']}"
            text = text.replace(old, new)
    if "rename" in kind:
        old, new = kind["rename"]
        text = re.sub(rf"\b{old}\b", new, text)
    path = folder / source.name
    path.write_text(text)
    return path


def pasted(program, path):
    """What running `program` in the file's own namespace raises, as a name, or None."""
    namespace = runpy.run_path(str(path), run_name="pasted")
    try:
        exec(program, namespace)
    except Exception as exc:
        return type(exc).__name__
    return None


@pytest.mark.parametrize("kind, graded", GRADED, ids=[
    k["name"] + ("" if isinstance(k["graded"], str) else f"-{g}") for k, g in GRADED])
def test_the_first_message_names_the_real_cause(kind, graded, tmp_path):
    path = written(kind, tmp_path)
    result = verdict(graded, path)
    assert not result.problem, result.problem
    first = result.first_failure()
    assert first is not None, f"{kind['kind']}: not caught"
    assert first.chunk == kind["chunk"], f"{kind['kind']}: first reported by {first.chunk}: " \
                                         f"{first.message}"
    assert (first.owner or first.chunk) == kind.get("owner", kind["chunk"]), first.message
    for phrase in kind["says"]:
        assert phrase in first.message, f"{kind['kind']}: {phrase!r} not in {first.message}"
    for phrase in kind.get("once", ()):
        assert first.message.count(phrase) == 1, f"{kind['kind']}: {phrase!r} not once"
    for phrase in kind.get("never_says", ()):
        assert phrase not in first.message, f"{kind['kind']}: a wrong cause, {phrase!r}"
    assert first.title.startswith(kind.get("title", "")), f"{kind['kind']}: {first.title}"
    assert first.test_code and first.test_code in first.message, first.message
    raised = re.search(r"raised (\w+)", first.message)
    if first.chunk not in ("train", "moons"):  # their model is the suite's own, in words
        assert pasted(first.test_code, path) == (raised.group(1) if raised else None), \
            "the program shown does not run as shown"
    assert "Traceback" not in first.message
    assert not any("unreliable results" in t.message for t in result.tests), \
        "hypothesis' own FlakyFailure reached the verdict"
    if graded == "full":
        owner = kind.get("owner", kind["chunk"])
        others = [t for t in result.tests if t.status != "pass" and t.chunk not in
                  (kind["chunk"], kind.get("also"))]
        for t in others:
            assert t.message.startswith(f"waits on {owner}"), f"{t.name} repeats: {t.message}"
        if "also" in kind:
            own = next(t for t in result.tests if t.chunk == kind["also"] and t.status != "pass"
                       and not t.message.startswith("waits on"))
            for phrase in kind["also_says"]:
                assert phrase in own.message, own.message
