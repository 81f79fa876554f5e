"""Jumps to any row of a sorted, filtered lead list without an OFFSET scan from the top.

``OFFSET 500000`` walks half a million rows. Instead, every ``STEP``-th sort key of a list is
sampled once (one ``row_number()`` pass in SQL) and kept; a jump continues by keyset from the
nearest sample before the row and skips fewer than ``STEP`` rows. Samples are dropped when a
session flushes a change to a lead or a change set (imports, bulk edits, merges, undo), and after
``TTL`` seconds (writes by other processes), so positions stay exact in practice.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from leaddesk.services.leads.query import Cursor, LeadQuery, LeadSort
from leaddesk.store.models import Lead, LeadChangeSet, LeadTag

STEP = 1000
TTL = 30.0
MAX_LISTS = 16

_lock = threading.Lock()
_generation = 0


def generation() -> int:
    """Bumped whenever leads change through a session (what cached plans key on)."""
    return _generation


def invalidate() -> None:
    """Forget every sample (leads were created, changed or deleted)."""
    global _generation
    with _lock:
        _generation += 1


@event.listens_for(Session, "after_flush")
def _on_flush(session: Session, _context: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Lead | LeadTag | LeadChangeSet) for obj in touched):
        invalidate()


@dataclass(frozen=True)
class _Samples:
    generation: int
    built_at: float
    cursors: tuple[Cursor, ...]  # cursors[j] is the row at 0-based position (j + 1) * STEP - 1


_cache: OrderedDict[tuple[Any, ...], _Samples] = OrderedDict()


def _key(store_url: str, query: LeadQuery, sort: LeadSort) -> tuple[Any, ...]:
    return (store_url, query, sort)


def _build(session: Session, filtered: Select[Any], sort: LeadSort) -> tuple[Cursor, ...]:
    column = getattr(Lead, sort.field)
    order = (column.desc(), Lead.id.desc()) if sort.descending else (column, Lead.id)
    numbered = filtered.add_columns(
        func.row_number().over(order_by=order).label("rn")
    ).subquery()
    rn = numbered.c.rn
    stmt = select(numbered.c[0], numbered.c[1]).where(rn % STEP == 0).order_by(rn)
    return tuple(Cursor(value, lead_id) for value, lead_id in session.execute(stmt))


def samples(
    session: Session, store_url: str, filtered: Select[Any], query: LeadQuery, sort: LeadSort
) -> tuple[Cursor, ...]:
    """The sampled cursors of a list (built now if missing or stale).

    ``filtered`` selects ``(sort column, id)`` of the list's leads, filters applied.
    """
    key = _key(store_url, query, sort)
    with _lock:
        cached = _cache.get(key)
        generation = _generation
    now = time.monotonic()
    if cached is not None and cached.generation == generation and now - cached.built_at < TTL:
        return cached.cursors
    cursors = _build(session, filtered, sort)
    with _lock:
        _cache[key] = _Samples(generation, now, cursors)
        _cache.move_to_end(key)
        while len(_cache) > MAX_LISTS:
            _cache.popitem(last=False)
    return cursors


def start_for(cursors: tuple[Cursor, ...], offset: int) -> tuple[Cursor | None, int]:
    """The cursor to continue after and how many rows to skip from there to reach ``offset``."""
    index = min(offset // STEP - 1, len(cursors) - 1)  # the last sample before ``offset``
    if index < 0:
        return None, offset
    return cursors[index], offset - (index + 1) * STEP
