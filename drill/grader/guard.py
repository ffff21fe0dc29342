"""Notice and undo a learner's file patching what the judge relies on.

The suites compare numbers with their own helpers, but those helpers still use builtins, and the
runner reports results with `os` and `json`. A file that replaces `builtins.abs`, `math.isclose`
or `os.write` could make a wrong answer look right. The runner snapshots these namespaces before
the learner's code runs and checks them after the import and after every test: any change is put
back and fails the file, with the names it touched.
"""
import sys

GUARDED = ("builtins", "math", "cmath", "random", "copy", "operator", "functools", "itertools",
           "os", "json", "signal", "traceback", "types",
           "pytest", "_pytest.runner", "_pytest.reports", "_pytest.python", "_pytest.main",
           "_pytest.fixtures", "hypothesis", "hypothesis.core", "hypothesis.strategies",
           "drill.grader.suitekit", "drill.grader.child", "drill.grader.childkit",
           "drill.grader.collector", "drill.grader.profiles", "drill.grader.guard",
           "drill.grader.submission",
           # a task's module, and what it builds on, imported before the learner's file
           "drill.tasks", "drill.tasks.graph", "drill.tasks.trace", "drill.tasks.moons",
           "drill.tasks.digits", "drill.graph", "drill.expr", "drill.moons", "drill.digits")


class Guard:
    """A snapshot of the guarded modules' namespaces, compared by identity."""

    def __init__(self, names=GUARDED):
        self._saved = {}
        for name in names:
            module = sys.modules.get(name)
            if module is not None:
                self._saved[name] = (vars(module), dict(vars(module)))

    def restore(self):
        """Put back every changed or removed name; return them as 'module.name', sorted."""
        touched = []
        for module_name, (namespace, saved) in self._saved.items():
            for key, value in saved.items():
                if namespace.get(key, _MISSING) is not value:
                    namespace[key] = value
                    touched.append(f"{module_name}.{key}")
        return sorted(touched)


_MISSING = object()
