"""extend: an operation drawn for each attempt, derived by the learner. The draw is kept with the
attempt and never repeats the last; the stub, card and hints give no derivative away; the suite
grades the drawn operation alone, passes every right derivative in any style, and names each
kind of wrong one with the operation and the point, whatever hypothesis draws."""
import ast
import json
import random
import re

import pytest

from drill.catalog import get_chunk
from drill.draws import defined, pick
from drill.stub import make_stub, reference_source

from conftest import CHUNKS, REFERENCE, drill, failures, verdict

EXTEND = CHUNKS["extend"]
DRAWS = {d["name"]: d for d in EXTEND.draws}
NAMES = list(DRAWS)
STYLES = REFERENCE.parent.parent / "tests" / "corpus" / "extend"  # engines alone, ten operations


def with_every_operation():
    """The reference with each of the ten operations' reference methods in its Value."""
    source = REFERENCE.read_text()
    for name in NAMES:
        source = reference_source(EXTEND.drawing(name), source)
    return source


ALL = with_every_operation()


def written(tmp_path, text, name="mine.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def backward_line(name):
    """The line of the reference method's _backward that adds into self.grad."""
    return next(line for line in DRAWS[name]["reference"].splitlines() if "self.grad +=" in line)


def mutated(name, new_line):
    """The file with every operation, `name`'s _backward line replaced by `new_line`."""
    old = backward_line(name).strip()
    assert ALL.count(old) == 1
    return ALL.replace(old, new_line)


def as_code(slope):
    """A mistake's slope of operations.toml as a learner would write it in the method."""
    code = slope.replace("sigmoid(x)", "SIGMOID")
    code = re.sub(r"\by\b", "out.data", re.sub(r"\bx\b", "self.data", code))
    return code.replace("SIGMOID", "(1 / (1 + math.exp(-self.data)))")


def one_bug_files():
    """(operation, kind, new _backward line, what the message must say besides the operation)."""
    found = []
    for name in NAMES:
        line = backward_line(name).strip()
        local = line.removeprefix("self.grad += ").removesuffix(" * out.grad")
        found += [(name, "sign lost", f"self.grad += -({local}) * out.grad", "sign is lost"),
                  (name, "= for +=", line.replace("+=", "="), "with =, where it must add"),
                  (name, "out.grad left out", f"self.grad += {local}", "out.grad")]
        found += [(name, f"mistake: {m['shown']}", f"self.grad += ({as_code(m['slope'])}) * out.grad",
                   m["says"]) for m in DRAWS[name].get("mistake", ())]
    found += [("leaky_relu", "wrong for x < 0", "self.grad += (1.0 if x > 0 else 0.1) * out.grad",
               "wrong on one side of 0"),
              ("leaky_relu", "wrong for x > 0", "self.grad += (0.5 if x > 0 else 0.01) * out.grad",
               "wrong on one side of 0"),
              ("sqrt", "a factor missing", "self.grad += 1 / out.data * out.grad",
               "off by a constant factor"),
              ("cube", "a factor missing", "self.grad += 2 * self.data ** 2 * out.grad",
               "off by a constant factor")]
    return found


def test_each_attempt_draws_an_operation_and_never_the_last_one():
    from drill.attempt import start
    from drill.store import open_store
    store = open_store()
    drawn = []
    for _ in range(12):
        started = start(store, EXTEND, fresh=True)
        drawn.append(started.attempt.seed)
        name = NAMES[started.attempt.seed]
        text = started.path.read_text()
        assert f"def {name}(self):" in text and f"NotImplementedError('Value.{name}')" in text
        assert sum(f"    def {other}(self):" in text for other in NAMES) == 1
    assert all(a != b for a, b in zip(drawn, drawn[1:]))
    assert len(set(drawn)) > 2
    assert [a.seed for a in store.attempts("extend")] == drawn
    assert pick(EXTEND, 3, random.Random(1)) != 3
    assert all(pick(EXTEND, 3, random.Random(seed)) != 3 for seed in range(50))


def spoilers(name):
    """Every way of writing the derivative of `name` that nothing before the last hint may hold:
    those operations.toml lists, and the reference's own, with self.data as x."""
    local = backward_line(name).strip().removeprefix("self.grad += ").removesuffix(" * out.grad")
    forms = [*DRAWS[name]["derivative"], local, local.replace("self.data", "x")]
    return [form.replace(" ", "") for form in forms]


@pytest.mark.parametrize("name", NAMES)
def test_the_card_the_stub_and_every_hint_but_the_last_give_no_derivative(name):
    chunk = EXTEND.drawing(name)
    stub, card = make_stub(chunk), chunk.card
    assert f"Value.{name}()" in card and DRAWS[name]["f"] in card and DRAWS[name]["domain"] in card
    assert f"def {name}(self):" in stub and backward_line(name).strip() not in stub
    for text in (stub, card, *chunk.hints[:-1]):
        flat = text.replace(" ", "")
        assert [form for form in spoilers(name) if form in flat] == [], text
    assert len(chunk.hints) == 3 and chunk.hints != EXTEND.drawing(NAMES[0]).hints or name == NAMES[0]


def test_the_card_before_a_draw_lists_every_operation_with_its_f_and_domain():
    card = EXTEND.card
    for name in NAMES:
        assert f"| `{name}()` | {DRAWS[name]['f']} | {DRAWS[name]['domain']} |" in card


def test_only_the_drawn_operation_is_graded(tmp_path):
    path = written(tmp_path, ALL)
    result = verdict(EXTEND.drawing("cube"), path)
    assert result.passed, failures(result)
    assert [t.name.split("::")[1] for t in result.tests] == [
        "test_forward[cube]", "test_slope[cube]", "test_used_twice[cube]", "test_fresh_points[cube]"]
    broken = written(tmp_path, mutated("sin", "self.grad += 0.0"), "broken.py")
    assert verdict(EXTEND.drawing("cube"), broken).passed  # sin was not drawn
    assert not verdict(EXTEND.drawing("sin"), broken).passed


@pytest.mark.parametrize("path", [None, *sorted(STYLES.glob("*.py"))],
                         ids=lambda p: p.stem if p else "reference")
def test_a_right_derivative_of_every_operation_passes(path, tmp_path):
    path = path or written(tmp_path, ALL)
    result = verdict(EXTEND, path, "thorough")
    assert result.passed, failures(result)
    assert len(result.tests) == 4 * len(NAMES)


@pytest.mark.parametrize("name, kind, line, says", one_bug_files(),
                         ids=[f"{n}-{k}" for n, k, _, _ in one_bug_files()])
def test_a_wrong_derivative_is_named_with_the_operation_and_the_point(name, kind, line, says,
                                                                       tmp_path, monkeypatch):
    path = written(tmp_path, mutated(name, line))
    firsts = []
    for run in range(2):  # a new home each time: hypothesis draws afresh, nothing is replayed
        monkeypatch.setenv("DRILL_HOME", str(tmp_path / f"home{run}"))
        result = verdict(EXTEND.drawing(name), path)
        assert not result.passed and not result.problem, kind
        first = result.first_failure()
        firsts.append((first.name, first.message))
    assert firsts[0] == firsts[1], "the first failure does not depend on the points drawn"
    name_of_test, message = firsts[0]
    assert "fresh_points" not in name_of_test, "a fixed point catches it"
    point = re.search(r" at x = (-?[\d.]+)", message)
    assert point and float(point.group(1)) in DRAWS[name]["points"], message
    assert f"d {name}/dx" in message or f"{name}'s _backward" in message, message
    assert says in message, message
    assert f"x = Value({point.group(1)}); y = x.{name}()" in message


def test_check_file_grades_the_operations_its_value_defines(tmp_path):
    text = REFERENCE.read_text()
    for name in ("sigmoid", "cube"):
        text = reference_source(EXTEND.drawing(name), text)
    path = written(tmp_path, text)
    shown = drill("check", "extend", "--file", str(path), "--quick")
    assert shown.exit_code == 0, shown.output
    assert "grading sigmoid, cube, the operations the Value of" in shown.output
    data = json.loads(drill("check", "extend", "--file", str(path), "--quick", "--json").output)
    assert data["passed"] and {t["name"].split("[")[1][:-1] for t in data["tests"]} == \
        {"sigmoid", "cube"}
    missing = drill("check", "extend", "--file", str(path), "--op", "sin", "--quick", "--json")
    assert missing.exit_code == 1
    assert "`x.sin` does not exist" in json.loads(missing.output)["tests"][0]["message"]
    bad = drill("check", "extend", "--file", str(path), "--op", "tan")
    assert bad.exit_code == 2 and "no operation 'tan'" in bad.output
    assert "draws no operation" in drill("check", "ops", "--file", str(path), "--op", "sin").output
    none = drill("check", "extend", "--file", str(written(tmp_path, REFERENCE.read_text(), "r.py")))
    assert none.exit_code == 2 and "defines none of extend's operations" in none.output


def test_what_a_value_defines_is_read_from_the_file_in_any_style():
    source = """
class Value:
    def sin(self): ...
    cos = sin
    def helper(self): ...

def _cube(self): ...
Value.cube = _cube
setattr(Value, "log", _cube)

class Other:
    def sqrt(self): ...
"""
    assert defined(EXTEND, source) == ["log", "sin", "cos", "cube"]
    assert defined(EXTEND, "class Value(:") == NAMES  # the grading says why it does not parse
    assert all(defined(EXTEND, path.read_text()) == NAMES for path in STYLES.glob("*.py"))


def test_peek_shows_the_operation_drawn_and_stats_how_each_went(drill_home):
    assert "none has yet: drill start extend draws one" in drill("peek", "extend").output
    drill("start", "extend", "--no-watch")
    from drill.store import open_store
    attempt = open_store().attempts("extend")[-1]
    name = NAMES[attempt.seed]
    peek = drill("peek").output
    assert f"# Value.{name}" in peek and backward_line(name).strip() in peek
    assert not any(f"def {other}(self)" in peek for other in NAMES if other != name)
    assert DRAWS[name]["hints"][0][:30] in drill("hint").output
    file = drill_home / "workspace" / "extend.py"
    method = ast.parse(file.read_text())
    assert method  # the handout loads
    file.write_text(reference_source(EXTEND.drawing(name), REFERENCE.read_text()))
    checked = drill("check", now="2026-11-26T09:05:00+00:00")
    assert checked.exit_code == 0, checked.output
    stats = json.loads(drill("stats", "extend", "--json").output)
    assert stats["draws"] == [{"draw": name, "drawn": 1, "passed": 1, "best_s": 300.0,
                               "hints": 1, "last": "passed"}]
    shown = drill("stats", "extend").output
    assert "operations drawn" in shown and name in shown
    assert "does what the reference does" in drill("diff").output  # the drawn one's reference
    later = drill("start", "extend", "--no-watch", now="2026-11-27T09:00:00+00:00")
    assert later.exit_code == 0
    assert open_store().attempts("extend")[-1].seed != attempt.seed
    assert get_chunk("extend").draws == EXTEND.draws


@pytest.mark.parametrize("notebook", [[], ["--notebook"]])
def test_a_speedrun_reset_draws_anew_in_the_same_kind_of_file_and_grades_that_draw(
        notebook, monkeypatch):
    from pathlib import Path

    from drill import watch
    from drill.attempt import chunk_of
    from drill.clock import now
    from drill.store import open_store
    watched = []  # (the chunk watched, its attempt, the file handed out), run by run

    def reset_once(store, chunk, attempt, live, keys=None):
        watched.append((chunk, attempt, Path(attempt.file).read_text()))
        screen = watch.Screen(chunk, attempt, Path(attempt.file))
        if len(watched) == 1:
            for _ in range(2):  # r, and r again to confirm
                watch._key(store, chunk, screen, "reset", now())
        else:
            screen.ended = "quit"
        return screen
    monkeypatch.setattr(watch, "watch", reset_once)
    result = drill("speedrun", "extend", *notebook)
    assert result.exit_code == 0, result.output
    (_, first, _), (chunk, second, handed_out) = watched
    assert second.file == first.file  # a notebook run goes on in a notebook
    assert open_store().attempt(first.id).outcome == "abandoned"
    assert second.seed != first.seed  # a new attempt draws anew, never the last one's operation
    name = NAMES[second.seed]
    assert chunk.draw()["name"] == name and chunk.hints == tuple(DRAWS[name]["hints"])
    assert f"Your operation: `{name}`" in chunk.card
    assert chunk == chunk_of(open_store().attempt(second.id))  # what `drill check` grades it on
    assert f"def {name}(self):" in handed_out
    assert sum(f"    def {other}(self):" in handed_out for other in NAMES) == 1
    assert f"Your operation: {name}" in result.output.split("Reset: run")[1]  # its card shown
