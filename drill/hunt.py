"""A bug hunt: the whole reference with one realistic bug planted in a chunk, to find and fix.

The bugs are the chunk's one-bug mutants (chunks/<chunk>/mutants.toml), which the project's tests
prove its suite fails, so fixing the planted bug is exactly what makes the suite pass. A hunt is
an attempt of kind 'hunt' that records which mutant it planted: it is graded by the chunk's
suite, counts for the streak, and never moves the FSRS schedule (only practice is a review).
Its hints come from where the bug sits, never from the chunk: first the function, then the lines.
"""
import ast
import difflib
import textwrap
from dataclasses import dataclass, replace

from drill import syntax
from drill.errors import DrillError
from drill.stub import functions, reference_source

DUE_WEIGHT = 3  # a chunk due for review is this many times likelier to hold the bug
AROUND = 2  # lines shown either side of the planted ones by the second hint


def mutant_named(chunk, name):
    """The chunk's mutant called `name`, or a DrillError (a hunt from an older drill)."""
    found = next((m for m in chunk.mutants() if m["name"] == name), None)
    if found is None:
        raise DrillError(f"{chunk.name} has no planted bug called '{name}' any more: "
                         "abandon this hunt (key a while watching) and start another")
    return found


def header(chunk):
    """The lines a hunt's file opens with: where the bug is, never what it is."""
    return (f"# drill bug hunt in '{chunk.name}': {chunk.title}.\n"
            f"# One realistic bug is planted in what {chunk.name} asks you to write; the rest of "
            "the file is right.\n"
            f"# Find it and fix it: {chunk.whose} suite grades the file.\n\n")


def planted(chunk, mutant, reference=None):
    """The file a hunt hands out: the reference with `mutant` (a mutant or its name) planted."""
    mutant = mutant_named(chunk, mutant) if isinstance(mutant, str) else mutant
    source = reference_source(chunk, reference)
    if source.count(mutant["old"]) != 1:
        raise DrillError(f"the bug '{mutant['name']}' no longer fits the reference")
    return header(chunk) + source.replace(mutant["old"], mutant["new"])


@dataclass
class Spot:
    """Where a planted bug sits in the file as handed out: the innermost function (or class,
    when the bug took a whole function away) holding it, that holder's lines, and the 1-based
    lines [first, last] the bug occupies (for deleted lines, the line after them)."""
    holder: str
    is_class: bool
    span: tuple
    first: int
    last: int


def spot(chunk, mutant, reference=None):
    """The Spot of `mutant` in the file a hunt of it hands out."""
    source = reference_source(chunk, reference)
    before = source[:source.index(mutant["old"])]
    start = before.count("\n") + 1  # the reference's line where `old` begins
    end = start + mutant["old"].rstrip("\n").count("\n")
    after = functions(syntax.parse(planted(chunk, mutant, source)), classes=True)
    holders = [(node.end_lineno - node.lineno, name) for name, node in
               functions(syntax.parse(source), classes=True).items()
               if node.lineno <= start and end <= node.end_lineno and name in after]
    if not holders:
        raise DrillError(f"the bug '{mutant['name']}' sits outside every function")
    name = min(holders)[1]
    first = start + header(chunk).count("\n")
    return Spot(name, isinstance(after[name], ast.ClassDef),
                (after[name].lineno, after[name].end_lineno),
                first, first + mutant["new"].rstrip("\n").count("\n"))


def hints(chunk, mutant, reference=None):
    """The hunt's hints, narrowing down the function, then the lines (AROUND either side of
    the planted ones, within the function)."""
    where = spot(chunk, mutant, reference)
    outer, _, inner = where.holder.rpartition(".")
    nested = outer in functions(syntax.parse(planted(chunk, mutant, reference)))
    named = (f"the class `{where.holder}`" if where.is_class else
             f"`{inner}` inside `{outer}`" if nested else f"`{where.holder}`")
    first = max(where.first - AROUND, where.span[0])
    last = min(where.last + AROUND, where.span[1])
    return (f"The bug is in {named}.",
            f"Look at lines {first} to {last} of the file as it was handed out, in "
            f"`{where.holder}`.")


def hunted(chunk, mutant_name):
    """The chunk as a hunt of `mutant_name` sees it: the hunt's own hints, not the chunk's."""
    return replace(chunk, hints=hints(chunk, mutant_named(chunk, mutant_name)), hints_for={})


def pick(chunks, due, previous, rng):
    """(chunk, mutant) for a new hunt among `chunks` (those with mutants): each chunk as
    likely as another whatever its number of bugs, DUE_WEIGHT times likelier when its name is
    in `due`; never the mutant of `previous` ((chunk name, mutant name) of the last hunt)."""
    choices = [(chunk, m) for chunk in chunks for m in chunk.mutants()
               if (chunk.name, m["name"]) != previous]
    if not choices:
        raise DrillError("no bug is left to plant there that differs from the last hunt's")
    per_chunk = {}
    for chunk, _ in choices:
        per_chunk[chunk.name] = per_chunk.get(chunk.name, 0) + 1
    weights = [(DUE_WEIGHT if chunk.name in due else 1) / per_chunk[chunk.name]
               for chunk, _ in choices]
    return rng.choices(choices, weights)[0]


@dataclass
class Found:
    """A finished hunt: the planted bug, and each place where the learner's code differs from
    the file handed out: (its first line, the planted lines, the learner's lines), each line a
    (text, changed) pair, with AROUND lines of context."""
    mistake: str
    changes: list


def found(chunk, mutant_name, final):
    """What the learner changed in the planted file to make it pass."""
    mutant = mutant_named(chunk, mutant_name)
    before = planted(chunk, mutant).splitlines()
    after = final.splitlines()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes = []
    for group in matcher.get_grouped_opcodes(AROUND):
        planted_lines, fixed_lines = [], []
        for op, i1, i2, j1, j2 in group:
            planted_lines += [(line, op != "equal") for line in before[i1:i2]]
            fixed_lines += [(line, op != "equal") for line in after[j1:j2]]
        if any(_is_code(text) for text, changed in planted_lines + fixed_lines if changed):
            changes.append((group[0][1] + 1, _dedented(planted_lines), _dedented(fixed_lines)))
    return Found(mutant["mistake"], changes)


def _is_code(line):
    """Not blank and not a comment: a change to such lines is no fix (the header, notes)."""
    return bool(line.strip()) and not line.strip().startswith("#")


def _dedented(lines):
    """(text, changed) lines with their common indentation taken off."""
    common = textwrap.dedent("\n".join(text for text, _ in lines)).split("\n")
    return [(text, changed) for text, (_, changed) in zip(common, lines)]
