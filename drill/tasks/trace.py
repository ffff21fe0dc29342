"""On a pass of `trace`: the lecture's graph as the learner's own `trace` finds it, as a picture."""
from drill.graph import walk
from drill.grader.suitekit import need, run as call
from drill.tasks.graph import read

PROGRAM = "a = Value(2.0); b = Value(-3.0); c = Value(10.0); e = a*b; d = e + c; f = Value(-2.0); L = d * f"


def run(module, args, emit):
    """Build the lecture's L = (a*b + c) * f with the file's Value, call its trace(L), and emit
    the graph its nodes and edges make: each node's children are what its edges say."""
    Value = need("Value")
    v = {name: call(f"{name} = Value({x!r})", Value, x)
         for name, x in {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}.items()}
    v["e"] = call(PROGRAM, lambda: v["a"] * v["b"])
    v["d"] = call(PROGRAM, lambda: v["e"] + v["c"])
    v["L"] = call(PROGRAM, lambda: v["d"] * v["f"])
    nodes, edges = call(PROGRAM + "; nodes, edges = trace(L)", need("trace"), v["L"])
    children = {id(node): [] for node in nodes}
    for child, parent in edges:
        children.setdefault(id(parent), []).append(child)
    labels = {id(value): name for name, value in v.items()}
    emit(graph=walk(v["L"], lambda node: children.get(id(node), []), read, labels).to_dict())
