"""Client-generated, time-ordered primary keys (UUIDv7).

Generated on the client so that offline copies can merge with a team database without clashes,
and time-ordered so that B-tree inserts append instead of scattering.

Keys follow RFC 9562 (method 1: the 12 bits after the version are a counter within the
millisecond), so the keys one process makes are strictly increasing; the 62 bits after the
variant are random (``os.urandom``), which keeps keys of different processes and machines apart.
One generator serves single keys and bulk inserts alike, so that keys never run far ahead of the
clock (the ``uuid6`` package used before pushed its time ahead when more than one key was made
in a millisecond: up to ~16 minutes ahead after a million-row insert).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import time
import uuid
from collections.abc import Iterator

_VERSION_7 = 0x7 << 76
_VERSION_8 = 0x8 << 76  # demo rows: the same layout, another version (see demo_ids)
_demo = contextvars.ContextVar("leaddesk_demo_ids", default=False)
_VARIANT = 0b10 << 62
_RAND_B = (1 << 62) - 1
_PER_MS = 4096  # rand_a used as a counter: ids within one millisecond stay ordered

_lock = threading.Lock()
_last = 0  # the last key's millisecond * _PER_MS + counter


def _take(count: int) -> int:
    """Reserve ``count`` consecutive (millisecond, counter) slots; the first one's number.

    Slots follow the clock, and run ahead of it only when more than 4,096 keys are made in a
    millisecond (a bulk insert), by ``count / 4096`` ms at most.
    """
    global _last
    now = time.time_ns() // 1_000_000 * _PER_MS
    with _lock:
        first = max(now, _last + 1)
        _last = first + count - 1
    return first


def _value(slot: int, random: bytes) -> int:
    ms, counter = divmod(slot, _PER_MS)
    version = _VERSION_8 if _demo.get() else _VERSION_7
    return (ms << 80) | version | (counter << 64) | _VARIANT | (
        int.from_bytes(random, "big") & _RAND_B
    )


def new_id() -> uuid.UUID:
    """A new key, greater than every key this process made before."""
    return uuid.UUID(int=_value(_take(1), os.urandom(8)))


def new_id_hexes(count: int) -> list[str]:
    """``count`` new keys as 32 hex digits, ordered, for bulk inserts (about a microsecond a
    key: one ``os.urandom`` call for all of them)."""
    first = _take(count)
    randoms = os.urandom(8 * count)
    return [f"{_value(first + i, randoms[8 * i : 8 * i + 8]):032x}" for i in range(count)]


@contextlib.contextmanager
def demo_ids() -> Iterator[None]:
    """Keys made inside (in this thread or task) are demo keys: version 8 instead of 7, on the
    same clock and equally random, so every row the demo data wrote can be found and removed."""
    token = _demo.set(True)
    try:
        yield
    finally:
        _demo.reset(token)


def is_demo_id(key: uuid.UUID) -> bool:
    """Made inside :func:`demo_ids`."""
    return key.version == 8
