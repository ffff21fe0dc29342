"""chain's worksheet: written from a seed, graded by drill itself, wrong answers explained."""
import re

import pytest

from drill.learner_file import read
from drill.worksheet import gradients, grade, seed_of, sheet, stub

from conftest import CHUNKS

CHAIN = CHUNKS["chain"]
SEEDS = range(300)


def shape(steps):
    return {"L": "lecture" if [s.name for s in steps] == list("abcedfL") else "random",
            "o": "neuron"}[steps[-1].name]


def seed_where(test):
    return next(seed for seed in SEEDS if test(sheet(seed)))


LECTURE = seed_where(lambda steps: shape(steps) == "lecture")
NEURON = seed_where(lambda steps: shape(steps) == "neuron")
SHARED = seed_where(lambda steps: shape(steps) == "random" and any(
    len({u.name for u in steps if s.name in u.args}) > 1 for s in steps))


def filled(seed, answers):
    """The sheet of `seed` with each `"name": ...` replaced by answers[name] (text)."""
    text = stub(CHAIN, seed)
    for name, answer in answers.items():
        text = text.replace(f'    "{name}": ...,', f'    "{name}": {answer},')
    return text


def right_answers(seed, figures=3):
    """The expected gradient of every node, written rounded as a person would."""
    return {name: f"{g:.{figures}g}" for name, g in gradients(sheet(seed)).items()}


def graded(tmp_path, text, seed=None):
    path = tmp_path / "chain.py"
    path.write_text(text)
    return grade(CHAIN, read(path), seed=seed)


def by_title(result):
    return {t.title.split(" ")[0]: t for t in result.tests}


def test_the_same_seed_writes_the_same_sheet_and_another_seed_another():
    assert stub(CHAIN, 7) == stub(CHAIN, 7) and seed_of(stub(CHAIN, 7)) == 7
    sheets = {re.sub(r"\(sheet \d+\)", "", stub(CHAIN, seed)) for seed in SEEDS}
    assert len(sheets) > 280


def test_every_shape_and_every_rule_comes_up_and_random_graphs_share_a_node():
    shapes, ops = set(), set()
    for seed in SEEDS:
        steps = sheet(seed)
        shapes.add(shape(steps))
        ops |= {s.op for s in steps}
        if shape(steps) == "random":
            assert 5 <= len(steps) <= 9
            assert any(sum(u.args.count(s.name) for u in steps) > 1 for s in steps)
            assert all(any(s.name in u.args for u in steps) for s in steps[:-1]), "all feed L"
    assert shapes == {"lecture", "neuron", "random"}
    assert ops == {"", "+", "-", "*", "/", "**", "exp", "tanh", "relu"}


@pytest.mark.parametrize("seed", [LECTURE, NEURON, SHARED, *range(20)])
def test_the_sheet_runs_as_python_and_its_comments_hold_each_value(seed):
    text = stub(CHAIN, seed)
    names = {}
    exec(compile(text, "sheet.py", "exec"), names)  # drill's own text, never a learner's
    for step in sheet(seed):
        assert names[step.name] == pytest.approx(step.data)
        (comment,) = re.findall(rf"^{step.name} = .*# (\S+)$", text, re.M)
        assert float(comment) == pytest.approx(step.data, rel=1e-3)
    assert names["grads"][sheet(seed)[-1].name] == 1.0
    assert list(names["grads"]) == [s.name for s in reversed(sheet(seed))]


@pytest.mark.parametrize("seed", list(range(40)))
def test_the_expected_gradients_agree_with_finite_differences(seed):
    steps = sheet(seed)
    text, root, h = stub(CHAIN, seed).split("\n\ngrads")[0], steps[-1].name, 1e-6
    grads = gradients(steps)
    for leaf in (s for s in steps if not s.op):
        numeric = (exec_with(text, leaf.name, leaf.data + h)[root]
                   - exec_with(text, leaf.name, leaf.data - h)[root]) / (2 * h)
        assert grads[leaf.name] == pytest.approx(numeric, rel=1e-4, abs=1e-6), leaf.name


def exec_with(text, name, value):
    """Run the sheet's assignments with the leaf `name` set to `value`."""
    names = {}
    lines = [f"{name} = {value!r}" if line.startswith(f"{name} = ") else line
             for line in text.splitlines()]
    exec(compile("\n".join(lines), "sheet.py", "exec"), names)
    return names


@pytest.mark.parametrize("seed", [LECTURE, NEURON, SHARED, *range(10)])
def test_a_sheet_filled_in_right_to_3_figures_passes(seed, tmp_path):
    result = graded(tmp_path, filled(seed, right_answers(seed)), seed)
    assert result.passed, [t.message for t in result.tests if t.status != "pass"]
    assert len(result.tests) == len(sheet(seed))


def test_answers_may_be_arithmetic_of_numbers_and_names(tmp_path):
    # the lecture's example: L = d * f, d = e + c, e = a * b
    answers = {"f": "d", "d": "f", "e": "f * 1.0", "c": "1 * f", "a": "f * b", "b": "(f) * a"}
    result = graded(tmp_path, filled(LECTURE, answers), LECTURE)
    assert result.passed, [t.message for t in result.tests if t.status != "pass"]


@pytest.mark.parametrize("answer, refused", [
    ("math.sqrt(2)", "`math.sqrt(2)` is not allowed"),
    ('__import__("os").getcwd()', "is not allowed"),
    ("b.real", "`b.real` is not allowed"),
    ("(lambda: 1)()", "is not allowed"),
    ("[1.0][0]", "is not allowed"),
    ("'2.0'", "is not a number"),
    ("q * 2", "`q` is not a name given"),
    ("1 / 0", "division by zero"),
])
def test_anything_but_arithmetic_is_refused_with_a_clear_message(answer, refused, tmp_path):
    result = graded(tmp_path, filled(LECTURE, {**right_answers(LECTURE), "a": answer}), LECTURE)
    bad = [t for t in result.tests if t.status != "pass"]
    assert [t.title for t in bad] == ["dL/da"] and refused in bad[0].message
    assert "only numbers, names" in bad[0].message or refused in ("division by zero",
                                                                   "`q` is not a name given")


def test_one_wrong_number_fails_with_the_chain_rule_step_and_the_graph(tmp_path):
    steps = sheet(LECTURE)
    grads = gradients(steps)
    wrong = -grads["e"]
    answers = {**right_answers(LECTURE), "e": repr(wrong)}
    result = graded(tmp_path, filled(LECTURE, answers), LECTURE)
    tests = by_title(result)
    assert not result.passed and [t.title for t in result.tests if t.status != "pass"][0] == "dL/de"
    message = tests["dL/de"].message
    d = f"{grads['d']:.1f}" if grads["d"] == int(grads["d"]) else f"{grads['d']:.4g}"
    assert message.startswith(f"dL/de is dL/dd * dd/de = {d} * 1.0 = ")
    assert "you wrote" in message and "`+` passes its gradient through unchanged" in message
    assert "(the sign is flipped)" in message
    graph = tests["dL/de"].graph
    wrong_node = next(n for n in graph["nodes"] if n["id"] == graph["wrong"])
    assert (wrong_node["label"], wrong_node["grad"]) == ("e", wrong)
    assert wrong_node["expected"] == pytest.approx(grads["e"])
    # a and b, right to 3 figures for the true dL/de, pass; the rest are untouched
    assert tests["dL/da"].status == tests["dL/db"].status == "pass"
    # a right answer has no `want` beside it, which a few digits apart read as a mismatch
    right = [n for n in graph["nodes"] if n["label"] in ("a", "b", "L")]
    assert len(right) == 3 and all(n["expected"] is None for n in right)


def test_a_node_below_a_wrong_one_depends_on_it_rather_than_counting_twice(tmp_path):
    grads = gradients(sheet(LECTURE))
    # d is wrong; e and c follow the chain rule from the wrong d: they depend on d
    answers = {**right_answers(LECTURE), "d": repr(grads["d"] + 1), "e": "d", "c": "d"}
    answers = {**answers, "e": repr(grads["d"] + 1), "c": repr(grads["d"] + 1)}
    result = graded(tmp_path, filled(LECTURE, answers), LECTURE)
    failing = [t.title for t in result.tests if t.status != "pass"]
    assert failing[:3] == ["dL/dd", "dL/de (depends on d)", "dL/dc (depends on d)"]
    assert "depends on d" in by_title(result)["dL/de"].message
    assert by_title(result)["dL/dd"].graph["wrong"] == by_title(result)["dL/de"].graph["wrong"]


def test_a_node_used_twice_adds_the_contributions_and_says_which_one_was_left_out(tmp_path):
    steps = sheet(SHARED)
    grads = gradients(steps)
    shared = next(s for s in reversed(steps)
                  if len({u.name for u in steps if s.name in u.args}) > 1)
    user = next(u for u in reversed(steps) if shared.name in u.args)
    from drill.worksheet import local
    slot = user.args.index(shared.name)
    one_part = grads[user.name] * local(steps, user, slot)
    answers = {**right_answers(SHARED), shared.name: repr(one_part)}
    result = graded(tmp_path, filled(SHARED, answers), SHARED)
    test = next(t for t in result.tests if t.status != "pass")
    assert test.title == f"dL/d{shared.name}"
    assert " + " in test.message and "so its gradient is the sum of the contributions" in test.message
    assert f"is the contribution through {user.name} alone" in test.message


def test_the_expected_answers_come_from_the_seed_not_from_the_file(tmp_path):
    """Changing the sheet's numbers changes nothing: the attempt's seed decides."""
    text = filled(LECTURE, right_answers(LECTURE)).replace("(sheet ", "(sheet 1")
    text = re.sub(r"^a = .*$", "a = 100.0", text, flags=re.M)
    assert graded(tmp_path, text, LECTURE).passed


def test_an_unfilled_sheet_fails_every_node_but_the_root_and_says_fill_it_in(tmp_path):
    result = graded(tmp_path, stub(CHAIN, NEURON), NEURON)
    assert [t.status for t in result.tests] == ["pass"] + ["fail"] * 9
    assert "do/dn is still `...`" in result.tests[1].message


def test_a_sheet_that_does_not_parse_or_lost_its_grads_is_a_problem(tmp_path):
    broken = graded(tmp_path, filled(LECTURE, {"a": "2 +"}), LECTURE)
    assert not broken.passed and "chain.py:" in broken.problem
    assert all(t.status == "error" for t in broken.tests)
    gone = graded(tmp_path, stub(CHAIN, LECTURE).split("grads =")[0], LECTURE)
    assert "no `grads = {...}`" in gone.problem


def test_tanh_step_names_its_rule(tmp_path):
    # tanh's derivative is never more than 1, so 2.0 is wrong on every neuron sheet
    result = graded(tmp_path, filled(NEURON, {**right_answers(NEURON), "n": "2.0"}), NEURON)
    message = by_title(result)["do/dn"].message
    assert message.startswith("do/dn is do/do * do/dn = 1.0 * ")
    assert "the derivative of tanh is 1 - tanh**2, here 1 - o**2" in message


def test_a_node_s_name_written_for_its_gradient_is_pointed_out(tmp_path):
    # dL/dd is f; writing `d` (d's value) for dL/de says a name stands for a value
    result = graded(tmp_path, filled(LECTURE, {**right_answers(LECTURE), "e": "d"}), LECTURE)
    assert "is the value of d, not dL/dd: a name stands for its node's value" in \
        by_title(result)["dL/de"].message


def test_a_zero_is_written_without_a_sign_on_the_sheet_and_in_its_graph():
    """x2 * w2 with x2 = 0.0 and w2 negative is -0.0 in Python: a sheet said `# -0.0`."""
    from drill.render.graph import number as in_graph
    from drill.worksheet import number
    assert number(0.0 * -0.6) == "0.0" and number(-0.54) == "-0.54"
    assert in_graph(0.0 * -0.6) == "0" and in_graph(-0.5) == "-0.5"
