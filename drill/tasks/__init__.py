"""What drill runs on a learner's file besides its suites, inside the grader's child.

Each module here has `run(module, args, emit)`: `module` is the learner's imported file, `args`
what the parent sent, and `emit(**data)` sends one event back. The parent starts them with
`drill.grader.parent.run_task`, under the limits and confinement of a grading.

A long task asks `asked_to_stop()` between its steps: the parent asks by a line on the pipe it
hands a grading's tests on (ChildRun.ask_to_stop), which a task has no other use for. The run's
folder cannot carry the request: it is the child's own tmpfs, which drill does not see.
"""
import os
import select

_parent = [None]  # the descriptor of that pipe, set by the child before the task runs


def listen(fd):
    _parent[0] = fd


def asked_to_stop():
    """Whether the parent has asked this task to stop (a line, or its pipe closed)."""
    fd = _parent[0]
    if fd is None or not select.select([fd], [], [], 0)[0]:
        return False
    os.read(fd, 64)
    return True

