"""Hints speak to the failure on screen: the one a chunk keeps for the failing test comes
first, then the others in order, each once, and the last again once all were given."""
import json

from conftest import REFERENCE, drill
from drill.catalog import get_chunk
from drill.grader.results import TestResult as Result
from drill.hints import next_number, speaks_to


def failing(name, owner=""):
    chunk = name.split("::")[0]
    return Result(name, "fail", "wrong", chunk=chunk, owner=owner)


def test_the_hint_for_the_failing_test_comes_first_then_the_others_in_order():
    ops = get_chunk("ops")
    rsub = failing("ops::test_number_on_the_left[-]")
    assert speaks_to(ops, rsub) == 2
    assert next_number(ops, [], rsub) == 2
    assert next_number(ops, [2], rsub) == 1  # given already: the next in order
    assert next_number(ops, [2, 1], failing("ops::test_tanh")) == 3
    assert next_number(ops, [2, 1, 3], rsub) is None
    assert next_number(ops, [], None) == 1  # nothing failing (not graded yet): in order


def test_the_longest_key_wins_and_a_failure_owned_by_another_chunk_has_no_hint_here():
    ops, full = get_chunk("ops"), get_chunk("full")
    assert speaks_to(ops, failing("ops::test_power_children[2]")) == 1  # not test_power's 3
    assert speaks_to(ops, failing("ops::test_powers_match_floats")) == 3
    assert speaks_to(full, failing("backward::test_derivative[exp]")) == 3
    assert speaks_to(get_chunk("nn"), failing("nn::test_neuron_takes_values", "ops")) is None


def test_drill_hint_speaks_to_the_failure_of_the_last_check(drill_home):
    drill("start", "ops", "--no-watch")
    path = drill_home / "workspace" / "ops.py"
    path.write_text(REFERENCE.read_text().replace("return other + (-self)", "return self - other"))
    assert drill("check").exit_code == 1
    first = drill("hint").output
    assert "hint 1 of 3 for ops" in first and "A number on the left" in first
    second = drill("hint").output
    assert "hint 2 of 3" in second and "Every operation has the same shape" in second
    third = drill("hint").output
    assert "hint 3 of 3" in third and "__init__ keeps data" in third
    again = drill("hint").output
    assert "__init__ keeps data" in again and "That was the last hint" in again
    (attempt,) = json.loads(drill("history", "--json").output)
    assert attempt["hints_used"] == 3 and json.loads(attempt["hints_given"]) == [2, 1, 3]
