"""Keys: UUIDv7 by RFC 9562, strictly increasing within a process, also across threads."""

from __future__ import annotations

import threading
import time
import uuid

from leaddesk.store.ids import new_id, new_id_hexes


def test_keys_are_version_7_with_the_time_of_making() -> None:
    before = time.time_ns() // 1_000_000
    key = new_id()
    after = time.time_ns() // 1_000_000
    assert key.version == 7 and key.variant == uuid.RFC_4122
    assert before <= key.int >> 80 <= after + 1


def test_keys_increase_strictly_across_single_and_bulk_making() -> None:
    keys = [new_id().hex for _ in range(5000)]
    keys += new_id_hexes(10_000)
    keys += [new_id().hex for _ in range(10)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(uuid.UUID(k).version == 7 for k in keys[::997])


def test_threads_never_make_the_same_key() -> None:
    made: list[list[uuid.UUID]] = [[] for _ in range(8)]

    def make(out: list[uuid.UUID]) -> None:
        out.extend(new_id() for _ in range(5000))

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [k for out in made for k in out]
    assert len(set(every)) == len(every)
    assert all(out == sorted(out) for out in made), "each thread's keys increase"


def test_a_big_batch_runs_ahead_of_the_clock_by_count_over_4096_ms_at_most() -> None:
    now = time.time_ns() // 1_000_000
    last = new_id_hexes(409_600)[-1]
    assert int(last, 16) >> 80 <= now + 100 + 5
