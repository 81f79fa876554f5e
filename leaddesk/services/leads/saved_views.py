"""Saved views of the lead table: a name for filters, sort and visible columns, per user."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select

from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.services.validation import require_text
from leaddesk.store.models import SavedView

_UUID_TUPLES = ("owner_ids", "campaign_ids")
_DATES = ("created_from", "created_to", "updated_from", "updated_to")


def query_to_json(query: LeadQuery) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(query):
        value = getattr(query, f.name)
        if value in (None, "", ()):
            continue
        if f.name in _UUID_TUPLES:
            value = [str(v) for v in value]
        elif f.name in _DATES:
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def query_from_json(data: dict[str, Any]) -> LeadQuery:
    known = {f.name for f in fields(LeadQuery)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue
        if name in _UUID_TUPLES:
            value = tuple(uuid.UUID(v) for v in value)
        elif name in _DATES:
            value = dt.datetime.fromisoformat(value) if value else None
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return LeadQuery(**values)


@dataclass(frozen=True, slots=True)
class SavedViewRecord:
    id: uuid.UUID
    name: str
    query: LeadQuery
    sort: LeadSort
    columns: tuple[str, ...]


def _record(row: SavedView) -> SavedViewRecord:
    sort = LeadSort(**row.sort) if row.sort else LeadSort()
    return SavedViewRecord(
        row.id, row.name, query_from_json(row.query or {}), sort, tuple(row.columns or ())
    )


class SavedViewService:
    """The acting user's saved views, by name."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(self) -> list[SavedViewRecord]:
        stmt = select(SavedView).where(SavedView.user_id == self._ctx.actor.id)
        with self._ctx.store.read() as session:
            return [_record(v) for v in session.scalars(stmt.order_by(SavedView.name))]

    def get(self, name: str) -> SavedViewRecord:
        with self._ctx.store.read() as session:
            row = session.scalars(
                select(SavedView).where(
                    SavedView.user_id == self._ctx.actor.id, SavedView.name == name
                )
            ).first()
            if row is None:
                raise NotFoundError("saved view", name)
            return _record(row)

    def save(
        self,
        name: str,
        query: LeadQuery,
        sort: LeadSort | None = None,
        columns: tuple[str, ...] = (),
    ) -> SavedViewRecord:
        """Create the view, or replace the one of the same name."""
        name = require_text(name, "name", 100)
        sort = sort or LeadSort()
        with self._ctx.store.write() as session:
            row = session.scalars(
                select(SavedView).where(
                    SavedView.user_id == self._ctx.actor.id, SavedView.name == name
                )
            ).first()
            if row is None:
                row = SavedView(user_id=self._ctx.actor.id, name=name)
                session.add(row)
            row.query = query_to_json(query)
            row.sort = {"field": sort.field, "descending": sort.descending}
            row.columns = list(columns)
            session.flush()
            return _record(row)

    def delete(self, name: str) -> None:
        with self._ctx.store.write() as session:
            row = session.scalars(
                select(SavedView).where(
                    SavedView.user_id == self._ctx.actor.id, SavedView.name == name
                )
            ).first()
            if row is None:
                raise NotFoundError("saved view", name)
            session.delete(row)
