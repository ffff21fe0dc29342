"""What a bare Python error of the learner's code means, in words.

`suitekit.run` shows the error, its type and the learner's line; this module adds the sentence a
coach would say beside it. The errors are the ones rewrites of micrograd meet most, each told by
what usually causes it: a TypeError raised inside `__add__` by the line that handed `+` a list,
a NameError by the `self.` it lacks, a RecursionError by the function that calls itself.
"""
import collections
import re

# The operator each of a Value's methods implements, and the method a number on the left calls.
OPERATORS = {"__add__": "+", "__radd__": "+", "__sub__": "-", "__rsub__": "-",
             "__mul__": "*", "__rmul__": "*", "__truediv__": "/", "__rtruediv__": "/",
             "__pow__": "**", "__neg__": "-"}
REVERSED = {"+": "__radd__", "-": "__rsub__", "*": "__rmul__", "/": "__rtruediv__"}
UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for (.+?): '(\w+)' and '(\w+)'")
NUMBERS = ("int", "float")
MISSING_RETURN = "a function returned nothing where a value was expected: does it end with " \
                 "`return`?"


def function_name(frame):
    """`Value.backward`, `Neuron.__call__`, `build_topo`: how the learner knows the function."""
    code = frame.f_code
    return getattr(code, "co_qualname", code.co_name).replace(".<locals>", "")


def own_names(obj, contract=()):
    """The attributes a learner gave `obj` (its own and its class's, no dunders), in the order
    written, leaving out the names in `contract`."""
    names = list(getattr(obj, "__dict__", {}))
    for kind in type(obj).__mro__[:-1]:
        names += [n for n in vars(kind) if not n.startswith("__")]
    return [n for n in dict.fromkeys(names) if n not in contract]


def has_list(obj, contract=()):
    """"`a`, `b`": what `obj` has, for a sentence naming what it lacks."""
    return ", ".join(f"`{n}`" for n in own_names(obj, contract)[:6]) or "nothing else"


def meaning(exc, frames, value_class, line_of):
    """Sentences saying what `exc` means in a micrograd file, or "". `frames` are its learner
    frames (outermost first), `value_class` the learner's Value, `line_of(frame, line)` the
    learner's line as `file:line: code`."""
    if isinstance(exc, RecursionError):
        return recursion(frames, line_of)
    said = ""
    if isinstance(exc, NameError):
        said = unknown_name(exc, frames)
    elif isinstance(exc, AttributeError):
        said = lacking(exc, value_class)
    elif isinstance(exc, TypeError):
        said = wrong_types(str(exc), value_class.__name__ if value_class else "Value")
    return said + caller(frames, value_class, line_of)


def recursion(frames, line_of):
    """The function that called itself without end, named, at the line that did it."""
    counts = collections.Counter((frame.f_code, line) for frame, line in frames)
    if not counts:
        return "Does something call itself without end?"
    (code, line), _ = counts.most_common(1)[0]
    frame = next(f for f, n in frames if f.f_code is code and n == line)
    name = function_name(frame)
    if name.endswith(".backward") and name.count(".") == 1:
        return (f"Your backward() calls backward() again, at {line_of(frame, line)}. Inside "
                "the sort, call each node's own step, `node._backward()`, with the underscore: "
                "`node.backward()` starts the whole sort over from that node, and that node's "
                "sort starts it over again, without end.")
    return f"`{name}` calls itself without end, at {line_of(frame, line)}."


def unknown_name(exc, frames):
    name = getattr(exc, "name", None)
    if not name:
        return ""
    frame = frames[-1][0] if frames else None
    owner = frame.f_locals.get("self") if frame is not None else None
    if owner is not None and (name in getattr(owner, "__dict__", {}) or
                              any(name in vars(k) for k in type(owner).__mro__)):
        return (f"`{name}` alone names nothing in that function: the attribute is "
                f"`self.{name}`, reached through self.")
    return (f"Nothing is called `{name}` where that line runs: a typo, a name that lives in "
            "another function, or an attribute missing its `self.`?")


def lacking(exc, value_class):
    """An AttributeError, told by what the object is and what it should have been."""
    name, obj = getattr(exc, "name", None), getattr(exc, "obj", None)
    if not name:
        return ""
    kind = type(obj).__name__
    if obj is None:
        return f"A None has no `.{name}`: {MISSING_RETURN}"
    if kind in NUMBERS and name == "data":
        return ("A plain number has no `.data`: a number met your Value where a Value was "
                "expected; wrap it first, `other if isinstance(other, Value) else Value(other)`.")
    if kind in NUMBERS:
        return (f"That is a plain {kind}, not a Value, so it has no `.{name}`: it was "
                "computed from `.data` (numbers leave the graph), or an operation returned a "
                "number; build it from Values, with their operations.")
    if kind == "str" and name == "_prev":
        return (f"A node's `_prev` holds the text {obj!r}, not Values: an operation passed its "
                f"op where the children go; the order is Value(data, (self, other), {obj!r}).")
    if kind in ("list", "tuple"):
        return (f"A {kind} stands where one Value was expected (a Layer of one neuron returns "
                "that neuron's Value itself, not a list of one).")
    if getattr(type(obj), "__module__", "") == getattr(value_class, "__module__", None):
        asked = (" (the contract asks each Neuron, Layer and MLP for parameters(), the Values "
                 "it holds)" if name == "parameters" else "")
        return f"Your {kind} has no `{name}`{asked}; it has {has_list(obj)}."
    return ""


def wrong_types(text, value):
    """A TypeError between operands, told by which operand should not be there."""
    if "'NoneType' object is not" in text:
        return f"A None where a value was expected: {MISSING_RETURN}"
    if text.startswith('can only concatenate list (not "') and f'"{value}"' in text:
        return (f"A list and a {value} were added: to add a {value} to a list, put it in a "
                "list of its own, `[...] + [value]`.")
    found = UNSUPPORTED.search(text)
    if not found:
        return ""
    op, left, right = found.groups()
    if op.startswith("**") and left in NUMBERS and right == value:
        return ("A number raised to a Value: the exponent of `a ** k` is a plain number, so "
                "keep k as one (not wrapped in a Value), and `self.data ** (k - 1)` stays "
                "arithmetic of numbers.")
    if right == value and left in NUMBERS and op in REVERSED:
        return (f"With a plain number on the left of `{op}`, Python calls your Value's "
                f"`{REVERSED[op]}`: define it" + (" (sum() starts from the int 0, so it needs "
                                                  "__radd__)." if op == "+" else "."))
    for odd in ("list", "tuple", "NoneType", "str"):
        if odd in (left, right):
            if odd == "NoneType":
                return f"A None in `{op}`: {MISSING_RETURN}"
            return (f"A {odd} met a number in `{op}`: only numbers and Values go into "
                    f"arithmetic, so a Value given a whole {odd} wraps it as if it were a number.")
    return ""


def caller(frames, value_class, line_of):
    """When the line that raised is inside the Value and was reached from code of the learner's
    outside it (a Neuron, train), that outside line too: it is where the mistake usually is."""
    if value_class is None or len(frames) < 2:
        return ""
    inside = [isinstance(frame.f_locals.get("self"), value_class) for frame, _ in frames]
    if not inside[-1] or all(inside):
        return ""
    frame, line = next((f, n) for (f, n), own in zip(reversed(frames), reversed(inside))
                       if not own)
    return f" That line was reached from {line_of(frame, line)} (in `{function_name(frame)}`)."
