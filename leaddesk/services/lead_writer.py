"""Driver-level writes of many leads inside the caller's transaction (imports).

The ORM would need gigabytes for a million objects; here each lead is one tuple, converted to
the database's form by the column types' own bind processors. Callers wrap the writes in
``lead_search.bulk_insert`` so the search index is fed once, not per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Enum, String, select
from sqlalchemy.orm import Session

from leaddesk.services import lead_changes
from leaddesk.services.duplicate_keys import padded
from leaddesk.store.ids import new_id
from leaddesk.store.models import Lead, LeadSnapshot, LeadTag
from leaddesk.store.types import utcnow

_COLUMNS = [c.name for c in Lead.__table__.columns]
_TEXT_FIELDS = frozenset(
    c.name
    for c in Lead.__table__.columns
    if isinstance(c.type, String) and not isinstance(c.type, Enum)
)


class LeadWriter:
    """Creates and updates leads for one change set, batch by batch."""

    def __init__(self, session: Session, actor_id: uuid.UUID | None, change_set_id: uuid.UUID):
        self._session = session
        self._conn = session.connection()
        self._change_set_id = change_set_id
        dialect = self._conn.dialect
        self._mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._procs = {
            c.name: c.type._cached_bind_processor(dialect) for c in Lead.__table__.columns
        }
        now = utcnow()
        template = []
        for column in Lead.__table__.columns:
            default = column.default
            value: Any = None
            if default is not None:
                value = default.arg if default.is_scalar else default.arg(None)
            if column.name in ("created_at", "updated_at"):
                value = now
            elif column.name == "owner_id":
                value = actor_id
            template.append(self._db(column.name, value))
        self._template = template
        self._positions = {name: i for i, name in enumerate(_COLUMNS)}
        self._now = now
        self._updates: list[tuple[uuid.UUID, dict[str, Any]]] = []
        marks = ", ".join(self._mark for _ in _COLUMNS)
        self._insert_sql = f"INSERT INTO leads ({', '.join(_COLUMNS)}) VALUES ({marks})"

    def _db(self, name: str, value: Any) -> Any:
        proc = self._procs[name]
        return proc(value) if proc is not None and value is not None else value

    def _uuid(self, value: uuid.UUID) -> Any:
        return self._db("id", value)

    # -- creates -------------------------------------------------------------------------------

    def create(self, leads: list[dict[str, Any]]) -> int:
        """Insert cleaned leads (their ``tags`` too) and record them as created."""
        if not leads:
            return 0
        rows, tags, ids = [], [], []
        positions, template, text_fields, db = (
            self._positions,
            self._template,
            _TEXT_FIELDS,
            self._db,
        )
        for values in leads:
            row = list(template)
            lead_id = self._uuid(new_id())
            row[positions["id"]] = lead_id
            for name, value in values.items():
                if name == "tags":
                    tags.extend((lead_id, t) for t in value)
                elif name in text_fields:
                    row[positions[name]] = value
                else:
                    row[positions[name]] = db(name, value)
            rows.append(tuple(row))
            ids.append(lead_id)
        conn = self._conn
        conn.exec_driver_sql(self._insert_sql, rows)
        if tags:
            conn.exec_driver_sql(
                f"INSERT INTO lead_tags (lead_id, tag) VALUES ({self._mark}, {self._mark})", tags
            )
        key = self._uuid(self._change_set_id)
        conn.exec_driver_sql(
            "INSERT INTO lead_snapshots (change_set_id, lead_id, before) "
            f"VALUES ({self._mark}, {self._mark}, NULL)",
            [(key, i) for i in ids],
        )
        return len(rows)

    # -- updates -------------------------------------------------------------------------------

    def queue_update(self, lead_id: uuid.UUID, values: dict[str, Any]) -> bool:
        """Queue ``values`` for an existing lead; False if this batch already touches it."""
        if any(queued == lead_id for queued, _ in self._updates):
            return False
        self._updates.append((lead_id, values))
        return True

    def flush_updates(self) -> tuple[int, int]:
        """Apply the queued updates: ``(updated, unchanged or already written by this set)``."""
        queued, self._updates = self._updates, []
        if not queued:
            return 0, 0
        ids = padded([lead_id for lead_id, _ in queued])
        session = self._session
        mine = set(
            session.scalars(
                select(LeadSnapshot.lead_id).where(
                    LeadSnapshot.change_set_id == self._change_set_id,
                    LeadSnapshot.lead_id.in_(ids),
                )
            )
        )
        fields = sorted({name for _, values in queued for name in values} - {"tags"})
        current = {
            row[0]: dict(zip(["version", *fields], row[1:], strict=True))
            for row in session.execute(
                select(Lead.id, Lead.version, *(getattr(Lead, f) for f in fields)).where(
                    Lead.id.in_(ids)
                )
            )
        }
        tags_now: dict[uuid.UUID, set[str]] = {}
        for lead_id, tag in session.execute(
            select(LeadTag.lead_id, LeadTag.tag).where(LeadTag.lead_id.in_(ids))
        ):
            tags_now.setdefault(lead_id, set()).add(tag)
        updated = unchanged = 0
        snapshots = []
        for lead_id, values in queued:
            now = current.get(lead_id)
            if lead_id in mine or now is None:
                unchanged += 1
                continue
            changes = {k: v for k, v in values.items() if k != "tags" and now.get(k) != v}
            before = {k: now[k] for k in changes}
            new_tags = set(values.get("tags", ())) - tags_now.get(lead_id, set())
            if new_tags:
                before["tags"] = sorted(tags_now.get(lead_id, set()))
            if not changes and not new_tags:
                unchanged += 1
                continue
            before["version"] = now["version"]
            self._update_one(lead_id, changes, new_tags, now["version"])
            snapshots.append((lead_id, lead_changes.snapshot_json(before)))
            updated += 1
        lead_changes.add_snapshots(self._conn, self._change_set_id, snapshots)
        return updated, unchanged

    def _update_one(
        self, lead_id: uuid.UUID, changes: dict[str, Any], new_tags: Iterable[str], version: int
    ) -> None:
        mark = self._mark
        names = sorted(changes)
        sets = ", ".join(f"{n} = {mark}" for n in names)
        params = [self._db(n, changes[n]) for n in names]
        params += [version + 1, self._db("updated_at", self._now), self._uuid(lead_id)]
        self._conn.exec_driver_sql(
            f"UPDATE leads SET {sets + ', ' if sets else ''}version = {mark}, updated_at = {mark} "
            f"WHERE id = {mark}",
            tuple(params),
        )
        tags = [(self._uuid(lead_id), t) for t in sorted(new_tags)]
        if tags:
            self._conn.exec_driver_sql(
                f"INSERT INTO lead_tags (lead_id, tag) VALUES ({mark}, {mark})", tags
            )
