"""What drill runs on a learner's file besides its suites, inside the grader's child.

Each module here has `run(module, args, emit)`: `module` is the learner's imported file, `args`
what the parent sent, and `emit(**data)` sends one event back. The parent starts them with
`drill.grader.parent.run_task`, under the limits and confinement of a grading.
"""
