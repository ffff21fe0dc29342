"""The commands, through click's CliRunner, and once as an installed program."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DRILL_EXE, REFERENCE, drill
from drill.clock import parse


def test_list_shows_every_chunk_in_order_with_targets():
    result = drill("list")
    assert result.exit_code == 0
    positions = [result.output.index(f" {name} ") for name in
                 ("chain", "ops", "trace", "backward", "topo", "nn", "train", "full")]
    assert positions == sorted(positions)
    assert "10:00" in result.output


def test_list_marks_the_chunks_passed_and_keeps_within_the_terminal(drill_home, monkeypatch):
    from drill.store import open_store
    store = open_store()
    store.finish_attempt(store.start_attempt("ops", "f.py", parse("2026-11-26T08:00Z")),
                         "passed", parse("2026-11-26T08:05:00Z"))
    for columns in ("80", "60"):
        monkeypatch.setenv("COLUMNS", columns)
        lines = drill("list").output.splitlines()
        assert all(len(line) <= int(columns) for line in lines), columns
        marked = {line.split()[2] for line in lines if line[3:4] == "✓"}
        assert marked == {"ops"}
        rows = []  # a chunk's number begins its row, which goes on under itself, indented
        for line in lines[2:-1]:
            rows += [line.split()] if line[:2].strip() else []
            rows[-1] += [] if line[:2].strip() else line.split()
        full = next(row for row in rows if row[1] == "full")
        assert full[full.index("file") + 1:] == ["after", "ops,", "backward,", "topo,", "nn,",
                                                 "train"]


def test_card_shows_the_card():
    result = drill("card", "topo")
    assert result.exit_code == 0 and "backward" in result.output


def test_an_unknown_chunk_is_one_line_naming_the_closest():
    result = drill("card", "opps")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["drill: no chunk called 'opps'; did you mean 'ops'? (drill list shows them all)"]


def test_stub_goes_to_stdout_or_to_a_file_and_never_overwrites(tmp_path):
    printed = drill("stub", "topo").output
    assert "raise NotImplementedError('Value.backward')" in printed
    target = tmp_path / "topo.py"
    assert drill("stub", "topo", "-o", str(target)).exit_code == 0
    assert target.read_text() == printed
    target.write_text("my work")
    refused = drill("stub", "topo", "-o", str(target))
    assert refused.exit_code == 2 and "already exists" in refused.output
    assert target.read_text() == "my work"


def test_check_passes_the_reference_with_exit_0():
    result = drill("check", "topo", "--file", str(REFERENCE))
    assert result.exit_code == 0 and "PASS" in result.output


def test_check_json_is_one_object_of_the_documented_shape(tmp_path):
    stub = tmp_path / "topo.py"
    drill("stub", "topo", "-o", str(stub))
    result = drill("check", "topo", "--file", str(stub), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["chunk"] == "topo" and data["passed"] is False
    assert {t["status"] for t in data["tests"]} <= {"fail", "error"}
    assert all(set(t) >= {"name", "status", "message", "duration_s"} for t in data["tests"])


def test_check_shows_the_first_failure_s_message(tmp_path):
    stub = tmp_path / "topo.py"
    drill("stub", "topo", "-o", str(stub))
    result = drill("check", "topo", "--file", str(stub))
    assert result.exit_code == 1
    assert "still a blank of the stub" in result.output and "FAIL" in result.output


def test_check_of_a_missing_file_is_one_line_and_exit_2(tmp_path):
    result = drill("check", "ops", "--file", str(tmp_path / "nope.py"))
    assert result.exit_code == 2
    assert result.output.strip() == f"drill: no such file: {tmp_path / 'nope.py'}"


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00", b"x = '\xff'\n", b"x = 1\x00\n"],
                         ids=["binary", "not-utf-8", "nul-bytes"])
def test_a_file_that_is_not_python_text_is_a_failing_verdict_with_the_reason(tmp_path, content):
    path = tmp_path / "ops.py"
    path.write_bytes(content)
    result = drill("check", "ops", "--file", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["passed"] is False and "ops.py" in data["problem"] and "graded" in data["problem"]


def test_a_directory_given_as_the_file_says_it_is_a_directory(tmp_path):
    result = drill("check", "ops", "--file", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.strip() == f"drill: {tmp_path} is a directory: give the path of your .py file"


def test_check_json_gives_each_test_its_chunk_program_and_printed_output(tmp_path):
    path = tmp_path / "ops.py"
    path.write_text(REFERENCE.read_text().replace(
        "    def __rsub__(self, other):  # other - self\n",
        "    def __rsub__(self, other):  # other - self\n        print('rsub of', other * 1000, '.' * 200)\n"
        "        return self + other\n"))
    data = json.loads(drill("check", "ops", "--file", str(path), "--json").output)
    tests = {t["name"]: t for t in data["tests"]}
    failed = tests["ops::test_number_on_the_left[-]"]
    assert failed["task_id"] == "ops" and failed["test_code"] == "a = Value(5.0); c = 2 - a"
    assert failed["output"] == "rsub of 2000 " + "." * 200 + "\n"
    noisy = tests["ops::test_binary_operators_match_floats"]  # a property: many examples print
    assert noisy["output"].startswith("rsub of") and "[cut: " in noisy["output"]
    assert len(noisy["output"]) < 600
    passed = tests["ops::test_value_keeps_its_data[2.5]"]
    assert passed["output"] == "" and passed["test_code"].startswith("def test_value_keeps_its_data")


def test_check_of_a_file_that_does_not_parse_names_file_and_line(tmp_path):
    path = tmp_path / "ops.py"
    path.write_text("class Value:\n    def __add__(self, other)\n        return self\n")
    result = drill("check", "ops", "--file", str(path))
    assert result.exit_code == 1 and "ops.py:2:" in result.output


def test_the_installed_command_finds_its_chunks_from_anywhere(tmp_path):
    assert Path(DRILL_EXE).is_file(), "drill is not installed in this environment"
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run([DRILL_EXE, "list"], cwd=tmp_path, capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0 and "train" in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["list"], ["today"], ["stats"], ["history"],
                                  ["hunt", "topo", "--no-watch"]])
def test_commands_that_do_not_grade_import_neither_pytest_nor_hypothesis(args):
    """They start fast: pytest and hypothesis cost a grading most of its start-up."""
    code = ("import sys; from drill.cli import cli; cli.main(%r, standalone_mode=False); "
            "print('loaded:', sorted(m.split('.')[0] for m in sys.modules "
            "if m.split('.')[0] in ('pytest', '_pytest', 'hypothesis')))" % args)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded: []"


def test_list_points_at_the_first_chunk_not_passed_and_at_a_speedrun_after_all(drill_home):
    from drill.catalog import load_catalog
    from drill.store import open_store
    names = [c.name for c in load_catalog()]
    assert drill("list").output.strip().splitlines()[-1] == \
        f"Next: drill card {names[0]} to read what the first chunk asks."
    store = open_store()

    def passed(chunks):
        for chunk in chunks:
            store.finish_attempt(store.start_attempt(chunk, "f.py", parse("2026-11-26T08:00Z")),
                                 "passed", parse("2026-11-26T08:05:00Z"))
    passed(names[:2])
    assert drill("list").output.strip().splitlines()[-1] == \
        f"Next: drill card {names[2]} to read what it asks."
    passed(names[2:])
    last = drill("list").output.strip().splitlines()[-1]
    assert last.startswith("Next: drill speedrun full") and "card" not in last


def test_one_attempt_is_one_attempt(drill_home):
    drill("start", "topo", "--no-watch")
    (drill_home / "workspace" / "topo.py").write_text(REFERENCE.read_text())
    drill("check")
    assert drill("stats", "topo").output.startswith("topo: 1 attempt, 1 passed")


def test_the_card_does_not_repeat_its_title_inside_the_box():
    shown = drill("card", "ops").output
    assert shown.count("Value and its operators: the forward pass") == 1


def test_a_hint_after_the_last_says_there_are_no_more(drill_home):
    drill("start", "ops", "--no-watch")
    given = [drill("hint").output for _ in range(4)]
    assert all("last hint" not in text for text in given[:3])
    assert "hint 3 of 3" in given[3] and "That was the last hint, shown again" in given[3]


def test_version_prints_drill_s_version():
    from importlib.metadata import version
    shown = drill("--version")
    assert shown.exit_code == 0 and shown.output == f"drill {version('drill')}\n"


def test_every_command_s_summary_in_help_is_whole():
    from drill.cli import cli
    for name, command in cli.commands.items():
        summary = command.get_short_help_str(limit=50)
        assert not summary.endswith("..."), (name, summary)
    listed = drill("--help").output.split("Commands:")[1]
    assert "..." not in listed and "Start a timed attempt at a chunk." in listed


@pytest.mark.parametrize("args", [["show", "abc"], ["--bogus"], ["show"], ["list", "extra"],
                                  ["config", "new_per_day", "-3"], ["frobnicate"],
                                  ["stub", "ops", "-o", "."]])
def test_a_usage_error_is_one_line_naming_where_the_help_is(args):
    """click's own usage error takes four lines (usage, a hint, a blank, the error); drill's
    errors take one."""
    result = drill(*args)
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert result.output.startswith("drill: ") and result.output.rstrip().endswith("-h for help)")


def test_import_of_a_missing_file_and_restore_of_a_folder_say_what_the_path_is(tmp_path):
    missing = drill("import", str(tmp_path / "missing.json"))
    assert missing.exit_code == 2 and missing.output == \
        f"drill: cannot read {tmp_path / 'missing.json'}: No such file or directory\n"
    folder = drill("restore", str(tmp_path))
    assert folder.exit_code == 2 and folder.output.count("\n") == 1
    assert f"{tmp_path} is a folder; name a backup file in it" in folder.output
