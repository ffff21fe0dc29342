"""The speedrun arithmetic on hand-made runs: deltas, gains, golds, sum of best, time save."""
from drill.splits import (best_segments, compare, never_alone, personal_best, possible_time_save,
                          sum_of_best)

CHUNKS = ["ops", "backward", "topo"]
FIRST = [("ops", 600.0), ("backward", 900.0), ("topo", 1000.0)]   # segments 600, 300, 100
SECOND = [("ops", 500.0), ("topo", 620.0), ("backward", 980.0)]   # segments 500, 120, 360
UNFINISHED = [("ops", 450.0)]                                      # segment 450
WHOLE = {"full"}  # the split of the whole on its own (catalog.wholes)


def test_a_first_run_has_no_deltas_and_no_golds():
    rows = compare(FIRST, [], [])
    assert [(r.chunk, r.segment_s, r.delta_s, r.gold) for r in rows] == \
        [("ops", 600, None, False), ("backward", 300, None, False), ("topo", 100, None, False)]


def test_deltas_compare_each_chunk_s_split_with_the_personal_best_s():
    rows = compare(SECOND, [FIRST], [FIRST])
    # ops 500 vs 600: 100 ahead; topo 620 vs 1000: 380 ahead; backward 980 vs 900: 80 behind.
    assert [r.delta_s for r in rows] == [-100, -380, 80]
    # gained 100, then gained 280 more, then lost 460 since the previous split
    assert [r.change_s for r in rows] == [-100, -280, 460]
    # ops 500 < 600 is gold; topo 120 is not under 100; backward 360 is not under 300
    assert [r.gold for r in rows] == [True, False, False]


def test_an_unfinished_run_counts_for_golds_but_not_for_the_personal_best():
    runs = [FIRST, SECOND, UNFINISHED]
    assert personal_best([FIRST, SECOND]) == SECOND  # 980 beats 1000
    assert best_segments(runs) == {"ops": 450, "backward": 300, "topo": 100}
    assert sum_of_best(runs, CHUNKS) == 850
    assert possible_time_save([FIRST, SECOND], runs, CHUNKS) == 980 - 850


def test_sum_of_best_waits_for_every_chunk():
    assert sum_of_best([UNFINISHED], CHUNKS) is None
    assert possible_time_save([], [FIRST], CHUNKS) is None
    assert personal_best([]) is None


def test_chunks_passed_by_one_save_share_its_segment_and_are_no_gold_nor_in_the_sum_of_best():
    together = [("ops", 240.0), ("backward", 240.0), ("topo", 300.0)]  # ops and backward at once
    rows = compare(together, [FIRST], [FIRST])
    assert [(r.chunk, r.save, r.gold) for r in rows] == [
        ("ops", ("ops", "backward"), False), ("backward", ("ops", "backward"), False),
        ("topo", (), True)]  # 60 s alone beats topo's 100
    assert [r.delta_s for r in rows] == [-360, -660, -700]  # splits still compare
    assert best_segments([together]) == {"topo": 60}
    assert sum_of_best([together], CHUNKS) is None
    assert never_alone([together], CHUNKS) == ["ops", "backward"]
    assert sum_of_best([together, FIRST], CHUNKS) == 600 + 300 + 60
    assert never_alone([together, FIRST], CHUNKS) == []
    assert never_alone([UNFINISHED], CHUNKS) == []  # not passed yet is not the same thing


def test_a_run_from_before_a_new_split_still_compares_on_the_splits_it_has():
    """full gained a last split ("on its own"); a personal best recorded before it is still
    the best, compared split by split where both runs have one."""
    old = [("ops", 600.0), ("backward", 900.0)]
    new = [("ops", 500.0), ("backward", 880.0), ("full", 880.0)]
    rows = compare(new, [old], [old], WHOLE)
    assert [(r.chunk, r.delta_s, r.gold) for r in rows] == \
        [("ops", -100, True), ("backward", -20, False), ("full", None, False)]
    assert personal_best([old, new]) == new  # the final times compare: 880 beats 900
    assert sum_of_best([old], ["ops", "backward", "full"], WHOLE) is None  # no full segment yet
    # full's own split waits on every other: passing with backward's save does not share it
    assert sum_of_best([old, new], ["ops", "backward", "full"], WHOLE) == 500 + 300 + 0
