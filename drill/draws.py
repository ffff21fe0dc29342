"""What a chunk that draws (extend: one operation per attempt) draws, and what a file defines.

An attempt keeps its draw as `seed`, the draw's number in the chunk's list (a worksheet keeps its
sheet's seed there too): `pick` draws it, never the one the chunk's previous attempt drew, and
`Chunk.drawing` turns it back into the chunk that attempt sees. A bare file graded without an
attempt (`drill check extend --file F`) is graded on the draws its `Value` defines.
"""
import ast
import random

from drill import syntax


def pick(chunk, previous=None, rng=None):
    """The number of a new draw of `chunk`: any but `previous` (the last attempt's), when there
    is another."""
    choices = [i for i in range(len(chunk.draws)) if i != previous] or [previous]
    return (rng or random).choice(choices)


def name_of(chunk, seed):
    """The name of the draw numbered `seed`, or None for a seed that numbers none."""
    if seed is None or not 0 <= seed < len(chunk.draws):
        return None
    return chunk.draws[seed]["name"]


def defined(chunk, source):
    """The names of `chunk`'s draws that the class `Value` in `source` defines, in the chunk's
    order: a method or an attribute of its body, or one set on it afterwards (`Value.sin =
    ...`, `setattr(Value, "sin", ...)`). All of them when `source` does not parse: the grading
    then says why."""
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [d["name"] for d in chunk.draws]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Value":
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.add(item.name)
                targets = item.targets if isinstance(item, ast.Assign) else \
                    [item.target] if isinstance(item, ast.AnnAssign) else []
                found.update(t.id for t in targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                isinstance(node.value, ast.Name) and node.value.id == "Value":
            found.add(node.attr)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "setattr" and len(node.args) >= 2 and \
                isinstance(node.args[0], ast.Name) and node.args[0].id == "Value" and \
                isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            found.add(node.args[1].value)
    return [d["name"] for d in chunk.draws if d["name"] in found]
