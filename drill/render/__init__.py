"""Everything drill shows in the terminal, in one place, through rich.

Core modules return data; these functions turn it into output. `--json` prints the same data
through `json_out`, so the human and the machine forms never disagree. The screens live in a
module per family of commands; these are the names the rest of drill calls them by.

Each screen's module is imported when one of its names is first asked for (`render.stats`): a
command loads the parts of rich it draws with, and no others.
"""
from importlib import import_module

_NAMES = {  # each screen module, and the names it gives
    "attempts": "history imported versions",
    "backups": "backup_list backup_made note restored",
    "check": "CheckProgress attempt_line check_result draws_graded file_notes not_recorded",
    "chunks": "card code hint resume_question started still_open_question",
    "common": "error json_out out wrote",
    "config": "settings",
    "digits": "digits_run",
    "finished": "abandoned next_step restarted review_line since_last",
    "graph": "drawn_on_pass expression_graph graph_picture",
    "hunt": "hunt_found",
    "listing": "chunk_list",
    "moons": "TrainingProgress moons_run trained_split",
    "progress": "stats today",
    "reference": "diff reference_parts",
    "sandbox": "protections sandbox_off",
    "speedrun": "run_summary speedrun_history",
    "watch": "LivePanel watch_end watch_panel",
}
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names.split()}
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'drill.render' has no attribute '{name}'")
    value = globals()[name] = getattr(import_module(f"drill.render.{module}"), name)
    return value
