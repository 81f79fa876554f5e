"""Set-based undo of a bulk edit: the leads' previous values come back from the change set's
snapshot rows in SQL, a key range at a time (for progress), never read into Python.

A bulk edit's snapshots all hold the same fields, as the leads stored them: the columns it set,
``version`` and, when it changed tags, ``tags``. Per key range: the tags of the restorable
leads are replaced by the snapshot's, then one UPDATE … FROM writes the columns back. The rule
is the change sets' (``lead_changes``): only a lead still at the version the change left it at
(``before.version + 1``) and in the actor's scope is restored; the others are left alone.
The search index needs nothing here: a bulk edit never changes the searched columns.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from leaddesk.store.models import Lead, LeadSnapshot, LeadTag
from leaddesk.store.scoping import load_scope, visible
from leaddesk.store.types import utcnow

RANGE_SIZE = 5000


def snapshot_count(conn: Connection, change_set_id: uuid.UUID) -> int:
    """How many leads the change set recorded (counted: ``rowcount`` of an INSERT … SELECT
    comes back -1 on PostgreSQL)."""
    snaps = LeadSnapshot.__table__
    return int(
        conn.scalar(select(func.count()).where(snaps.c.change_set_id == change_set_id)) or 0
    )


def key_ranges(
    conn: Connection, change_set_id: uuid.UUID, count: int, size: int
) -> Iterator[tuple[uuid.UUID, uuid.UUID, int]]:
    """``(low, high, n)`` key ranges of ``size`` snapshotted leads each, in key order: only
    the first and last key of each range leave the database."""
    snaps = LeadSnapshot.__table__
    numbered = (
        select(snaps.c.lead_id, func.row_number().over(order_by=snaps.c.lead_id).label("n"))
        .where(snaps.c.change_set_id == change_set_id)
        .subquery()
    )
    n = numbered.c.n
    edges = conn.execute(
        select(n, numbered.c.lead_id)
        .where(or_((n - 1) % size == 0, n % size == 0, n == count))
        .order_by(n)
    )
    start: tuple[int, uuid.UUID] | None = None
    for number, key in edges:
        if (number - 1) % size == 0:
            start = (number, key)
        if start is not None and (number % size == 0 or number == count):
            yield start[1], key, number - start[0] + 1
            start = None


def scope_conditions(session: Session) -> list[ColumnElement[bool]]:
    """The team scope's condition on leads, as the session would add it (none for admins)."""
    scope = load_scope(session)
    condition = None if scope is None else visible(Lead.__table__, scope)
    return [] if condition is None else [condition]


def restore_bulk_edit(
    session: Session, change_set_id: uuid.UUID, count: int, step: Callable[[int], object]
) -> int:
    """Restore a bulk edit's ``count`` snapshotted leads; ``step(n)`` after each key range.
    How many were restored."""
    conn = session.connection()
    snaps, leads, tags = LeadSnapshot.__table__, Lead.__table__, LeadTag.__table__
    sample = conn.scalar(select(snaps.c.before).where(snaps.c.change_set_id == change_set_id))
    fields = sorted(set(sample or {}) - {"version", "tags"})
    before = snaps.c.before
    version = before["version"].as_integer()
    # The restorable leads of one key range (snapshots joined to their leads).
    restorable = and_(
        snaps.c.change_set_id == bindparam("cs", type_=snaps.c.change_set_id.type),
        snaps.c.lead_id.between(bindparam("low"), bindparam("high")),
        leads.c.id == snaps.c.lead_id,
        leads.c.version == version + 1,
        *scope_conditions(session),
    )
    postgres = conn.dialect.name == "postgresql"
    values: dict[str, Any] = {
        # SQLite's snapshot holds the stored form; PostgreSQL's JSON text is cast back.
        name: cast(before[name].as_string(), leads.c[name].type)
        if postgres
        else before[name].as_string()
        for name in fields
    }
    write = (
        update(leads)
        .where(restorable)
        .values(**values, version=version, updated_at=utcnow())
        .prefix_with("OR ROLLBACK", dialect="sqlite")  # one transaction: no statement journal
    )
    statements = [write]
    if "tags" in (sample or {}):
        restorable_ids = select(snaps.c.lead_id).select_from(snaps.join(leads, restorable))
        elements = (
            func.jsonb_array_elements_text(before["tags"])
            if postgres
            else func.json_each(before, "$.tags")
        ).table_valued("value")
        old_tags = (
            select(snaps.c.lead_id, elements.c.value)
            .select_from(snaps.join(leads, restorable))
            .join(elements, true())
        )
        # Before the UPDATE: that moves the version the restorable condition looks at.
        statements[:0] = [
            delete(tags).where(tags.c.lead_id.in_(restorable_ids)),
            insert(tags).from_select(["lead_id", "tag"], old_tags),
        ]
    restored = 0
    for low, high, size in key_ranges(conn, change_set_id, count, RANGE_SIZE):
        params = {"cs": change_set_id, "low": low, "high": high}
        for statement in statements:
            result = conn.execute(statement, params)
        restored += result.rowcount  # the UPDATE's, the last statement
        step(size)
    return restored
