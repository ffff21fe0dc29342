"""The warm grader's pytest sessions: drill's suites collected once, in the server, and run in
each child it forks for a save.

pytest takes 0.05-0.09 s on a 2-core machine to configure itself and collect a chunk's suites:
in a cold child that is every save, twice over for full's two children. The server (warm.py)
collects them once instead, before any save comes, without a learner's file (the suites reach it
only when a test runs, through suitekit.need), and each forked child runs the tests of the suites
it was asked for on its own copy of the session.

Hypothesis binds a test's settings when its suite is imported, so each profile has a session,
and suite modules, of its own; the example database is set per run (profiles.RunExamples). A
session serves a run only if every suite it asks for is the version collected, under the same
rootdir (the same test ids); otherwise the child collects for itself, as a cold one does.
"""
import faulthandler
import os
import sys

from drill.grader.collection import rootdir, suite_args, suite_key


class WarmSession:
    """The suites `suites` collected for the hypothesis profile `profile`, ready to run."""

    def __init__(self, suites, profile):
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        from drill.grader import profiles
        self.profile, self.rootdir = profile, rootdir(suites)
        self.versions = {s: suite_key(s) for s in suites}  # before the import: a suite changed
        #                                                     meanwhile never passes for this one
        profiles.load_profile(profile)
        config = _prepareconfig([*suite_args(suites), "-s"])
        config._do_configure()
        self.session = Session.from_config(config)
        config.hook.pytest_sessionstart(session=self.session)
        config.hook.pytest_collection(session=self.session)
        if self.session.testsfailed:  # a suite that does not import: each child says so itself
            raise ValueError("a suite failed to collect")
        self.items = {s: [i for i in self.session.items if str(i.path) == s] for s in suites}
        # The next profile imports the suites afresh; each child puts back its own profile's.
        files = {os.path.realpath(s) for s in suites}
        self.modules = {name: module for name, module in list(sys.modules.items())
                        if os.path.realpath(getattr(module, "__file__", None) or "/") in files}
        for name in self.modules:
            del sys.modules[name]

    def serves(self, config):
        """Whether this session holds, unchanged, every suite the run `config` asks for."""
        suites = config["suites"]
        try:
            return config["profile"] == self.profile and bool(suites) and \
                rootdir(suites) == self.rootdir and \
                all(s in self.versions and self.items[s] and suite_key(s) == self.versions[s]
                    for s in suites)
        except OSError:  # a suite gone: the child's own collection says so
            return False

    def run(self, suites, collector):
        """In the forked child: run the tests of `suites`, reported by `collector` (child.py's
        plugin), as `pytest.main` would have after collecting them itself."""
        sys.modules.update(self.modules)
        faulthandler.enable()  # pytest turned it on for the server's stderr; a crash is this run's
        items = [item for suite in suites for item in self.items[suite]]
        collector.pytest_collection_modifyitems(items)
        collector.pytest_collection_finish(self.session)
        self.session.items = items
        self.session.config.pluginmanager.register(collector)
        try:
            self.session.config.hook.pytest_runtestloop(session=self.session)
        except BaseException:  # pytest.main ends the run on these too (a KeyboardInterrupt
            pass               # raised in a test...): the tests not reported fail the run
