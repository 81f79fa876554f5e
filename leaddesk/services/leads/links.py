"""What hangs off a lead - messages, tasks, timeline entries - carried over in a merge.

Messages and tasks move: a merge re-points the losing lead's rows to the lead it keeps and
records which rows it moved (ids as text, JSON-ready for the change set's details); undoing the
merge moves exactly those rows back. Statements run through the caller's session, so the central
scope applies (a user moves only rows they may see), and soft-deleted rows move too (a restored
lead gets back all it had).

Timeline entries are the audit log, which is append-only (a team database grants no UPDATE on
it), so they stay on their lead: the kept lead's ``merge`` entry names the merged lead, a later
``unmerge`` entry takes it back, and ``activity.timeline_leads`` follows those links, so the kept
lead's timeline shows the merged lead's history too, and no longer after an undo.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from leaddesk.store.models import Message, Task

#: Tables whose ``lead_id`` ties a row to a lead, by the name a change set records them under.
LINKED_TABLES: dict[str, Table] = {
    "messages": Message.__table__,  # type: ignore[dict-item]
    "tasks": Task.__table__,  # type: ignore[dict-item]
}
CHUNK = 5000

Moved = dict[str, list[str]]


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _repoint(
    session: Session, table: Table, ids: Sequence[uuid.UUID], from_id: uuid.UUID, to_id: uuid.UUID
) -> int:
    count = 0
    for chunk in _chunks(ids):
        result = session.execute(
            table.update()
            .where(table.c.id.in_(chunk), table.c.lead_id == from_id)
            .values(lead_id=to_id)
        )
        count += result.rowcount
    return count


def move_all(session: Session, from_id: uuid.UUID, to_id: uuid.UUID) -> Moved:
    """Move every row of ``from_id`` to ``to_id``; returns the moved ids per table."""
    moved: Moved = {}
    for name, table in LINKED_TABLES.items():
        ids = list(session.scalars(select(table.c.id).where(table.c.lead_id == from_id)))
        _repoint(session, table, ids, from_id, to_id)
        moved[name] = [str(i) for i in ids]
    return moved


def move_back(
    session: Session, moved: Mapping[str, Sequence[str]], from_id: uuid.UUID, to_id: uuid.UUID
) -> int:
    """Move the rows ``move_all`` moved (those still on ``from_id``) back to ``to_id``."""
    count = 0
    for name, texts in moved.items():
        table = LINKED_TABLES.get(name)
        if table is not None and texts:
            count += _repoint(session, table, [uuid.UUID(t) for t in texts], from_id, to_id)
    return count


def counts(moved: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How many rows of each kind were moved (for summaries and the audit entry)."""
    return {name: len(ids) for name, ids in moved.items()}
