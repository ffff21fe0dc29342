"""The scripted flows (no terminal) of chain and trace, with a fixed clock (DRILL_NOW)."""
import json
import re

from drill.worksheet import gradients, sheet

from conftest import REFERENCE, drill


def workspace_file(home, chunk):
    return home / "workspace" / f"{chunk}.py"


def fill_in(text, right=True):
    """The sheet `text` with every entry filled in: rightly, or with the first one wrong."""
    seed = int(re.search(r"\(sheet (\d+)\)", text).group(1))
    grads = gradients(sheet(seed))
    for i, name in enumerate(list(grads)[::-1][1:]):  # the order the sheet lists them
        value = grads[name] + (0 if right or i else 1.0)
        text = text.replace(f'    "{name}": ...,', f'    "{name}": {value!r},')
    return text


def numbers(text):
    """The sheet's assignments, without the header that names the seed."""
    return [line for line in text.splitlines() if " = " in line and not line.startswith("#")]


def test_chain_hands_out_a_new_sheet_each_attempt_and_grades_it(drill_home):
    started = drill("start", "chain", "--no-watch", now="2026-11-26T09:00:00Z")
    assert started.exit_code == 0 and "backpropagation by hand" in started.output.lower()
    path = workspace_file(drill_home, "chain")
    first = path.read_text()
    assert '": ...,' in first and "grads = {" in first
    assert drill("show", "1").output == first, "an attempt not yet graded shows its sheet"
    path.write_text(fill_in(first, right=False))
    failed = drill("check", now="2026-11-26T09:02:00Z")
    words = " ".join(failed.output.replace("│", " ").split())  # however the panel wrapped it
    assert failed.exit_code == 1 and "you wrote" in words
    assert "✗ " in failed.output and "want" in failed.output, "the graph is drawn"
    path.write_text(fill_in(first))
    passed = drill("check", now="2026-11-26T09:04:30Z")
    assert passed.exit_code == 0 and "Passed chain in 4:30" in passed.output
    assert drill("show", "1").output == fill_in(first)
    drill("start", "chain", "--no-watch", now="2026-11-27T09:00:00Z")
    second = path.read_text()
    assert numbers(second) != numbers(first), "a new attempt, a new sheet"
    (one, two) = json.loads(drill("history", "--json").output)
    assert (one["outcome"], one["checks"], two["outcome"]) == ("passed", 2, "open")
    assert one["seed"] != two["seed"]
    stats = json.loads(drill("stats", "chain", "--json").output)
    assert stats["chunk"] == "chain" and stats["attempts"] == 1  # ended ones


def test_reset_and_a_bare_file_give_the_same_sheet(drill_home, tmp_path):
    from drill.attempt import reset_file
    from drill.catalog import get_chunk
    from drill.clock import now
    from drill.store import open_store
    drill("start", "chain", "--no-watch")
    path = workspace_file(drill_home, "chain")
    sheet_text = path.read_text()
    path.write_text("lost it all")
    store = open_store()
    reset_file(store, get_chunk("chain"), store.attempt(1), now())
    assert path.read_text() == sheet_text
    bare = tmp_path / "mine.py"
    bare.write_text(fill_in(sheet_text))
    assert drill("check", "chain", "--file", str(bare)).exit_code == 0
    assert drill("peek", "chain").exit_code == 2


def test_chain_answers_may_not_call_anything(drill_home):
    drill("start", "chain", "--no-watch")
    path = workspace_file(drill_home, "chain")
    text = fill_in(path.read_text())
    name = re.findall(r'^    "(\w+)": ', text, re.M)[1]
    text = re.sub(rf'^    "{name}": .*$', f'    "{name}": __import__("os").getcwd(),', text, flags=re.M)
    path.write_text(text)
    result = drill("check", "--json")
    bad = [t for t in json.loads(result.output)["tests"] if t["status"] != "pass"]
    assert result.exit_code == 1 and len(bad) == 1
    assert '`__import__("os").getcwd()` is not allowed' in bad[0]["message"]


def test_trace_flow_passes_the_reference_and_draws_the_learner_s_graph(drill_home):
    started = drill("start", "trace", "--no-watch", now="2026-11-26T09:00:00Z")
    path = workspace_file(drill_home, "trace")
    assert started.exit_code == 0 and "raise NotImplementedError('trace')" in path.read_text()
    stub_check = drill("check", now="2026-11-26T09:00:30Z")
    assert stub_check.exit_code == 1 and "reached `trace`, which is still a blank" in stub_check.output
    path.write_text(REFERENCE.read_text())
    passed = drill("check", now="2026-11-26T09:03:00Z")
    assert passed.exit_code == 0 and "Passed trace in 3:00" in passed.output
    assert re.search(r"L \(\*\)\s+data\s+-8", passed.output), "the lecture's graph, from their trace"
    assert re.search(r"[├└]─ d \(\+\)", passed.output) and "as your trace found it" in passed.output


def test_a_trace_that_finds_one_level_only_draws_what_it_found(tmp_path):
    """The picture is the learner's own: drawn from their edges, not from _prev."""
    from drill.pictures import of_task
    from drill.learner_file import read
    path = tmp_path / "shallow.py"
    path.write_text(REFERENCE.read_text().replace(
        "                build(child)", "                nodes.add(child)"))
    labels = {n.label for n in of_task("trace", read(path), {}).nodes}
    assert labels == {"L", "d", "f"}
