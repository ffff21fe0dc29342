"""Everything drill shows in the terminal, in one place, through rich.

Core modules return data; these functions turn it into output. `--json` prints the same data
through `json_out`, so the human and the machine forms never disagree. The screens live in a
module per family of commands; these are the names the rest of drill calls them by.
"""
from drill.render.attempts import history, imported, versions
from drill.render.backups import backup_list, backup_made, note, restored
from drill.render.check import (CheckProgress, attempt_line, check_result, draws_graded,
                                file_notes, not_recorded)
from drill.render.chunks import (card, chunk_list, code, hint, resume_question, started,
                                 still_open_question)
from drill.render.common import error, json_out, out, wrote
from drill.render.config import settings
from drill.render.digits import digits_run
from drill.render.finished import abandoned, next_step, restarted, review_line, since_last
from drill.render.graph import drawn_on_pass, expression_graph, graph_picture
from drill.render.hunt import hunt_found
from drill.render.moons import TrainingProgress, moons_run, trained_split
from drill.render.progress import stats, today
from drill.render.reference import diff, reference_parts
from drill.render.sandbox import protections, sandbox_off
from drill.render.speedrun import run_summary, speedrun_history
from drill.render.watch import LivePanel, watch_end, watch_panel

__all__ = [
    "CheckProgress", "LivePanel", "TrainingProgress", "abandoned", "attempt_line", "backup_list",
    "backup_made", "card", "check_result", "chunk_list", "code", "diff", "digits_run",
    "drawn_on_pass", "draws_graded", "error", "expression_graph", "file_notes", "graph_picture",
    "hint", "history", "hunt_found", "imported", "json_out", "moons_run", "next_step",
    "not_recorded", "note", "out", "protections", "reference_parts", "restarted", "restored",
    "resume_question", "review_line", "run_summary", "sandbox_off", "settings", "since_last",
    "speedrun_history", "started", "stats", "still_open_question", "today", "trained_split",
    "versions", "watch_end", "watch_panel", "wrote",
]
