"""drill's architecture, kept by a check: its modules in layers, read from the bottom up.

A module may import from its own layer and those below it, never from one above: what a lower
module needs from a higher one is passed down as an argument (the grader is handed the learner's
file already read; it never asks an attempt). No two modules import each other, even inside a
function, so that each can be understood with only what lies below it. Every import counts,
those inside functions included. A new module must be given its place here.
"""
import ast
from pathlib import Path

import drill

PACKAGE = Path(drill.__file__).parent

LAYERS = [  # the top first
    ("the command", ["drill.cli", "drill.__main__"]),
    ("screens", ["drill.render", "drill.watch"]),
    ("the learner's path", ["drill.attempt", "drill.demo", "drill.digits_run", "drill.pictures",
                            "drill.editor", "drill.progress"]),
    ("what is kept, and the judge", ["drill.store", "drill.grader", "drill.tasks",
                                     "drill.worksheet", "drill.stub", "drill.hunt",
                                     "drill.meaning"]),
    ("what drill knows", ["drill.catalog", "drill.schedule", "drill.stats", "drill.summary",
                          "drill.splits", "drill.days", "drill.draws", "drill.expr", "drill.graph",
                          "drill.notebook", "drill.learner_file", "drill.moons", "drill.digits",
                          "drill.hints"]),
    ("ground", ["drill.errors", "drill.clock", "drill.paths", "drill.config", "drill.syntax",
                "drill.tomlfile", "drill.inuse"]),
]
INDEPENDENT = [  # pairs of the same layer that never import each other
    ("drill.store", "drill.grader"),  # the grader knows nothing of what drill keeps
    ("drill.render", "drill.watch"),  # the watch loop draws through the callbacks it is given
]


def modules():
    """{module name: its file} of every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("drill",) + path.relative_to(PACKAGE).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(found):
    """{module: the modules of drill it imports}, `from drill.x import y` counted as drill.x.y
    when that is a module."""
    def module_of(name):
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name
    edges = {}
    for name, path in found.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {module_of(a.name) for a in node.names if a.name.startswith("drill")}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("drill"):
                targets |= {module_of(f"{node.module}.{a.name}") for a in node.names}
        edges[name] = targets - {name, "drill"}
    return edges


def part_of(module, prefixes):
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def layer_of(module):
    return next((i for i, (_, members) in enumerate(LAYERS) if part_of(module, members)), None)


EDGES = imports(modules())


def test_every_module_has_its_place():
    assert [m for m in EDGES if m != "drill" and layer_of(m) is None] == []


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
              for m, targets in EDGES.items() if m != "drill" for t in targets
              if layer_of(t) < layer_of(m)]
    assert upward == []


def test_independent_parts_never_import_each_other():
    crossing = [f"{m} imports {t}" for a, b in INDEPENDENT for m, targets in EDGES.items()
                for t in targets if part_of(m, [a]) and part_of(t, [b]) or
                part_of(m, [b]) and part_of(t, [a])]
    assert crossing == []


def test_no_import_circle():
    circles, done = [], set()

    def visit(module, path):
        if module in path:
            circles.append(" -> ".join(path[path.index(module):] + [module]))
            return
        if module in done:
            return
        for target in sorted(EDGES.get(module, ())):
            visit(target, path + [module])
        done.add(module)
    for module in sorted(EDGES):
        visit(module, [])
    assert circles == []
