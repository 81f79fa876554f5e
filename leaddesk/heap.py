"""Keeping Python's garbage collector off the objects a long run builds at its start.

A full (generation 2) collection visits every object the collector tracks. Once LeadDesk has
imported its libraries (SQLAlchemy, the email package, Qt's wrappers) and opened its database,
that is ~170,000 objects that live as long as the process, and each full collection took ~90 ms
on the 2-core target: a stall of the GUI thread (which runs the collector, see ``ui.gc_guard``)
and a pause of every sending thread (measured with ``benchmarks/send.py``).

:func:`frozen_startup_objects` moves them out of the collector's sight (``gc.freeze``) for the
length of a long run (the window, ``leaddesk send``); objects made later are collected as before.
:func:`collection_paused` keeps the collector off while they are being made, and
:func:`freeze_for_exit` hides them for good as the ``leaddesk`` process ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def frozen_startup_objects() -> Iterator[None]:
    """Freeze what exists now, and give it back to the collector on exit (so a process that
    goes on, such as a test run, can still free it). No collection first: a full one costs the
    ~90 ms this saves, and the little garbage frozen with the rest waits until the exit."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection inside the block: for the start-up of a window, whose imports
    make ~170,000 objects that all live as long as the process and that the collector would
    visit some 200 times as they pile up (a tenth of a second). Freeze them inside the block
    (:func:`frozen_startup_objects`) before the long run, or the first collection after it
    visits them all once more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_for_exit() -> None:
    """Hide every object from the collector: the process is about to end.

    The interpreter's exit runs full collections over everything still alive (~300,000 objects
    after ``leaddesk screenshot``: 0.2-0.3 s of CPU on the 2-core target) only to free memory
    that the process gives back anyway. Frozen objects are still torn down by reference
    counting as usual; only reference cycles go uncollected, without their finalizers, so
    whatever must be closed is closed before (the commands close their database and window).
    """
    gc.freeze()
