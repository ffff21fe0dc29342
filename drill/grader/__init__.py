"""The grader: runs a learner's file against a chunk's suites and decides the verdict.

Two sides of one boundary. In drill itself: `parent` starts and watches a child and builds the
verdict (`results`) from the reports it collects, each checked for its form (`reports`) with
its text made safe for a terminal (`escape`); `warm` forks children from a process that has
pytest and hypothesis imported already; `examples` keeps hypothesis' examples and lends them
to each run, `folders` makes and removes the runs' folders, `cgroup` bounds a run as a whole.
In the child, which the parent does not trust: `child` imports the learner's file
(`submission`) and runs the suites, which reach that file through `suitekit`; `guard` undoes
the file's patches to what the judge relies on; `sandbox` shuts it in first.

Nothing is imported here, so that the child and drill's fast commands load only what they use.
"""
