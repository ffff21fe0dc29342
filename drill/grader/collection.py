"""Every test the suites hold, parametrised cases included, as drill itself collects them.

The child's own list of tests comes from a process the learner's code runs in, so it may lie: a
forged list of a few tests, all "passed", must not pass. The parent therefore collects the suites
itself, once per version of them, in a process of its own that imports no learner's code
(`python -I -m drill.grader.collection`), and charges every test of that list without a report
to the run. The list is kept in memory and in DRILL_HOME/cache ($DRILL_CACHE if set: the tests
share one), keyed by the suites' contents (a run's child can read neither).
"""
import ast
import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from drill import syntax
from drill.errors import DrillError

_known = {}


# pytest plugins a grading does without. The unraisable- and thread-exception plugins end the
# session with a full garbage collection (about 0.04 s on a 2-core machine, between the last
# result and "done"); the child runs and reports every test itself (collector.Collector).
NOT_NEEDED = [arg for plugin in ("terminal", "cacheprovider", "stepwise", "unraisableexception",
                                 "threadexception") for arg in ("-p", f"no:{plugin}")]


def rootdir(suites):
    """The folder test ids are relative to: the one holding the suites' chunk folders."""
    return os.path.commonpath([os.path.dirname(os.path.dirname(s)) for s in suites])


def suite_args(suites):
    """How the child and this collection both run pytest on `suites`: the same rootdir, so the
    same test ids."""
    chunks = rootdir(suites)
    return [*suites, *NOT_NEEDED, "--assert=plain", "--rootdir", chunks, "--confcutdir", chunks,
            "-c", os.devnull, "-W", "ignore::DeprecationWarning"]


def suite_key(suite):
    """The version of one suite, by its path and contents."""
    return _key([suite])


def _key(suites):
    digest = hashlib.sha256()
    for suite in suites:
        digest.update(suite.encode() + b"\0" + Path(suite).read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def expected_ids(suites):
    """[(chunk, test id)] of every test in `suites`, in the suites' order."""
    key = _key(suites)
    if key not in _known:
        _known[key] = _cached(key, suites)
    return _known[key]


def drawn_only(tests, draws):
    """The tests of `tests` ([(chunk, test id)], or test ids) that run when only the draws named
    in `draws` are graded (all of them when it is empty). A suite of a chunk that draws (extend)
    parametrises each test by the draw first, `test_slope[sigmoid]`; a test with no parameters
    runs for every draw."""
    def runs(test_id):
        name = str(test_id)
        if not draws or not name.endswith("]"):
            return True
        return name.rpartition("[")[2][:-1].split("-")[0] in draws
    return [t for t in tests if runs(t[1] if isinstance(t, tuple) else t)]


def test_sources(suites):
    """{(chunk, function name): its source} of every top-level `test_*` function: a passing
    test's `test_code` in --json. Kept per version of the suites, as the list is."""
    key = "sources-" + _key(suites)
    if key not in _known:
        found = {}
        for suite in suites:
            text = Path(suite).read_text(encoding="utf-8")
            lines = text.splitlines(keepends=True)
            found.update({(Path(suite).parent.name, node.name):
                          "".join(lines[node.lineno - 1:node.end_lineno]).rstrip()
                          for node in syntax.parse(text).body
                          if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")})
        _known[key] = found
    return _known[key]


class Listing:
    """`expected_ids(suites)` and `test_sources(suites)`, worked out in a thread while the run
    goes on: the first grading after the suites change need not wait for them before starting."""

    def __init__(self, suites):
        self.suites, self.found, self.sources, self.error = suites, None, {}, None
        self.thread = threading.Thread(target=self._list, daemon=True)
        self.thread.start()

    def _list(self):
        try:
            self.found = expected_ids(self.suites)
            self.sources = test_sources(self.suites)
        except DrillError as exc:
            self.error = exc

    def result(self):
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.found


def _cache_file(name):
    from drill.paths import scratch
    return Path(os.environ.get("DRILL_CACHE") or scratch("cache")) / name


def read_cache(name):
    """What `write_cache` kept under `name` in drill's cache, or None."""
    try:
        return json.loads(_cache_file(name).read_text())
    except (OSError, ValueError):
        return None


def write_cache(name, data):
    """Write whole or not at all: other drills may read the file at any moment."""
    cache = _cache_file(name)
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(f".{os.getpid()}")
    temporary.write_text(json.dumps(data))
    os.replace(temporary, cache)


def _cached(key, suites):
    try:
        return [tuple(pair) for pair in read_cache(f"tests-{key}.json")]
    except TypeError:  # none yet, or not a list of pairs
        pass
    found = _collect(suites)
    write_cache(f"tests-{key}.json", found)
    return found


def _collect(suites):
    done = subprocess.run([sys.executable, "-I", "-m", "drill.grader.collection", *suites],
                          capture_output=True, text=True, timeout=60, cwd="/",
                          env={"PATH": os.defpath, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    try:
        return [tuple(pair) for pair in json.loads(done.stdout.splitlines()[-1])]
    except (IndexError, ValueError):
        raise DrillError("drill could not list its own suites' tests: "
                         + (done.stderr.strip().splitlines() or ["no output"])[-1])


class _Lister:
    def __init__(self):
        self.found = []

    def pytest_collection_finish(self, session):
        self.found = [(item.path.parent.name, item.nodeid) for item in session.items]


def main(suites):
    import pytest
    sys.dont_write_bytecode = True
    lister = _Lister()
    with open(os.devnull, "w") as null:
        sys.stdout, real = null, sys.stdout
        pytest.main([*suite_args(suites), "--collect-only"], plugins=[lister])
        sys.stdout = real
    print(json.dumps(lister.found))


if __name__ == "__main__":
    main(sys.argv[1:])
