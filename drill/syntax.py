"""Python's parser, one thread at a time.

CPython 3.11 keeps the depth of the syntax tree it is turning into objects in state that every
thread shares (python/cpython#106905): two threads parsing at once may fail with "SystemError:
AST constructor recursion depth mismatch". A watched attempt does: the watch loop reads a saved
notebook while the grading thread checks the previous save. Every parse in drill goes through here.
"""
import ast
import threading

_ONE_AT_A_TIME = threading.Lock()


def parse(source, *args, **kwargs):
    """`ast.parse`, never beside another thread's."""
    with _ONE_AT_A_TIME:
        return ast.parse(source, *args, **kwargs)
