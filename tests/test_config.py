"""drill config: settings in DRILL_HOME/config.toml, checked when set, used where they matter."""
import json

from drill import config

from conftest import REFERENCE, drill


def test_defaults_are_listed_with_what_they_mean():
    shown = drill("config").output
    assert "desired_retention" in shown and "0.9" in shown and "new chunks a day" in shown


def test_a_setting_is_kept_in_the_toml_file(drill_home):
    assert drill("config", "desired_retention", "0.85").exit_code == 0
    assert config.load()["desired_retention"] == 0.85
    assert 'desired_retention = 0.85' in (drill_home / "config.toml").read_text()


def test_bad_values_and_keys_are_one_line_errors():
    bad = drill("config", "day_start_hour", "25")
    assert bad.exit_code == 2 and "an hour from 0 to 23, not '25'" in bad.output
    assert "did you mean 'new_per_day'" in drill("config", "new_per_dya", "2").output
    assert "a number from 0.70 to 0.99" in drill("config", "desired_retention", "high").output


def test_an_unknown_setting_is_one_line_even_when_only_read():
    asked = drill("config", "nosuch")
    assert asked.exit_code == 2 and asked.output == \
        "drill: no setting called 'nosuch' (drill config lists them)\n"


def test_the_workspace_setting_moves_the_files(tmp_path):
    drill("config", "workspace", str(tmp_path / "elsewhere"))
    drill("start", "ops", "--no-watch")
    assert (tmp_path / "elsewhere" / "ops.py").is_file()


def test_a_relative_workspace_is_kept_absolute_so_it_holds_from_any_folder(tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert drill("config", "workspace", "relative/dir").exit_code == 0
    assert config.load()["workspace"] == str(tmp_path / "relative" / "dir")
    monkeypatch.chdir(tmp_path.parent)
    drill("start", "ops", "--no-watch")
    assert (tmp_path / "relative" / "dir" / "ops.py").is_file()
    assert drill("config", "workspace", "").exit_code == 0  # back to the default
    assert config.load()["workspace"] == ""


def test_a_missing_editor_is_one_line_and_starts_nothing(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "/nonexistent/ed")
    done = drill("start", "ops", "--editor", "--no-watch")
    assert done.exit_code == 2 and done.output == (
        "drill: your editor '/nonexistent/ed' ($EDITOR) is not a program drill can find: drill "
        "config editor CMD sets another\n")
    assert json.loads(drill("history", "--json").output) == []
    monkeypatch.setenv("EDITOR", "true")  # a program that is there: the file opens in it
    assert drill("start", "ops", "--editor", "--no-watch").exit_code == 0


def test_start_without_a_chunk_starts_the_top_of_today_s_queue(drill_home):
    result = drill("start", "--no-watch")
    assert result.exit_code == 0 and (drill_home / "workspace" / "chain.py").is_file()


def test_a_broken_config_file_is_one_line(drill_home):
    drill_home.mkdir(parents=True, exist_ok=True)
    (drill_home / "config.toml").write_text("desired_retention = = 3\n")
    result = drill("today")
    assert result.exit_code == 2 and "is not valid TOML" in result.output


def test_export_then_import_into_an_empty_home_gives_the_same_stats(drill_home, tmp_path, monkeypatch):
    drill("config", "new_per_day", "2")
    drill("start", "topo", "--no-watch")
    (drill_home / "workspace" / "topo.py").write_text(REFERENCE.read_text())
    assert drill("check").exit_code == 0
    drill("start", "ops", "--no-watch")
    drill("hint")
    before = drill("stats", "--json").output
    dump = tmp_path / "drill.json"
    assert drill("export", "-o", str(dump)).exit_code == 0
    exported = json.loads(dump.read_text())
    assert len(exported["attempts"]) == 2 and len(exported["snapshots"]) == 1
    assert exported["reviews"][0]["rating"] in ("Good", "Easy", "Hard")
    monkeypatch.setenv("DRILL_HOME", str(tmp_path / "new home"))
    assert drill("import", str(dump)).exit_code == 0
    assert drill("stats", "--json").output == before
    assert config.load()["new_per_day"] == 2
    again = drill("import", str(dump))
    assert again.exit_code == 2 and "empty home" in again.output


def test_export_then_import_keeps_every_attempt_s_count_of_checks(drill_home, tmp_path,
                                                                  monkeypatch):
    drill("start", "topo", "--no-watch")
    for _ in range(2):
        drill("check")
    (drill_home / "workspace" / "topo.py").write_text(REFERENCE.read_text())
    assert drill("check").exit_code == 0
    drill("start", "ops", "--no-watch")
    drill("check")
    before = [a["checks"] for a in json.loads(drill("history", "--json").output)]
    assert before == [3, 1]
    dump = tmp_path / "drill.json"
    drill("export", "-o", str(dump))
    monkeypatch.setenv("DRILL_HOME", str(tmp_path / "new home"))
    assert drill("import", str(dump)).exit_code == 0
    assert [a["checks"] for a in json.loads(drill("history", "--json").output)] == before
    drill("export", "-o", str(tmp_path / "again.json"))  # and again, through a second round
    monkeypatch.setenv("DRILL_HOME", str(tmp_path / "third home"))
    assert drill("import", str(tmp_path / "again.json")).exit_code == 0
    assert [a["checks"] for a in json.loads(drill("history", "--json").output)] == before


def test_import_of_something_else_is_one_line(tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    result = drill("import", str(junk))
    assert result.exit_code == 2 and "is not a drill export" in result.output
