"""drill parses Python through drill.syntax alone, which never lets two threads parse at once:
on CPython 3.11 two at once may fail with "AST constructor recursion depth mismatch"
(python/cpython#106905), which a watched notebook met (the watch loop reading a save while the
grading thread checked the last)."""
import ast
import threading
import time
from pathlib import Path

import drill
from drill import syntax

PACKAGE = Path(drill.__file__).parent


def test_no_module_but_syntax_calls_ast_parse():
    callers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "parse" and \
                    isinstance(node.value, ast.Name) and node.value.id == "ast":
                callers.append(str(path.relative_to(PACKAGE)))
    assert callers == ["syntax.py"], callers


def test_a_parse_waits_for_another_thread_s_to_end(monkeypatch):
    inside, order, real = threading.Event(), [], ast.parse

    def slow(source):
        order.append(("start", source))
        inside.set()
        if source == "first":
            time.sleep(0.2)  # time enough for the second to begin, were it let in
        order.append(("end", source))
        return real("pass")

    monkeypatch.setattr(ast, "parse", slow)
    first = threading.Thread(target=syntax.parse, args=("first",))
    first.start()
    inside.wait(5)
    syntax.parse("second")
    first.join()
    assert order == [("start", "first"), ("end", "first"), ("start", "second"),
                     ("end", "second")]
