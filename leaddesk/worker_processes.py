"""Worker processes for CPU-bound work: imports, demo data, building emails.

Spawned, never forked: the parent runs threads (and Qt), which a fork does not copy safely.
Each worker watches its parent and exits when the parent is gone. A parent that is killed
cannot shut its pool down, and an idle worker would otherwise wait on its task queue for ever
(it holds a writer of that queue itself, so it never sees the queue close).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: How often a worker looks whether its parent is still there.
PARENT_CHECK_SECONDS = 1.0


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that end with their parent."""
    return ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_watch_parent,
        initargs=(os.getpid(),),
    )


def _watch_parent(parent: int) -> None:
    """In each worker, as it starts."""
    threading.Thread(target=_exit_with, args=(parent,), name="leaddesk-parent-watch",
                     daemon=True).start()


def _exit_with(parent: int) -> None:
    # An orphan is handed to another parent (init, or a subreaper): its parent id changes.
    # (On Windows the id never changes and this thread just sleeps.)
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
