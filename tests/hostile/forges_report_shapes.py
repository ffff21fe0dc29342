# hostile: sends the grader a report of a shape it does not expect, picked by this file's name
# (forges_report_shapes-<kind>.py): a report nested 100,000 levels deep, a result with no id or a
# list for one, `tests` as an int, a duration of 10**400, a dict for a message, a result before
# the list of tests, 300,000 tests, a graph of 3,000,000 children, a 2 MiB line with no end, a
# megabyte of messages, a lone surrogate.
import gc
import json
import os
import sys

config = next(o for o in gc.get_objects() if isinstance(o, dict) and "results_fd" in o)
kind = os.path.basename(__file__)[:-3].partition("-")[2]
test = "ops/test_ops.py::test_add"


def send(line):
    os.write(config["results_fd"], line.encode("utf-8", "surrogatepass") + b"\n")


def report(event, **data):
    send(json.dumps({"token": config["token"], "event": event, **data}))


def collected(tests):
    report("collected", tests=tests, plain=1)


if kind == "deep":
    send('{"token": "%s", "event": "result", "id": ' % config["token"] + "[" * 100_000 + "]" * 100_000 + "}")
elif kind == "no_id":
    report("result", status="pass")
elif kind == "list_id":
    report("result", id=[test], status="pass")
elif kind == "tests_int":
    report("collected", tests=7, plain=1)
elif kind == "huge_duration":
    send(json.dumps({"token": config["token"], "event": "result", "id": test,
                     "status": "pass"})[:-1] + ', "duration_s": ' + "1" + "0" * 400 + "}")
elif kind == "dict_message":
    report("result", id=test, status="fail", message={"text": "no"})
elif kind == "result_first":
    report("result", id=test, status="pass")
elif kind == "many_tests":  # written as text: json.dumps of it takes seconds on a busy machine
    send('{"token": "%s", "event": "collected", "plain": 1, "tests": [' % config["token"]
         + '{"id": "ops/test_ops.py::test_add"}, ' * 299_999 + '{"id": "t"}]}')
elif kind == "forged_list":
    collected([{"id": test}])
elif kind == "huge_graph":
    send('{"token": "%s", "event": "result", "id": "%s", "status": "fail", "graph": {"root": 0, '
         '"nodes": [{"id": 0, "children": [' % (config["token"], test) + "0, " * 2_999_999 + "0]}]}}")
elif kind == "endless_line":
    os.write(config["results_fd"], b"x" * (2 * 1024 * 1024))
elif kind == "huge_messages":
    report("result", id=test, status="fail", message="m" * 1024 * 1020)
elif kind == "surrogate":
    report("result", id=test, status="fail", message="\ud800\x1b]52;c;Y3VybCB4IHwgc2g=\x07")
else:
    sys.exit(f"no forgery {kind!r}")
