"""The pass screen and drill diff compare functions by meaning: spacing, numbers' forms,
local names and a later chunk's placeholder never count; a real difference shows with its
lines marked, and on the pass screen the verdict stays in sight."""
import io
import re

import pytest
from rich.console import Console

from drill.catalog import get_chunk
from drill.meaning import against_reference, compare

from conftest import REFERENCE

SOURCE = REFERENCE.read_text()


def differing(source, chunk="ops"):
    return [c.name for c in against_reference(get_chunk(chunk), source)[0]]


def test_spacing_comments_numbers_and_local_names_do_not_count():
    restyled = (SOURCE.replace("return self * -1", "return self*(-1)  # the same")
                .replace("self.grad = 0.0", "self.grad = 0")
                .replace("def __add__(self, other):\n        other = other if isinstance("
                         "other, Value) else Value(other)\n        out = Value(self.data + "
                         "other.data, (self, other), '+')",
                         "def __add__(self, o):\n        \"\"\"self + o\"\"\"\n        o = o if "
                         "isinstance(o, Value) else Value(o)\n        out = Value(self.data+"
                         "o.data, (self, o), \"+\")"))
    assert restyled != SOURCE and differing(restyled) == []
    neurons = SOURCE.replace("outs = [n(x) for n in self.neurons]",
                             "outs = [neuron(x) for neuron in self.neurons]").replace(
        "return [p for neuron in self.neurons for p in neuron.parameters()]",
        "return [w for n in self.neurons for w in n.parameters()]")
    assert neurons != SOURCE and differing(neurons, "nn") == []


def test_a_loop_variable_may_be_named_afresh_or_reused_but_a_name_read_is_its_binding():
    reused = "def f(a):\n    for p in a:\n        p.x = 1\n    for p in a:\n        p.y = 2\n"
    fresh = reused.replace("for p in a:\n        p.y", "for q in a:\n        q.y")
    assert compare({"f": fresh}, {"f": reused}) == []
    stale = fresh.replace("q.y = 2", "q.y = p")  # reads the first loop's p: another program
    (found,) = compare({"f": stale}, {"f": reused.replace("p.y = 2", "p.y = p")})
    assert found.your_lines == found.reference_lines == {5}
    fit = SOURCE.replace("learning_rate = 1.0 - 0.9 * k / steps\n        for p in params:\n"
                         "            p.data -= learning_rate * p.grad",
                         "lr = 1 - 0.9*k/steps  # decays\n        for q in params:\n"
                         "            q.data -= lr * q.grad")
    assert fit != SOURCE and differing(fit, "moons") == []


def test_a_later_chunk_s_placeholder_is_not_a_difference():
    """An ops file need not hold the _backward closures: the reference's part shows them as
    `...  # written in the backward chunk`, which counts as absent."""
    closures_gone = SOURCE.replace(
        "\n        def _backward():\n            self.grad += out.grad\n            other.grad"
        " += out.grad\n        out._backward = _backward\n", "\n")
    assert closures_gone != SOURCE and differing(closures_gone) == []


def without_closures(source):
    """`source` as an ops learner writes it, asked for no `_backward`: each closure and the line
    that hands it out gone, and `out = Value(...)`, `return out` written `return Value(...)`."""
    source = re.sub(r"\n        def _backward\(\):\n(            .*\n)+        out._backward = "
                    r"_backward\n", "\n", source)
    return re.sub(r"out = (Value\(.*\))\n\n?        return out\n", r"return \1\n", source)


def test_returning_the_new_value_at_once_is_the_reference_without_its_placeholder():
    """The reference's part keeps `out = Value(...)`, `return out` around the backward chunk's
    placeholder; a learner of ops, who was not asked for `_backward`, returns the Value."""
    direct = without_closures(SOURCE)
    assert direct.count("return Value(") == 6 and "out = Value(" not in direct.split(
        "def backward")[0]
    assert differing(direct) == []


def test_an_assert_s_message_is_not_meaning_but_its_condition_is():
    unsaid = SOURCE.replace(', "only int or float powers"', "")
    assert unsaid != SOURCE and differing(unsaid) == []
    reworded = SOURCE.replace('"only int or float powers"', "'k must be a number'")
    assert reworded != SOURCE and differing(reworded) == []
    narrower = SOURCE.replace("assert isinstance(k, (int, float))", "assert isinstance(k, int)")
    assert differing(narrower) == ["Value.__pow__"]


def test_a_value_returned_at_once_still_differs_where_it_is_another_value():
    wrong = without_closures(SOURCE).replace("return Value(self.data * other.data,",
                                             "return Value(self.data + other.data,")
    (found,) = against_reference(get_chunk("ops"), wrong)[0]
    assert found.name == "Value.__mul__"
    assert found.your_lines == {3}
    assert found.reference_lines == {3}  # `out = ...`: both return the name it binds
    kept = ("def f(a):\n    out = g(a)\n    out.label = 'x'\n    return out\n")
    assert [c.name for c in compare({"f": "def f(a):\n    return g(a)\n"}, {"f": kept})] == ["f"]
    read_twice = "def f(a):\n    out = g(a)\n    h(out)\n    return out\n"
    assert [c.name for c in compare({"f": "def f(a):\n    h(g(a))\n    return g(a)\n"},
                                    {"f": read_twice})] == ["f"]


def test_a_real_difference_marks_only_its_own_lines():
    wrong = SOURCE.replace("return self * -1", "return self * 1")
    (found,) = against_reference(get_chunk("ops"), wrong)[0]
    assert found.name == "Value.__neg__"
    assert found.your_lines == found.reference_lines == {2}  # the def line is the same
    swapped = SOURCE.replace("out = Value(self.data * other.data,", "out = Value(other.data * "
                             "self.data,")
    (found,) = against_reference(get_chunk("ops"), swapped)[0]
    assert found.name == "Value.__mul__" and found.your_lines == {3}


def test_a_missing_function_is_all_lines_of_the_reference():
    (found,) = compare({}, {"f": "def f(x):\n    return x\n"})
    assert found.yours is None and found.reference_lines == {1, 2}


@pytest.mark.parametrize("width, beside", [(140, True), (120, False), (80, False)])
def test_the_comparison_is_side_by_side_only_when_both_fit(width, beside, monkeypatch):
    from drill.render import reference as screen
    monkeypatch.setattr(screen, "out", Console(width=width, file=io.StringIO(), record=True,
                                               no_color=True))
    swapped = SOURCE.replace("out = Value(self.data * other.data,",
                             "out = Value(other.data * self.data,")
    screen.diff(*against_reference(get_chunk("ops"), swapped))
    lines = screen.out.export_text().splitlines()
    assert any("yours" in line and "reference" in line for line in lines) == beside
    assert all(len(line) <= width for line in lines)
    assert sum(line.count("≠ ") for line in lines) == 2  # one line of each side, marked
    assert lines[-1] == "The other 13 functions do what the reference's do."


def test_the_pass_screen_shows_what_fits_and_says_where_the_rest_is(monkeypatch):
    from drill.render import reference as screen
    monkeypatch.setattr(screen, "out", Console(width=80, height=30, file=io.StringIO(),
                                               record=True, no_color=True))
    many = SOURCE.replace("+ other.data", "+ other.data + 0.5").replace(
        "* other.data", "* other.data * 2").replace("math.exp(x)", "math.exp(x) + 1").replace(
        "return self * -1", "return self * 1").replace("return self + (-other)",
                                                       "return self + other")
    comparisons, parts = against_reference(get_chunk("ops"), many)
    assert len(comparisons) >= 4
    screen.diff(comparisons, parts, leave=10, rest="drill diff 7 shows them all")
    lines = screen.out.export_text().splitlines()
    assert len(lines) <= 30 - 10 + 2
    assert "more functions that differ: drill diff 7 shows them all" in lines[-2]
    assert lines[-1].startswith("The other ")
