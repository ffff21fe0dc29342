"""The chunks, read from their folders: adding a chunk is adding a folder, not code.

A chunk folder holds `chunk.toml` (title, order, target, prerequisites, hints and which of them
speaks to which failing test, the reference functions its stub leaves blank, and the chunks
whose code its stub gives written out), `card.md`, its suite `test_<name>.py`, and
`mutants.toml`: realistic one-bug copies of the reference that the suite must fail (the
project's tests check it; bug hunts plant them). A chunk graded by others' suites (full)
names them. A chunk of `kind = "worksheet"` (chain) is not code: drill writes its sheet afresh
for each attempt and grades the answers itself (drill.worksheet). A chunk may say what to try
once it passes (`[after_pass]`: a command and why), and describe its speedrun in a
`[speedrun]` table (moons: the whole library from a blank file, graded by the suites listed
there, then a last split when the training it names, `trained`, reaches the accuracy `goal`:
the demo at 100%), with a card of its own: the chunk's card speaks of the
stub, which a blank file does not have. A chunk may draw one of
several variants for each attempt (extend: an operation): `draws` names the file in its folder
that describes them, as data; `drawing` gives the chunk as an attempt that drew one sees it.
A chunk that goes beyond the lecture (digits) keeps the code it adds to the reference in a file
of its folder that `adds` names, so the lecture's reference stays what every other chunk sees.
"""
import os
from dataclasses import dataclass, field, replace

from drill.errors import DrillError
from drill.paths import chunks_dir
from drill.tomlfile import read


@dataclass(frozen=True)
class Chunk:
    name: str
    title: str
    order: int
    target_s: int
    folder: str  # a path as a str: `drill list` loads no pathlib
    requires: tuple = ()
    hints: tuple = ()
    hints_for: dict = field(default_factory=dict)  # {test name's start: the hint for it (from 1)}
    blanks: dict = field(default_factory=dict)
    suites: tuple = ()
    gives: tuple = ()  # the chunks whose code the stub gives written out: what the suite needs
    kind: str = "code"  # or "worksheet": a sheet of numbers, graded without running the file
    on_pass: str = ""  # a task of drill.tasks whose picture is drawn when an attempt passes
    after_pass: tuple = ()  # (command, why): what to try with the code once an attempt passes
    speedrun: dict = field(default_factory=dict)  # how its speedrun differs: suites, trained, target
    trained: str = ""  # the training (a task) whose network, reaching `goal`, is the last split
    goal: float = 1.0  # the accuracy that training must reach
    cards: tuple = ("card.md",)  # paths from the folder, shown one after the other
    draws: tuple = ()  # what an attempt draws one of: dicts read from the file `draws` names
    drawn: tuple = ()  # the names of the draws graded, when not all of them
    draw_text: dict = field(default_factory=dict)  # the draws file's card, listing, row, blank
    adds: str = ""  # a file of the folder: the code the chunk adds to the lecture's reference

    def as_run(self, kind):
        """The chunk as an attempt of `kind` is graded: a speedrun of a chunk with a
        `[speedrun]` table starts from a blank file and is graded by that table's suites."""
        if kind != "speedrun" or not self.speedrun:
            return self
        return replace(self, blanks={}, suites=tuple(self.speedrun["suites"]), speedrun={},
                       trained=self.speedrun.get("trained", ""),
                       goal=float(self.speedrun.get("goal", 1.0)),
                       cards=tuple(self.speedrun.get("cards", self.cards)),
                       target_s=parse_target(self.speedrun.get("target", "0")) or self.target_s)

    @property
    def whose(self):
        """The chunk's name as a possessive: "topo's", "moons'"."""
        return self.name + ("'" if self.name.endswith("s") else "'s")

    def drawing(self, which):
        """The chunk as an attempt that drew `which` (its number in `draws`, as the attempt keeps
        it, or its name) sees it: that draw's hints and method to write, and its card."""
        names = [d["name"] for d in self.draws]
        if not (which in names or isinstance(which, int) and 0 <= which < len(names)):
            raise DrillError(f"{self.name} draws one of {', '.join(names)}; not {which!r}")
        draw = self.draws[which] if isinstance(which, int) else self.draws[names.index(which)]
        return replace(self, drawn=(draw["name"],), hints=tuple(draw["hints"]),
                       blanks={f"Value.{draw['name']}": self.draw_text["blank"].format(**draw)})

    def only(self, names):
        """The chunk graded on the draws `names` alone (those a learner's file defines)."""
        return self.drawing(names[0]) if len(names) == 1 else replace(self, drawn=tuple(names))

    def draw(self):
        """The one draw the chunk is narrowed to, or None."""
        return next((d for d in self.draws if (d["name"],) == self.drawn), None)

    def split_names(self):
        """The splits of a speedrun of this chunk (as `as_run` gives it), in order."""
        return list(self.suites or (self.name,)) + (["trained"] if self.trained else [])

    @property
    def card(self):
        texts = []
        for name in self.cards:
            path = os.path.normpath(os.path.join(self.folder, name))
            if not os.path.isfile(path):
                raise DrillError(f"chunk '{self.name}' has no card ({path} is missing)")
            with open(path, encoding="utf-8") as f:
                texts.append(f.read())
        if self.draws:  # the operation drawn, or before a draw every one an attempt may draw
            draw = self.draw()
            texts.append(self.draw_text["card"].format(**draw) if draw else
                         self.draw_text["listing"] + "\n".join(
                             self.draw_text["row"].format(**d) for d in self.draws) + "\n")
        return "\n".join(texts)

    def suite_files(self):
        """The suite files that grade this chunk: its own, or those of the chunks it names (none
        for a worksheet, which drill grades itself)."""
        from pathlib import Path
        if self.kind == "worksheet":
            return []
        names = self.suites or (self.name,)
        return [Path(self.folder).parent / n / f"test_{n}.py" for n in names]

    def mutants(self):
        """[{name, mistake, old, new}]: the one-bug copies of the reference kept for this chunk."""
        path = os.path.join(self.folder, "mutants.toml")
        if not os.path.isfile(path):
            return []
        return read(path)["mutant"]

    def to_dict(self):
        return {"name": self.name, "title": self.title, "order": self.order,
                "target_s": self.target_s, "requires": list(self.requires),
                "hints": len(self.hints), "kind": self.kind,
                "suites": [] if self.kind == "worksheet" else list(self.suites or (self.name,))}


def parse_target(text):
    """'8:00' -> 480 seconds."""
    minutes, _, seconds = str(text).partition(":")
    return int(minutes) * 60 + int(seconds or 0)


def load_chunk(folder, parsed=None):
    """The chunk in `folder`; `parsed` keeps each TOML file read ({path: its tables})."""
    parsed = {} if parsed is None else parsed
    meta = _toml(os.path.join(folder, "chunk.toml"), parsed)
    draws, draw_text = (), {}
    if meta.get("draws"):
        draw_text = dict(_toml(os.path.join(folder, meta["draws"]), parsed))
        draws = tuple(draw_text.pop("draw"))
    return Chunk(name=os.path.basename(folder), title=meta["title"], order=meta["order"],
                 target_s=parse_target(meta["target"]), folder=folder,
                 requires=tuple(meta.get("requires", ())), hints=tuple(meta.get("hints", ())),
                 hints_for=dict(meta.get("hints_for", {})),
                 blanks=dict(meta.get("blanks", {})), suites=tuple(meta.get("suites", ())),
                 gives=tuple(meta.get("gives", ())),
                 kind=meta.get("kind", "code"), on_pass=meta.get("on_pass", ""),
                 after_pass=_after_pass(meta.get("after_pass", {})),
                 speedrun=dict(meta.get("speedrun", {})), draws=draws, draw_text=draw_text,
                 adds=os.path.join(folder, meta["adds"]) if meta.get("adds") else "")


def _after_pass(table):
    return (table["command"], table["why"]) if table else ()


def load_catalog(root=None):
    """Every chunk under `root` (default: drill's own), in learning order. Read once per
    version of its files: a command asks for it several times (`drill today`: three), and
    parsing the TOML was a fifth of a read command's time."""
    root = os.fspath(root) if root else chunks_dir()
    folders = [e.path for e in os.scandir(root)
               if os.path.isfile(os.path.join(e.path, "chunk.toml"))]
    version = (root, tuple((f, _times(f)) for f in sorted(folders)))
    if _read.get(root, (None,))[0] != version:
        kept = _kept(version)
        parsed = dict(kept or {})
        chunks = sorted((load_chunk(f, parsed) for f in folders), key=lambda c: (c.order, c.name))
        if kept is None:
            _keep(version, parsed)
        _read[root] = (version, chunks)
    return list(_read[root][1])


_read = {}  # {root: (the version of its files, its chunks)}


def _toml(path, parsed):
    if path not in parsed:
        parsed[path] = read(path)
    return parsed[path]


def _kept_file(version):
    """Where the TOML files of this version of the chunks are kept parsed, in DRILL_HOME/cache:
    reading them back (marshal) takes a tenth of parsing them. The file holds its version too,
    so that a name two versions share (crc32) never passes one off as the other."""
    from zlib import crc32

    from drill.paths import scratch
    return os.path.join(scratch("cache"), f"catalog-{crc32(repr(version).encode()):08x}.marshal")


def _kept(version):
    import marshal
    try:
        with open(_kept_file(version), "rb") as f:
            kept_version, found = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError, DrillError):
        return None
    return found if kept_version == version and isinstance(found, dict) else None


def _keep(version, parsed):
    """Write whole or not at all: other drills may read the file at any moment."""
    import marshal
    try:
        path = _kept_file(version)
        partial = f"{path}.{os.getpid()}"
        with open(partial, "wb") as f:
            marshal.dump((version, parsed), f)
        os.replace(partial, path)
    except (OSError, ValueError, DrillError):
        pass


def _times(folder):
    """When each TOML file of a chunk's folder last changed."""
    with os.scandir(folder) as entries:
        return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in entries
                            if e.name.endswith(".toml")))


def wholes(root=None):
    """The splits that check the whole library on its own (full's own suite, graded beside
    every other): a run's last split, passed with the last part by design, never alone."""
    return {c.name for c in load_catalog(root) if c.suites}


def every_suite(root=None):
    """Each suite file of the chunks under `root`, once, as sorted path strings: what a warm
    grader collects before the first grading."""
    return sorted({str(p) for chunk in load_catalog(root) for p in chunk.suite_files()})


def get_chunk(name, root=None):
    """The chunk called `name`, or a DrillError that names the closest one."""
    chunks = {c.name: c for c in load_catalog(root)}
    if name in chunks:
        return chunks[name]
    import difflib
    close = difflib.get_close_matches(name, list(chunks), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise DrillError(f"no chunk called '{name}'{hint} (drill list shows them all)")
