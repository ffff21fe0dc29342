"""The watcher's keys: those that cost something act on a second press, a burst of typing
does nothing, and every key does something visible."""
import os
import queue
import threading
import time

from drill.attempt import start
from drill.catalog import get_chunk
from drill.clock import now
from drill.store import open_store
from drill.watch import MINIMAL, Screen, _key, _keys


def watched(name):
    store, chunk = open_store(), get_chunk(name)
    started = start(store, chunk)
    return store, chunk, Screen(chunk, started.attempt, started.path)


def press(store, chunk, screen, *actions):
    result = None
    for action in actions:
        result = _key(store, chunk, screen, action, now())
        screen.attempt = store.attempt(screen.attempt.id)
    return result


def test_a_hint_is_given_on_a_second_press_only(drill_home):
    store, chunk, screen = watched("ops")
    press(store, chunk, screen, "hint")
    assert screen.hint == "" and "press h again" in screen.note
    assert screen.attempt.hints_used == 0
    press(store, chunk, screen, "pause", "pause", "hint", "pause")  # another key: none given
    assert screen.attempt.hints_used == 0 and not screen.confirming
    press(store, chunk, screen, "hint", "hint")
    assert screen.attempt.hints_used == 1 and screen.hint.startswith("1 of 3: ")
    press(store, chunk, screen, "hint", "hint", "hint", "hint")
    assert screen.attempt.hints_used == 3
    press(store, chunk, screen, "hint")  # all given: the last one again costs nothing
    assert "last hint" in screen.note and screen.attempt.hints_used == 3


def test_typing_into_the_watcher_does_nothing_and_says_so(drill_home):
    store, chunk, screen = watched("ops")
    press(store, chunk, screen, "reset", "typing", "reset")  # typing between disarms the reset
    assert "ignored: that came as typing" not in screen.note and "press r again" in screen.note
    assert press(store, chunk, screen, "typing") is None
    assert screen.note.startswith("ignored: that came as typing") and not screen.ended


def test_m_on_a_worksheet_says_why_there_is_no_minimal_example(drill_home):
    store, chunk, screen = watched("chain")
    assert press(store, chunk, screen, "minimal") is None
    assert "a worksheet has no minimal example" in screen.note
    press(store, chunk, screen, "reset")
    assert "put the same sheet back" in screen.note
    store.finish_attempt(screen.attempt.id, "abandoned", now())
    store, chunk, screen = watched("ops")
    assert press(store, chunk, screen, "minimal") == MINIMAL  # code: the thorough grading


def keys_read(written, gap=0.0):
    """The events `_keys` makes of `written` (each string written at once, `gap` apart)."""
    reader, writer = os.pipe()
    events, stop = queue.Queue(), threading.Event()
    thread = threading.Thread(target=_keys, args=(reader, events, stop), daemon=True)
    thread.start()
    for text in written:
        os.write(writer, text.encode())
        time.sleep(gap)
    time.sleep(0.5)
    stop.set()
    thread.join()
    os.close(reader)
    os.close(writer)
    return [events.get_nowait() for _ in range(events.qsize())]


def test_a_burst_of_typing_is_one_event_and_single_keys_are_keys():
    assert keys_read(["drill check\n"]) == [("key", "typing")]
    assert keys_read(["d", "r", "i"], gap=0.01) == [("key", "typing")]
    assert keys_read(["h", "r"], gap=0.4) == [("key", "hint"), ("key", "reset")]
