"""The contract travels with the project: CONTRACT.md at the top is the one the suites are
written to, and nothing in the project points at a path outside the repository."""
import re

from conftest import CHUNKS, ROOT

CONTRACT = ROOT / "CONTRACT.md"


def shared_contract():
    """The shared CONTRACT.md this repository copies, where the checkout sits beside it
    (`../shared/CONTRACT.md` of the repository, or of a folder holding its worktree); None in a
    clean clone."""
    return next((folder / "shared" / "CONTRACT.md" for folder in ROOT.parents
                 if (folder / "shared" / "CONTRACT.md").is_file()), None)


def test_the_contract_is_the_shared_one_where_there_is_one():
    shared = shared_contract()
    if shared is not None:
        assert CONTRACT.read_bytes() == shared.read_bytes(), f"copy {shared} to CONTRACT.md"
    # Beside it or not, it is the contract the suites are written to: a section for every
    # chunk of code, and every name a suite asks the learner's file for.
    text = CONTRACT.read_text(encoding="utf-8")
    sections = re.findall(r"^## (\w+) —", text, flags=re.MULTILINE)
    assert [c for c in CHUNKS.values() if c.kind == "code" and c.name not in sections] == []
    asked = {name for c in CHUNKS.values() for path in c.suite_files()
             for name in re.findall(r'need\("(\w+)"\)', path.read_text(encoding="utf-8"))}
    assert asked and [name for name in sorted(asked) if f"`{name}" not in text] == []


def test_nothing_points_outside_the_repository():
    """README, cards, chunk metadata, suites and drill's own messages name CONTRACT.md in the
    repository, never the shared folder it was copied from."""
    outside = re.compile(r"\.\./shared|/work/")
    texts = [ROOT / "README.md", CONTRACT, *ROOT.glob("drill/**/*.py"), *ROOT.glob("chunks/*/*")]
    assert [str(p.relative_to(ROOT)) for p in texts if outside.search(p.read_text("utf-8"))] == []
    assert "(CONTRACT.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
