"""chain: backpropagation by hand, on a worksheet drill writes afresh from a seed for each attempt.

A sheet is a small graph, as the lecture draws them: its first example `L = (a*b + c) * f`, its
neuron `o = tanh(x1*w1 + x2*w2 + b)`, or a random graph of 5 to 9 nodes in which a value is used
twice. It is handed out as a Python file, one assignment per node and a `grads` dict to fill in.
The learner's file is never run: the answers are read with `drill.expr` (numbers, node names,
+ - * / **, parentheses) and checked against the gradients drill works out from the seed, one
result per node, each wrong one explained as one step of the chain rule.
"""
import ast
import math
import random
import re
import secrets
import time
from dataclasses import dataclass

from drill import syntax
from drill.errors import DrillError
from drill.expr import ExprError, evaluate, parse

SEEDS = 10 ** 6
SIGNIFICANT = 3  # hand arithmetic rounds: each answer is checked to 3 significant figures


@dataclass
class Step:
    """One node of a sheet: a leaf (`op` "") or an operation on earlier nodes, named `args`."""
    name: str
    op: str = ""
    args: tuple = ()
    k: int = None  # the exponent of **
    data: float = 0.0


FORWARD = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
           "/": lambda a, b: a / b, "exp": math.exp, "tanh": math.tanh,
           "relu": lambda a: max(0.0, a)}
BINARY, UNARY = ("+", "-", "*", "/"), ("**", "exp", "tanh", "relu")


def new_seed():
    """A seed for a new sheet: not from the clock, which tests and demos fix."""
    return secrets.randbelow(SEEDS)


def leaf(rng):
    """A leaf's number: one decimal, 0.5 to 4 either side of 0."""
    x = round(rng.uniform(0.5, 4.0), 1)
    return x if rng.random() < 0.5 else -x


def make(steps, name, op, args, k=None):
    """Append the node `name = op(args)` to `steps`, with its value."""
    data = {s.name: s.data for s in steps}
    x = [data[a] for a in args]
    value = x[0] ** k if op == "**" else FORWARD[op](*x)
    steps.append(Step(name, op, tuple(args), k, value))


def lecture_example(rng):
    """The lecture's first graph: e = a*b, d = e + c, L = d * f."""
    steps = [Step(n, data=leaf(rng)) for n in "abc"]
    make(steps, "e", "*", "ab")
    make(steps, "d", "+", "ec")
    steps.append(Step("f", data=leaf(rng)))
    make(steps, "L", "*", "df")
    return steps


def lecture_neuron(rng):
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), with its bias chosen so that tanh
    is neither flat nor saturated; now and then x2 is 0, as in the lecture."""
    x2 = 0.0 if rng.random() < 0.25 else leaf(rng)
    steps = [Step("x1", data=leaf(rng)), Step("x2", data=x2), Step("w1", data=leaf(rng)),
             Step("w2", data=leaf(rng))]
    dot = steps[0].data * steps[2].data + x2 * steps[3].data
    steps.append(Step("b", data=round(rng.uniform(-1.2, 1.2) - dot, 1)))
    make(steps, "x1w1", "*", ("x1", "w1"))
    make(steps, "x2w2", "*", ("x2", "w2"))
    make(steps, "x1w1x2w2", "+", ("x1w1", "x2w2"))
    make(steps, "n", "+", ("x1w1x2w2", "b"))
    make(steps, "o", "tanh", ("n",))
    return steps


def random_graph(rng):
    """5 to 9 nodes over + - * / ** exp tanh relu, every node feeding the last one (L), and at
    least one used twice; drawn again until the numbers are fit for hand arithmetic."""
    while True:
        size, leaves = rng.randint(5, 9), rng.randint(2, 3)
        steps = [Step(n, data=leaf(rng)) for n in "abc"[:leaves]]
        inner = iter("defghij")
        pending = [s.name for s in steps]  # not used by any node yet
        while len(steps) < size:
            merge = len(pending) - 1 == size - len(steps)  # or some would feed nothing
            op = rng.choice(BINARY if merge else BINARY + UNARY)
            first = rng.choice(pending)
            args = [first]
            if op in BINARY:
                others = [p for p in pending if p != first]
                if merge or (others and rng.random() < 0.6):
                    args.append(rng.choice(others))
                else:
                    args.append(rng.choice([s.name for s in steps]))
            name = "L" if len(steps) == size - 1 else next(inner)
            try:
                make(steps, name, op, args, rng.choice((2, 3)) if op == "**" else None)
            except (ZeroDivisionError, OverflowError):
                break
            pending = [p for p in pending if p not in args] + [name]
        else:
            if fit(steps) and any(sum(u.args.count(s.name) for u in steps) > 1 for s in steps):
                return steps


def fit(steps):
    """Numbers a person can work with: moderate values and gradients, no gradient so small it
    reads as 0, no gradient of 0 but behind a relu that is off, and no input where a derivative
    is awkward (relu at 0, tanh flat)."""
    data = {s.name: s.data for s in steps}
    for s in steps:
        x = [data[a] for a in s.args]
        if not abs(s.data) <= 50 or (s.op == "/" and (abs(x[1]) < 0.5 or x[0] == x[1])) or \
                (s.op == "-" and x[0] == x[1]) or (s.op == "relu" and abs(x[0]) < 0.2) or \
                (s.op == "exp" and abs(x[0]) > 3) or (s.op == "tanh" and abs(x[0]) > 2.5):
            return False
    dead = any(s.op == "relu" and s.data == 0 for s in steps)  # a gradient of 0 is its lesson
    return all(0.01 <= abs(g) <= 500 or g == 0 and dead for g in gradients(steps).values())


SHAPES = [lecture_example, lecture_neuron, random_graph, random_graph]


def sheet(seed):
    """The steps of the sheet of `seed`, in creation order: the same seed, the same sheet."""
    rng = random.Random(seed)
    return rng.choice(SHAPES)(rng)


def local(steps, step, slot):
    """d step / d (its operand number `slot`), a number."""
    data = {s.name: s.data for s in steps}
    x = [data[a] for a in step.args]
    if step.op in ("+", "-"):
        return -1.0 if step.op == "-" and slot == 1 else 1.0
    if step.op == "*":
        return x[1 - slot]
    if step.op == "/":
        return 1 / x[1] if slot == 0 else -x[0] / x[1] ** 2
    if step.op == "**":
        return step.k * x[0] ** (step.k - 1)
    if step.op == "exp":
        return step.data
    if step.op == "tanh":
        return 1 - step.data ** 2
    return 1.0 if x[0] > 0 else 0.0


def gradients(steps):
    """{name: d root / d name}: the chain rule, from the root (the last step) down."""
    grads = {s.name: 0.0 for s in steps}
    grads[steps[-1].name] = 1.0
    for step in reversed(steps):
        for slot, arg in enumerate(step.args):
            grads[arg] += grads[step.name] * local(steps, step, slot)
    return grads


def rule(step, slot):
    """Why d step / d operand is what it is, in words."""
    op, out, (a, b) = step.op, step.name, (step.args + (None, None))[:2]
    if op == "+":
        return "`+` passes its gradient through unchanged"
    if op == "-":
        return ("`-` passes its gradient to the left operand unchanged" if slot == 0 else
                "`-` passes its gradient to the right operand with its sign flipped")
    if op == "*":
        return f"the local derivative of a product is the other factor, {step.args[1 - slot]}"
    if op == "/":
        return f"d({a} / {b})/d{a} is 1 / {b}" if slot == 0 else f"d({a} / {b})/d{b} is -{a} / {b}**2"
    if op == "**":
        return f"d({a} ** {step.k})/d{a} is {step.k} * {a} ** {step.k - 1}"
    if op == "exp":
        return f"exp is its own derivative: d{out}/d{a} is {out} itself"
    if op == "tanh":
        return f"the derivative of tanh is 1 - tanh**2, here 1 - {out}**2"
    if step.data > 0:
        return f"relu passes its gradient on where its input is positive ({a} > 0)"
    return f"relu passes nothing back where its input is not positive ({a} <= 0)"


def line(step):
    """The node as the sheet writes it, in Python."""
    a, b = (step.args + (None, None))[:2]
    if not step.op:
        return f"{step.name} = {step.data!r}"
    if step.op in BINARY:
        return f"{step.name} = {a} {step.op} {b}"
    if step.op == "**":
        return f"{step.name} = {a} ** {step.k}"
    if step.op == "relu":
        return f"{step.name} = max(0.0, {a})"
    return f"{step.name} = math.{step.op}({a})"


def number(x):
    """A number as a person writes it: 4 significant figures, 2.0 rather than 2, and 0.0 rather
    than -0.0 (x2 * w2 when x2 is 0)."""
    x += 0.0
    return f"{x:.1f}" if x == int(x) and abs(x) < 1e6 else f"{x:.4g}"


def stub(chunk, seed=None):
    """The worksheet of `seed` (a new one if None) as the file a learner fills in."""
    seed = new_seed() if seed is None else seed
    steps = sheet(seed)
    root = steps[-1].name
    width = max(len(line(s)) for s in steps)
    lines = [f"# drill worksheet for '{chunk.name}' (sheet {seed}): {chunk.title}.",
             "# Each line is one node of a graph, its value in the comment. Fill in `grads`: for",
             f"# each node, d{root}/d(node), how much {root} moves per unit of that node.",
             f"# Write numbers, or arithmetic of numbers and the names below (2.0 * {steps[0].name}).",
             "# Nothing in this file is run. `drill card chain` says more; `drill check` grades it.",
             "import math", ""]
    lines += [f"{line(s).ljust(width)}  # {number(s.data)}" for s in steps]
    lines += ["", "grads = {", f'    "{root}": 1.0,']
    lines += [f'    "{s.name}": ...,' for s in reversed(steps[:-1])]
    return "\n".join(lines + ["}", ""])


def seed_of(source):
    """The seed a sheet names in its first line, or None."""
    found = re.search(r"\(sheet (\d+)\)", source.split("\n", 1)[0])
    return int(found.group(1)) if found else None


def read_answers(source, path, steps):
    """({name: number, or None while `...`, or an ExprError}, problem): the learner's grads."""
    try:
        tree = syntax.parse(source)
    except SyntaxError as exc:
        return {}, f"{path.name}:{exc.lineno}: {exc.msg}\n    {(exc.text or '').strip()}"
    found = [node.value for node in tree.body if isinstance(node, ast.Assign)
             and [ast.unparse(t) for t in node.targets] == ["grads"]]
    if not found or not isinstance(found[-1], ast.Dict):
        return {}, ("the sheet has no `grads = {...}` any more: put it back (key r in watch "
                    "mode gives you the sheet again; what you wrote is kept)")
    data = {s.name: s.data for s in steps}
    answers = {}
    for key, value in zip(found[-1].keys, found[-1].values):
        if not (isinstance(key, ast.Constant) and key.value in data):
            continue
        if isinstance(value, ast.Constant) and value.value is Ellipsis:
            answers[key.value] = None
            continue
        text = ast.get_source_segment(source, value)
        try:
            answers[key.value] = float(evaluate(parse(text, data), data))
        except ExprError as exc:
            answers[key.value] = exc
        except ArithmeticError as exc:
            answers[key.value] = ExprError(f"`{text}`: {exc}")
    return answers, ""


def close(got, want):
    """Equal to SIGNIFICANT significant figures: within one unit of the last of them."""
    if want == 0:
        return abs(got) < 1e-9
    return abs(got - want) <= 10 ** (math.floor(math.log10(abs(want))) - SIGNIFICANT + 1)


def explain(steps, name, got, grads, root):
    """One node's mistake as one step of the chain rule, in the learner's terms: the sum in
    symbols, the same in numbers, what was written, and the rule (or the sum of several)."""
    terms = [(s, slot) for s in steps for slot, arg in enumerate(s.args) if arg == name]
    parts = [grads[s.name] * local(steps, s, slot) for s, slot in terms]
    symbols = " + ".join(f"d{root}/d{s.name} * d{s.name}/d{name}" for s, _ in terms)
    numbers = " + ".join(f"{number(grads[s.name])} * {number(local(steps, s, slot))}"
                         for s, slot in terms)
    if len(terms) == 1:
        why = rule(*terms[0])
    else:
        users = sorted({s.name for s, _ in terms})
        by = " and ".join(users) if len(users) > 1 else f"{users[0]} twice"
        why = (f"{name} is used {len(terms)} times (by {by}), so its gradient is the sum "
               "of the contributions")
    message = (f"d{root}/d{name} is {symbols} = {numbers} = {number(grads[name])}, you wrote "
               f"{number(got)}: {why}")
    if len(parts) > 1 and any(close(got, p) for p in parts):
        through = next(s.name for (s, _), p in zip(terms, parts) if close(got, p))
        message += f" ({number(got)} is the contribution through {through} alone)"
    elif grads[name] and close(-got, grads[name]):
        message += " (the sign is flipped)"
    elif any(close(got, s.data) for s, _ in terms):
        user = next(s.name for s, _ in terms if close(got, s.data))
        message += (f" ({number(got)} is the value of {user}, not d{root}/d{user}: a name "
                    "stands for its node's value)")
    return message


def judge(steps, step, answers, grads, wrong):
    """(passed, title, message) of one node; `wrong` holds the nodes above it not passed."""
    root, name = steps[-1].name, step.name
    title, got = f"d{root}/d{name}", answers.get(name)
    users = [u.name for u in steps if name in u.args and u.name in wrong]
    if name not in answers:
        return False, title, f'grads has no entry "{name}": put back `"{name}": ...` and fill it in'
    if got is None:
        return False, title, f"{title} is still `...`: write its value (a number, or arithmetic)"
    if isinstance(got, ExprError):
        return False, title, f"{title}: {got}"
    if close(got, grads[name]):
        return True, title, ""
    if step is steps[-1]:
        return False, title, f"{title} is 1.0, as the sheet gave it: {root} moves one for one with itself"
    if users:
        return False, f"{title} (depends on {users[0]})", (
            f"depends on {users[0]}: {title} is built from d{root}/d{users[0]}, which is not "
            "right yet; put that one right first")
    return False, title, explain(steps, name, got, grads, root)


def grade(chunk, learner, profile="thorough", seed=None):
    """The GradeResult of the worksheet `learner` (a learner_file.LearnerFile), one test per
    node, root first. The expected gradients come from `seed` (the attempt's; for a bare file,
    the seed its first line names)."""
    from drill.graph import Graph, Node, first_wrong
    from drill.grader.results import ERROR, FAIL, PASS, GradeResult, TestResult
    path, source = learner.path, learner.source
    started = time.perf_counter()
    if learner.problem or learner.cells is not None:
        raise DrillError(learner.problem or f"{path.name} is a notebook: a {chunk.name} worksheet "
                         f"is the .py file drill start {chunk.name} hands out")
    seed = seed if seed is not None else seed_of(source)
    if seed is None:
        raise DrillError(f"{path.name} is not a {chunk.name} worksheet (its first line names no "
                         f"sheet): drill start {chunk.name} hands one out")
    steps = sheet(seed)
    grads = gradients(steps)
    answers, problem = read_answers(source, path, steps)
    result = GradeResult(chunk=chunk.name, file=str(path), profile=profile, problem=problem)
    order = list(reversed(steps))
    ids = {s.name: i for i, s in enumerate(order)}
    graph = Graph([Node(ids[s.name], s.name, s.op if s.op != "**" else f"**{s.k}", s.data,
                        answers.get(s.name) if isinstance(answers.get(s.name), float) else None,
                        grads[s.name], [ids[a] for a in s.args]) for s in order], 0)
    wrong = set()  # the nodes, so far, whose answer is not right
    for step in order:
        passed, title, message = judge(steps, step, answers, grads, wrong)
        status = ERROR if problem else PASS if passed else FAIL
        if problem:
            message = "not graded: " + problem.split("\n")[0]
        if not passed:
            wrong.add(step.name)
            graph.node(ids[step.name]).wrong = True
        else:  # right to 3 figures: a `want` beside it, a few digits apart, read as a mismatch
            graph.node(ids[step.name]).expected = None
        result.tests.append(TestResult(f"{chunk.name}::{title}", status, message,
                                       chunk=chunk.name, title=title))
    graph.wrong = first_wrong(graph)  # a mistake of the learner's own: no node above it is wrong
    for test in result.tests:
        if test.status != PASS:
            test.graph = graph.to_dict()
    result.duration_s = time.perf_counter() - started
    return result
