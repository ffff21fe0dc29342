"""The pictures drill draws from a learner's file: `drill graph`'s expression, and the graph a
chunk draws on a pass (trace's). The learner's code builds them in the grader's child (a task of
drill.tasks); they come back as data (drill.graph), and render draws them."""
from drill.graph import Graph

# What a file may lack to backpropagate, as `drill graph`'s task tells it (drill.tasks.graph).
LACKS = ("", "backward", "seed", "_backward")


def of_expression(expr, names, learner):
    """(graph, lacks): the graph of `expr` built with the Value of the learner's file (a
    learner_file.LearnerFile) from leaves `names` ({name: number}), after the file's own
    backward(), and what the file lacks to backpropagate (one of LACKS; the graph then has no
    grads). The expression is checked here; the learner's code runs only in the grader's child."""
    from drill.expr import parse
    from drill.tasks.graph import METHODS
    parse(expr, names, METHODS)
    sent = _sent("graph", learner, {"expr": expr, "names": names})
    lacks = sent.get("lacks") if sent.get("lacks") in LACKS else ""
    return Graph.from_dict(sent["graph"]), lacks


def of_task(task, learner, args):
    """The last graph the task `drill.tasks.<task>` sends back from the learner's file, run in
    the grader's child; a DrillError saying why when it sends none."""
    return Graph.from_dict(_sent(task, learner, args)["graph"])


def _sent(task, learner, args):
    """The last event of the task that carries a graph."""
    from drill.errors import DrillError
    from drill.grader.parent import run_task
    from drill.grader.resident import home_grader
    with home_grader() as launcher:  # the home's grader if one is up, else a cold child
        done = run_task(task, learner, args, launcher=launcher)
    sent = [e for e in done.events if isinstance(e.get("graph"), dict)]
    if done.problem or not sent:
        raise DrillError(done.problem or "your file sent no graph back", exit_code=1)
    return sent[-1]
