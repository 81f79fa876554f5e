"""Driver-level writes of many leads inside the caller's transaction (imports).

Each lead is one tuple (``lead_rows``); every created lead is recorded in the change set so
the batch can be undone. Callers wrap the writes in ``lead_search.bulk_insert`` so the search
index is fed once, not per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from leaddesk.services.leads import changes as lead_changes
from leaddesk.services.leads.duplicate_keys import padded
from leaddesk.services.leads.rows import LeadRowBuilder
from leaddesk.store.models import Lead, LeadSnapshot, LeadTag
from leaddesk.store.types import utcnow


class LeadWriter:
    """Creates and updates leads for one change set, batch by batch."""

    def __init__(self, session: Session, actor_id: uuid.UUID | None, change_set_id: uuid.UUID):
        self._session = session
        self._conn = session.connection()
        self._change_set_id = change_set_id
        self._now = utcnow()
        self.rows = LeadRowBuilder(self._conn.dialect, actor_id, self._now)
        self._mark = self.rows.mark
        self._updates: list[tuple[uuid.UUID, dict[str, Any]]] = []
        #: SQLite: leads past this rowid are the ones this writer created (it holds the write
        #: lock), so they are recorded in one statement by ``finish`` instead of row by row.
        self._created_after: int | None = None
        if self._conn.dialect.name == "sqlite":
            self._created_after = self._conn.exec_driver_sql(
                "SELECT coalesce(max(rowid), 0) FROM leads"
            ).scalar()

    def _db(self, name: str, value: Any) -> Any:
        return self.rows.db(name, value)

    def _uuid(self, value: uuid.UUID) -> Any:
        return self._db("id", value)

    # -- creates -------------------------------------------------------------------------------

    def insert_rows(self, rows: Sequence[tuple[Any, ...]], tags: Sequence[tuple[Any, str]]) -> int:
        """Insert rows built by a ``LeadRowBuilder`` for this database (``self.rows``, or a
        worker's) and their ``(id, tag)``s; record them as created."""
        if not rows:
            return 0
        conn, mark = self._conn, self._mark
        conn.exec_driver_sql(self.rows.insert_sql, rows)
        if tags:
            conn.exec_driver_sql(
                f"INSERT INTO lead_tags (lead_id, tag) VALUES ({mark}, {mark})", tags
            )
        if self._created_after is None:
            key = self._uuid(self._change_set_id)
            id_at = self.rows.id_position
            conn.exec_driver_sql(
                "INSERT INTO lead_snapshots (change_set_id, lead_id, before) "
                f"VALUES ({mark}, {mark}, NULL)",
                [(key, row[id_at]) for row in rows],
            )
        return len(rows)

    def finish(self) -> None:
        """Record the leads created since the writer started (SQLite; elsewhere done already)."""
        if self._created_after is None:
            return
        self._conn.exec_driver_sql(
            "INSERT INTO lead_snapshots (change_set_id, lead_id, before) "
            "SELECT ?, id, NULL FROM leads WHERE rowid > ?",
            (self._uuid(self._change_set_id), self._created_after),
        )

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
        if self._created_after is not None:  # created by this writer, not yet recorded
            mine.update(
                session.scalars(
                    select(Lead.id).where(
                        Lead.id.in_(ids), literal_column("leads.rowid") > self._created_after
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
