"""The sandbox's one switch: `DRILL_SANDBOX=off` turns every protection of the grader's child off
(for tests, and for a machine where one breaks). Read by the sandbox and by the run's cgroup, so
it sits below both."""
import os


def forced_off():
    return os.environ.get("DRILL_SANDBOX") == "off"
