"""The startup heap is frozen out of the collector's sight only for the length of a long run,
and for good once the ``leaddesk`` program has done its work."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

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


def test_the_program_freezes_its_heap_before_it_exits(tmp_path: Path) -> None:
    probe = ("import gc, sys\nfrom leaddesk.cli import run\ncode = run(sys.argv[1:])\n"
             "print(code, gc.get_freeze_count() > 0)\n")
    proc = subprocess.run(
        [sys.executable, "-c", probe, "--db", f"sqlite:///{tmp_path / 'x.db'}", "db", "upgrade"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert proc.stdout.splitlines()[-1] == "0 True"
