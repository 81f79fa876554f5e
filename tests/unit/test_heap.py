"""The startup heap is frozen out of the collector's sight only for the length of a long run."""

from __future__ import annotations

import gc
import weakref

from leaddesk.heap import frozen_startup_objects


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_startup_objects_are_frozen_for_the_run_and_given_back() -> None:
    startup = _Node()
    startup_ref = weakref.ref(startup)
    with frozen_startup_objects():
        assert gc.get_freeze_count() > 0
        del startup
        later = _Node()
        later_ref = weakref.ref(later)
        del later
        gc.collect()
        assert later_ref() is None  # garbage made during the run is collected as before
        assert startup_ref() is not None  # the frozen heap is not visited
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert startup_ref() is None  # given back: freed by the next collection
