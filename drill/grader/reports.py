"""The reports a grader's child sends, and the form each must have, checked where they enter drill.

The child runs the learner's code, so a line on its results pipe may be anything: nested a
hundred thousand levels deep, a megabyte long, a number of 400 digits, a list where a string
belongs. `Reports.read` bounds the line before parsing it, then checks every field's type and
size and returns a clean copy with every string escaped for the terminal (escape.py); what
breaks the form raises `Broken`, whose text is the run's reason for failing. Nothing else may
raise: the parent reads no field of a report this module has not checked.

The forms are data (`FORMS`, `NODE`, `task_forms`): a field added to a report, or to a graph's
node, is one line here.
"""
import json
import math

from drill.grader.escape import escape
from drill.graph import MAX_NODES, MAX_RUNS

MAX_LINE = 1 << 20  # bytes of one report: a moons report of 400 points is 30 KiB
MAX_TESTS = 2000  # tests one child may list (drill's suites hold about 250)
MAX_EXTRA = 8  # fields of a node beyond NODE's: small ints and short strings (graph.Node)
MAX_KEYS, MAX_VALUES, MAX_VALUE = 4, 8, 1024  # hypothesis examples one test sends back:
#                                               keys, values a key, bytes a value
BIG = 1e300  # an int past this is no number a report needs (10**400 overflows a float)


class Broken(ValueError):
    """A report that breaks its form: the run fails, saying so."""


def text(limit):
    """A string, escaped and cut to `limit` characters."""
    def check(value, where):
        if type(value) is not str:
            raise Broken(f"{where} is a {type(value).__name__}, not a string")
        value = escape(value[:limit * 2])
        return value if len(value) <= limit else value[:limit] + "…"
    return check


def whole(low, high):
    """An int (not a bool) from `low` to `high`."""
    def check(value, where):
        if type(value) is not int or not low <= value <= high:
            raise Broken(f"{where} is not a whole number from {low} to {high}")
        return value
    return check


def number(low=-math.inf, high=math.inf, finite=True):
    """An int or a float from `low` to `high`, as a float; NaN and infinities only if not
    `finite`."""
    def check(value, where):
        if type(value) not in (int, float) or (type(value) is int and abs(value) > BIG):
            raise Broken(f"{where} is not a number")
        value = float(value)
        if math.isfinite(value):
            if not low <= value <= high:
                raise Broken(f"{where} is {value:g}, outside {low:g} to {high:g}")
        elif finite:
            raise Broken(f"{where} is {value}, not a finite number")
        return value
    return check


def one_of(*choices):
    def check(value, where):
        if value not in choices or type(value) is not type(choices[0]):
            raise Broken(f"{where} is none of {', '.join(map(str, choices))}")
        return value
    return check


def maybe(form):
    """`form`, or null."""
    def check(value, where):
        return None if value is None else form(value, where)
    return check


def many(form, most, least=0):
    """A list of `least` to `most` items of `form`."""
    def check(value, where):
        if type(value) is not list or not least <= len(value) <= most:
            raise Broken(f"{where} is not a list of {least} to {most} items")
        return [form(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return check


def record(required, optional=(), extra=None):
    """A JSON object with the fields `required` ({name: form}), any of `optional`, and other
    fields only if `extra` (a form for each, at most MAX_EXTRA of them) is given."""
    optional = dict(optional)

    def check(value, where):
        if type(value) is not dict:
            raise Broken(f"{where} is not an object")
        missing = [name for name in required if name not in value]
        if missing:
            raise Broken(f"{where} has no {missing[0]}")
        clean, others = {}, 0
        for name, item in value.items():
            form = required.get(name) or optional.get(name)
            if form is None:  # a name of the child's own: spelled out safe, as its values are
                others += 1
                if extra is None or others > MAX_EXTRA or len(name) > 32:
                    raise Broken(f"{where} has a field {escape(name[:32])!r} it may not have")
                form, name = extra, escape(name)
            clean[name] = form(item, f"{where}.{name}")
        return clean
    return check


def small(value, where):
    """A node's own extra field: a plain bool, int or short string (graph.Node grows these)."""
    if type(value) is bool:
        return value
    if type(value) is int:
        return whole(-10 ** 9, 10 ** 9)(value, where)
    return text(64)(value, where)


def boolean(value, where):
    if type(value) is not bool:
        raise Broken(f"{where} is not true or false")
    return value


NODE = record({"id": whole(0, 10 ** 9)},
              {"label": text(64), "op": text(64), "data": maybe(number(finite=False)),
               "grad": maybe(number(finite=False)), "expected": maybe(number(finite=False)),
               "children": many(whole(0, 10 ** 9), MAX_NODES), "wrong": boolean,
               "ran": many(whole(0, 10 ** 9), MAX_RUNS), "runs": maybe(whole(0, 10 ** 9))},
              extra=small)


def graph(value, where):
    """A computation graph (drill.graph.Graph.to_dict): at most MAX_NODES nodes, each id once,
    the root and the wrong node among them, and every child among them too, or, in a graph cut
    to MAX_NODES, one of the `left_out` nodes past them (drill.graph.walk numbers the nodes in
    order, so those are the next ids)."""
    found = record({"nodes": many(NODE, MAX_NODES), "root": whole(0, 10 ** 9)},
                   {"wrong": maybe(whole(0, 10 ** 9)), "left_out": whole(0, 10 ** 9)})(value, where)
    ids = {node["id"] for node in found["nodes"]}
    if len(ids) != len(found["nodes"]):
        raise Broken(f"{where} lists a node twice")
    beyond = len(ids) + found.get("left_out", 0) if found.get("left_out") else 0
    if ids and (found["root"] not in ids or found.get("wrong") not in ids | {None} or
                any(kid not in ids and kid >= beyond
                    for node in found["nodes"] for kid in node.get("children", ()))):
        raise Broken(f"{where} names a node it does not hold")
    return found


def examples(value, where):
    """Hypothesis' examples a test left: {key: [value, ...]}, both hex, bounded."""
    def hexed(most):
        def check(item, at):
            if type(item) is not str or len(item) > 2 * most:
                raise Broken(f"{at} is not a hex string of at most {most} bytes")
            try:
                bytes.fromhex(item)
            except ValueError:
                raise Broken(f"{at} is not a hex string") from None
            return item
        return check
    if type(value) is not dict or len(value) > MAX_KEYS:
        raise Broken(f"{where} is not an object of at most {MAX_KEYS} keys")
    values = many(hexed(MAX_VALUE), MAX_VALUES)
    return {hexed(128)(key, f"{where} key"): values(item, f"{where}[{i}]")
            for i, (key, item) in enumerate(value.items())}


MESSAGE = text(5000)
TEST = record({"id": text(500)}, {"chunk": text(40), "function": text(200), "title": text(500)})
FORMS = {
    "importing": record({}),
    "imported": record({}),
    "import_error": record({"message": MESSAGE}, {"where": text(1000)}),
    "collect_error": record({"message": MESSAGE}),
    "collected": record({"tests": many(TEST, MAX_TESTS)}, {"plain": whole(0, MAX_TESTS)}),
    "result": record({"id": text(500), "status": one_of("pass", "fail", "error", "timeout")},
                     {"duration_s": number(0), "output": text(1000), "message": MESSAGE,
                      "graph": maybe(graph), "owner": maybe(text(40)), "program": maybe(MESSAGE),
                      "examples": examples}),
    "done": record({}),
    "task_error": record({"message": MESSAGE}),
}
TESTS_ONLY, TASKS_ONLY = {"collect_error", "collected", "result"}, {"task", "task_error"}


def task_forms(task, args):
    """{field: form} of what the task `drill.tasks.<task>` sends, for the `args` it was given,
    each report told by the field it has: a moons run's points, labels and grid must be the
    size asked for, finite, and not empty; a digits run's guesses, one digit an image."""
    if task in ("graph", "trace"):  # `lacks`: what drill graph's file lacks to backpropagate
        return {"graph": record({"graph": graph}, {"lacks": text(20)} if task == "graph" else {})}
    if task == "digits":
        return digits_forms(args)
    if task != "moons":
        return {}
    points, cells = args["points"], args["columns"] * args["rows"]
    sign, share = one_of(1, -1), number(0, 1)
    return {
        "nodes": record({"nodes": whole(1, 10 ** 9)}),
        "step": record({"step": whole(1, args["steps"]), "steps": one_of(args["steps"]),
                        "loss": number(), "accuracy": share, "seconds": number(0)}),
        "done": record({"done": one_of(True), "seconds": number(0), "accuracy": share,
                        "X": many(many(number(), 2, 2), points, points),
                        "y": many(sign, points, points), "box": many(number(), 4, 4),
                        "grid": many(sign, cells, cells)}, {"stopped": boolean}),
    }


def digits_forms(args):
    """A digits run's steps, and a guess (a digit) for each held-out image and each training
    image scored: as many as the parent's own copy of the data gives (`sizes`)."""
    steps, (train, test), digit = args["settings"]["steps"], args["sizes"], whole(0, 9)
    return {
        "nodes": record({"nodes": whole(1, 10 ** 9)}),
        "step": record({"step": whole(1, steps), "steps": one_of(steps), "loss": number(),
                        "seconds": number(0)}, {"accuracy": number(0, 1)}),
        "scoring": record({"scoring": whole(1, train + test)}),
        "done": record({"done": one_of(True), "seconds": number(0),
                        "train": many(digit, train, train), "test": many(digit, test, test)},
                       {"stopped": boolean}),
    }


class Reports:
    """The reports of one run, read one line at a time: `read(line)` is the event, checked."""

    def __init__(self, token, task=None, args=None):
        self.token, self.task = token, task
        self.tasks = task_forms(task, args) if task else {}
        self.done = False

    def read(self, line):
        """The event a line holds, checked and with its strings escaped; Broken if it is none."""
        if len(line) > MAX_LINE:
            raise Broken(f"a report longer than {MAX_LINE} bytes")
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            raise Broken("a line that is not a report (JSON)") from None
        if type(event) is not dict or event.get("token") != self.token:
            raise Broken("a line without this run's token")
        kind = event.pop("event", None)
        del event["token"]
        if self.done:
            raise Broken("a report after the run said it was done")
        heard = {"event": kind, "token": self.token}
        if kind == "task" and self.task:
            return {**heard, "data": self._task(event)}
        form = FORMS.get(kind) if type(kind) is str else None
        if form is None or kind in (TASKS_ONLY if not self.task else TESTS_ONLY):
            raise Broken(f"a report of an unknown kind ({escape(str(kind)[:40])})")
        self.done = kind == "done"
        return {**heard, **form(event, kind)}

    def _task(self, event):
        data = record({"data": lambda value, where: value})(event, "task")["data"]
        kind = next((key for key in self.tasks if type(data) is dict and key in data), None)
        if kind is None:
            raise Broken(f"a report {self.task} does not send")
        return self.tasks[kind](data, f"{self.task}'s report")
