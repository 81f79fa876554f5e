"""Keeping Python's garbage collector off the objects a long run builds at its start.

A full (generation 2) collection visits every object the collector tracks. Once LeadDesk has
imported its libraries (SQLAlchemy, the email package, Qt's wrappers) and opened its database,
that is ~170,000 objects that live as long as the process, and each full collection took ~90 ms
on the 2-core target: a stall of the GUI thread (which runs the collector, see ``ui.gc_guard``)
and a pause of every sending thread (measured with ``benchmarks/send.py``).

:func:`frozen_startup_objects` moves them out of the collector's sight (``gc.freeze``) for the
length of a long run (the window, ``leaddesk send``); objects made later are collected as before.
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
