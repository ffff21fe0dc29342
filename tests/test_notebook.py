"""A learner's Jupyter notebook, graded as it is: its code cells read in order (markdown, cells
that only explore, magics and shell lines left out, and said so once), every line a message
points at named by cell and line, `drill start --notebook`, and a bad notebook in one line."""
import json
import tomllib

import pytest

from drill import notebook
from drill.learner_file import read

from conftest import CHUNKS, DRILL_EXE, REFERENCE, drill, failures, verdict


def code(text, outputs=()):
    return {"cell_type": "code", "execution_count": None, "metadata": {},
            "outputs": list(outputs), "source": text.splitlines(keepends=True)}


def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def as_notebook(cells, **metadata):
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5},
                      indent=1)


def lecture_notebook(change=None):
    """The reference as a learner keeps it in Jupyter: a title, a magic above the imports, each
    class and function in a cell of its own with a markdown cell and an exploring cell (bare
    expressions, one of them a call that would fail here) after it, and outputs. `change`,
    (old, new), plants a bug. The cells: 1 title, 2 imports, then 3 cells per definition
    (the definition, a markdown note, an exploring cell), Value's in cell 3."""
    source = REFERENCE.read_text()
    if change:
        assert source.count(change[0]) == 1
        source = source.replace(*change)
    head, *definitions = source.split("\n\n\n")
    cells = [markdown("# My micrograd\nFrom the lecture."), code("%matplotlib inline\n" + head)]
    for number, definition in enumerate(definitions):
        cells += [code(definition, [{"output_type": "stream", "name": "stdout", "text": "ok\n"}]),
                  markdown(f"## part {number}"), code("Value(2.0) * 3\ndraw_dot(L)")]
    return as_notebook(cells, kernelspec={"name": "python3", "language": "python"})


def write(tmp_path, text, name="mine.ipynb"):
    path = tmp_path / name
    path.write_text(text)
    return path


def mutant(chunk, name):
    with open(CHUNKS[chunk].folder + "/mutants.toml", "rb") as f:
        found = next(m for m in tomllib.load(f)["mutant"] if m["name"] == name)
    return found["old"], found["new"]


# Reading a notebook (drill.notebook, pure)

def test_code_cells_are_read_in_order_with_each_line_mapped_to_its_cell_and_line():
    graded = notebook.read(as_notebook([markdown("# title"), code("x = 1\n\ny = 2"),
                                        {"cell_type": "raw", "metadata": {}, "source": "raw"},
                                        code("def f():\n    return x")]))
    lines = graded.source.split("\n")
    assert graded.source == "# %% cell 2\nx = 1\n\ny = 2\n\n# %% cell 4\ndef f():\n    return x\n"
    assert [notebook.place("nb.ipynb", n, graded.cells) for n in (2, 4, 8)] == [
        "nb.ipynb, cell 2, line 1", "nb.ipynb, cell 2, line 3", "nb.ipynb, cell 4, line 2"]
    assert lines[7] == "    return x" and graded.notes() == ""
    assert notebook.place("mine.py", 7) == "mine.py:7"


def test_cells_that_only_explore_are_left_out_and_said_so_once():
    graded = notebook.read(as_notebook([
        code("a = Value(2.0)\nb = a * 3"),  # assignments: kept, as a .py file runs them
        code("b.backward()\nb.grad\ndraw_dot(b)"),  # bare expressions only: left out
        code("# a comment\n"), code("")]))  # nothing to grade: left out silently
    assert "draw_dot" not in graded.source and "b = a * 3" in graded.source
    assert graded.notes() == "left out cell 2 (bare expressions only: exploring)"


def test_magics_and_shell_lines_become_comments_and_cell_magics_are_left_out():
    graded = notebook.read(as_notebook([
        code("%matplotlib inline\nimport math\n!pip install graphviz\nfiles = !ls\nmath?"),
        code("%%timeit\nsum(range(10))"), code("%%\x1b[2Jbash\nls"),
        code("y = (4\n     % 3)"),  # Python as it stands: no line of it is IPython's
        code("%time x = 1")]))
    assert graded.source.split("\n")[1:6] == [
        "# %matplotlib inline", "import math", "# !pip install graphviz", "# files = !ls",
        "# math?"]
    assert "     % 3)" in graded.source and "sum(range" not in graded.source
    assert graded.notes() == ("left out cell 2 (%%timeit), cell 3 (%%[2Jbash); left out 5 magic "
                              "or shell lines (cells 1 and 5)")


def test_outputs_widgets_and_another_kernel_are_said_once_and_never_read():
    widget = {"output_type": "display_data",
              "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}}
    graded = notebook.read(as_notebook(
        [code("x = 1", [widget]), code("y = 2", [{"output_type": "error", "ename": "\x1b[2J"}])],
        kernelspec={"name": "ir", "language": "R\x1b]0;owned\x07"}))
    assert graded.source == "# %% cell 1\nx = 1\n\n# %% cell 2\ny = 2\n"
    assert graded.notes() == ("graded on its code: its outputs and widgets are ignored; its "
                              "kernel is 'R]0;owned', not Python: graded as Python all the same")


@pytest.mark.parametrize("text, says", [
    ('{"cells": [', "is not a notebook: it is not valid JSON (line 1, column 12"),
    ("", "is not a notebook: it is not valid JSON"),
    ("[1, 2]", "is JSON but not a Jupyter notebook: it has no list of cells"),
    ('{"worksheets": [], "nbformat": 3}', "is a notebook of format 3: open it in Jupyter"),
    ('{"cells": [], "nbformat": 5}', "is a notebook of format 5; drill reads format 4"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}',
     "is not a notebook drill can read: cell 1 has no cell_type"),
    ('{"cells": [7]}', "is not a notebook drill can read: cell 1 has no cell_type"),
    ("[" * 100000, "is not a notebook: it is not valid JSON"),
])
def test_a_file_that_is_not_a_notebook_is_said_in_one_line(text, says):
    with pytest.raises(notebook.NotANotebook) as raised:
        notebook.read(text)
    assert str(raised.value).startswith(says) and "\n" not in str(raised.value)


def test_a_handout_is_written_as_a_notebook_of_its_card_and_a_cell_per_definition():
    import ast

    from drill.stub import make_stub
    nn = CHUNKS["nn"]  # its stub holds the engine it builds on and its own three classes
    stub = make_stub(nn)
    written = json.loads(notebook.write(stub, nn.card))
    cells = written["cells"]
    assert written["nbformat"] == 4 and written["metadata"]["kernelspec"]["name"] == "python3"
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# Neuron, Layer, MLP")
    definitions = [stub.split("\n")[node.lineno - 1] for node in ast.parse(stub).body
                   if isinstance(node, (ast.ClassDef, ast.FunctionDef))]
    assert definitions[0] == "class Value:" and len(definitions) > 1
    assert ["".join(c["source"]).split("\n")[0] for c in cells[2:]] == definitions
    assert "import math" in "".join(cells[1]["source"])
    assert len({c["id"] for c in cells}) == len(cells)
    graded = notebook.read(notebook.write(stub, nn.card))
    assert ast.dump(ast.parse(graded.source)) == ast.dump(ast.parse(stub))  # the same code
    blank = json.loads(notebook.write(make_stub(CHUNKS["full"]), CHUNKS["full"].card))
    assert [c["source"] for c in blank["cells"][1:]] == [[]]  # full: a blank cell to write in


# Grading a notebook

def test_the_reference_in_a_notebook_passes_full_and_says_what_it_left_out(tmp_path):
    result = verdict("full", write(tmp_path, lecture_notebook()))
    assert result.passed, failures(result)
    assert result.notes == ("left out cells 5, 8, 11, 14, 17, 20, 23 and 26 (bare expressions "
                            "only: exploring); left out 1 magic or shell line (cell 2); graded "
                            "on its code: its outputs are ignored")


def test_one_bug_in_a_notebook_fails_and_the_message_names_its_cell_and_line(tmp_path):
    bug = mutant("ops", "mul_number_not_wrapped")
    result = verdict("full", write(tmp_path, lecture_notebook(bug)))
    assert not result.passed and not result.chunk_verdicts()["ops"]
    value = REFERENCE.read_text().replace(*bug).split("\n\n\n")[1]  # Value's cell, cell 3
    line = next(n for n, text in enumerate(value.split("\n"), 1)
                if "out = Value(self.data * other.data" in text)
    assert f"at mine.ipynb, cell 3, line {line}: out = Value(self.data * other.data" in \
        result.first_failure().message
    wrong = verdict("backward", write(tmp_path, lecture_notebook(
        mutant("backward", "mul_backward_own_data"))))
    assert not wrong.passed and "each operand gets the OTHER one's data" in \
        wrong.first_failure().message


def test_a_syntax_error_in_cell_n_is_reported_as_cell_n_with_the_caret(tmp_path):
    broken = lecture_notebook(("class Neuron:\n\n    def __init__(self, nin):",
                               "class Neuron:\n\n    def __init__(self, nin,,):"))
    result = verdict("full", write(tmp_path, broken))
    neuron = next(n for n, cell in enumerate(json.loads(broken)["cells"], 1)
                  if "class Neuron" in "".join(cell["source"]))
    assert result.problem == (f"mine.ipynb, cell {neuron}, line 3: invalid syntax\n"
                              "    def __init__(self, nin,,):\n"
                              "                           ^")
    assert all(t.status == "error" for t in result.tests)


def test_each_cell_is_parsed_alone_as_jupyter_runs_it(tmp_path):
    """An indented cell does not go on with the class of the cell before it, as it would in
    one file: Jupyter raises an IndentationError there, and so does drill."""
    path = write(tmp_path, as_notebook([code("class Value:\n    def __init__(self, data):\n"
                                             "        self.data = data"),
                                        code("    def __add__(self, other):\n        return 1")]))
    assert verdict("ops", path).problem.startswith("mine.ipynb, cell 2, line 1: unexpected indent")


def test_a_forbidden_import_and_a_failure_while_loading_name_the_cell(tmp_path):
    path = write(tmp_path, as_notebook([markdown("x"), code("import math"),
                                        code("from micrograd.engine import Value")]))
    assert verdict("ops", path).problem.startswith("mine.ipynb, cell 3, line 1: imports micrograd")
    path = write(tmp_path, as_notebook([code("import math"), code("x = 1\ny = 1 / 0")]))
    assert "at mine.ipynb, cell 2, line 2: y = 1 / 0" in verdict("ops", path).problem


def test_code_too_deep_for_python_s_parser_is_a_problem_not_a_crash(tmp_path):
    path = write(tmp_path, as_notebook([code("x = " + "-" * 100000 + "1")]))
    result = verdict("ops", path)
    assert result.problem.startswith("mine.ipynb") and not result.passed


def test_the_grader_gets_the_notebook_s_code_never_its_outputs(tmp_path):
    """A notebook is untrusted like any file: its outputs are not text drill shows or runs."""
    planted = {"output_type": "execute_result", "data": {"text/plain": "PASS\x1b[2J"},
               "metadata": {}, "execution_count": 1}
    path = write(tmp_path, as_notebook([code("import os", [planted])]))
    learner = read(path)
    assert learner.source == "# %% cell 1\nimport os\n" and learner.cells[1] == (1, 1)
    result = verdict("topo", path)
    assert not result.passed and "PASS" not in json.dumps(result.to_dict())


# The command line

def test_check_a_notebook_from_the_command_line_and_a_bad_one_in_one_line(tmp_path):
    import subprocess
    good = write(tmp_path, lecture_notebook(), "good.ipynb")
    done = subprocess.run([DRILL_EXE, "check", "topo", "--file", str(good), "--json", "--quick"],
                          capture_output=True, text=True)
    result = json.loads(done.stdout)
    assert done.returncode == 0 and result["passed"] and "exploring" in result["notes"]
    bad = write(tmp_path, '{"cells": [{"cell_type": "code", "source": "x = ', "bad.ipynb")
    done = subprocess.run([DRILL_EXE, "check", "topo", "--file", str(bad), "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["problem"].startswith("bad.ipynb is not a notebook: it is "
                                                         "not valid JSON (line 1")
    done = subprocess.run([DRILL_EXE, "graph", "a*b", "a=2", "b=3", "--file", str(bad)],
                          capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("drill: bad.ipynb is not a notebook")


def test_drill_graph_draws_from_a_notebook_and_says_what_it_left_out(tmp_path):
    path = write(tmp_path, lecture_notebook())
    shown = drill("graph", "a*b", "a=2", "b=3", "--file", str(path))
    assert shown.exit_code == 0 and "notebook: left out cells 5" in shown.output
    drawn = json.loads(drill("graph", "a*b", "a=2", "b=3", "--file", str(path), "--json").output)
    assert drawn["lacks"] == "" and len(drawn["nodes"]) == 3 and "exploring" in drawn["notes"]


def test_start_notebook_hands_out_the_stub_as_a_notebook_and_keeps_its_graded_code(drill_home):
    assert drill("start", "topo", "--notebook", "--no-watch").exit_code == 0
    path = drill_home / "workspace" / "topo.ipynb"
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "How drill reads this notebook" in \
        "".join(cells[0]["source"])
    assert "".join(cells[2]["source"]).startswith("class Value:")
    checked = drill("check")
    assert checked.exit_code == 1 and "still a blank of the stub" in checked.output
    assert "notebook:" not in checked.output  # drill's own notebook: nothing left out
    shown = drill("show", "1").output
    assert shown.startswith("# %% cell 2\n") and "# %% cell 3\nclass Value:" in shown
    path.write_text(lecture_notebook())
    assert drill("check").exit_code == 0
    assert "Your code does what the reference does" in drill("diff").output
    drill("start", "ops", "--notebook", "--no-watch")
    (drill_home / "workspace" / "ops.ipynb").write_text('{"cells": [')
    broken = drill("check")
    assert broken.exit_code == 2 and broken.output.splitlines() == [
        "drill: ops.ipynb is not a notebook: it is not valid JSON (line 1, column 12: Expecting "
        "value): was it saved whole?"]


def test_a_reset_notebook_is_kept_whole_and_a_worksheet_has_no_notebook(drill_home):
    from drill.attempt import reset_file
    from drill.clock import now
    from drill.store import open_store
    drill("start", "topo", "--notebook", "--no-watch")
    path = drill_home / "workspace" / "topo.ipynb"
    mine = lecture_notebook()
    path.write_text(mine)
    store = open_store()
    reset_file(store, CHUNKS["topo"], store.attempt(1), now())
    assert store.snapshots(1)[-1].content == mine  # markdown and outputs included
    assert "class Value" in path.read_text() and json.loads(path.read_text())["nbformat"] == 4
    refused = drill("start", "chain", "--notebook", "--no-watch")
    assert refused.exit_code == 2 and "worksheet of numbers" in refused.output
    assert drill("stub", "ops", "-o", str(drill_home / "ops.ipynb")).exit_code == 0
    assert json.loads((drill_home / "ops.ipynb").read_text())["cells"][0]["cell_type"] == "markdown"


# Watching a notebook that Jupyter saves: it writes the whole file anew each time, in place
# (the old file copied aside to .~NAME first, as jupyter_server does) or by renaming a new
# file over it, sometimes twice, and keeps checkpoints in .ipynb_checkpoints/.

def replaced(path, text):
    """A save that writes a new file and renames it over the old one."""
    import os
    new = path.with_name(".new-" + path.name)
    new.write_text(text)
    os.replace(new, path)


def rewritten_in_place(path, text, pause_s=0.3):
    """Jupyter's save: the old file copied aside, the file truncated and written anew (here
    with a pause half-way, as a slow disk would), the copy deleted; then a checkpoint."""
    import shutil
    aside = path.with_name(".~" + path.name)
    shutil.copyfile(path, aside)
    with open(path, "w") as f:
        f.write(text[:len(text) // 2])
        f.flush()
        import time
        time.sleep(pause_s)
        f.write(text[len(text) // 2:])
    aside.unlink()
    checkpoint(path, text)


def checkpoint(path, text):
    folder = path.parent / ".ipynb_checkpoints"
    folder.mkdir(exist_ok=True)
    (folder / path.name.replace(".ipynb", "-checkpoint.ipynb")).write_text(text)


def test_each_jupyter_save_is_graded_once_and_a_save_of_outputs_alone_not_at_all(drill_home,
                                                                                monkeypatch):
    import time

    from test_watch import drive, history, wait_for
    drill("start", "topo", "--notebook", "--no-watch")
    path = drill_home / "workspace" / "topo.ipynb"
    buggy = json.loads(lecture_notebook(mutant("topo", "order_not_reversed")))

    def script(press, frames):
        replaced(path, json.dumps(buggy))
        replaced(path, json.dumps(buggy))  # the same save written twice
        wait_for(lambda: history()[0]["checks"] == 1)
        buggy["cells"][4]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "6"}]
        buggy["cells"][4]["execution_count"] = 7
        replaced(path, json.dumps(buggy))  # a cell was run: its output saved, no code changed
        checkpoint(path, lecture_notebook())
        time.sleep(2)
        assert history()[0]["checks"] == 1
        assert "tests pass" in frames[-1] and "notebook: left out cells 5" in frames[-1]
        rewritten_in_place(path, lecture_notebook())
        wait_for(lambda: history()[0]["outcome"] == "passed")
        assert not any("not a notebook" in frame for frame in frames)  # no flash of a failure
    screen = drive(monkeypatch, "topo", script)
    assert screen.ended == "passed" and history()[0]["checks"] == 2
    assert "exploring" in screen.result.notes


def test_a_notebook_left_broken_is_said_in_a_note_and_never_recorded(drill_home, monkeypatch):
    from test_watch import drive, history, wait_for
    drill("start", "topo", "--notebook", "--no-watch")
    path = drill_home / "workspace" / "topo.ipynb"

    def script(press, frames):
        path.write_text('{"cells": [')
        wait_for(lambda: "topo.ipynb is not a notebook: it is not valid JSON" in frames[-1])
        assert history()[0]["checks"] == 0 and "0 of" not in frames[-1]
        press("q")
    assert drive(monkeypatch, "topo", script).ended == "quit"
