"""Leads: create, read, update, delete and list with filters, sort and keyset pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, func, literal_column, select, tuple_
from sqlalchemy.orm import Session

from leaddesk.services import activity, entity_edits
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.leads import duplicate_keys
from leaddesk.services.leads import plan as lead_plan
from leaddesk.services.leads import positions as lead_positions
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.lead_input import IDENTITY_FIELDS, clean_lead_input
from leaddesk.services.leads.query import Cursor, LeadPage, LeadQuery, LeadSort
from leaddesk.services.leads.query_sql import after_cursor, apply_filters, ordered_by
from leaddesk.services.validation import default_phone_region
from leaddesk.store.enums import LeadStatus
from leaddesk.store.models import Lead, LeadTag
from leaddesk.store.types import utcnow

#: Seconds a page plan (``LeadService._plan``) is reused while leads do not change.
PLAN_TTL = 30.0


@dataclass(frozen=True, slots=True)
class LeadRecord:
    """A lead as plain data: what the GUI, CLI and exports get (never a live ORM object)."""

    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    phone: str
    linkedin_url: str
    title: str
    company: str
    industry: str
    company_size: str
    website: str
    city: str
    country: str
    timezone: str
    status: str
    score: int
    source: str
    notes: str
    consent: str
    do_not_contact: bool
    campaign_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    last_contacted_at: dt.datetime | None = None
    tags: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_RECORD_COLUMNS = [f.name for f in fields(LeadRecord) if f.name != "tags"]

_COLUMNS = [getattr(Lead, name) for name in _RECORD_COLUMNS]


def _status_value(value: Any) -> str:
    return value.value if isinstance(value, LeadStatus) else str(value)


def _record(row: Any, tags: Iterable[str] = ()) -> LeadRecord:
    values = dict(zip(_RECORD_COLUMNS, row, strict=True))
    values["status"] = _status_value(values["status"])
    return LeadRecord(**values, tags=tuple(sorted(tags)))



class LeadService:
    def __init__(self, ctx: ServiceContext, default_region: str | None = None) -> None:
        self._ctx = ctx
        self.default_region = default_region
        self._plans: dict[tuple[LeadQuery, LeadSort], tuple[int, float, Any]] = {}

    # -- reads -------------------------------------------------------------------------------
    def get(self, lead_id: uuid.UUID) -> LeadRecord:
        with self._ctx.store.read() as session:
            return self._get(session, lead_id)

    def _get(self, session: Session, lead_id: uuid.UUID) -> LeadRecord:
        row = session.execute(select(*_COLUMNS).where(Lead.id == lead_id)).first()
        if row is None:
            raise NotFoundError("lead", lead_id)
        return _record(row, self._tags_for(session, [lead_id]).get(lead_id, ()))

    @staticmethod
    def _tags_for(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        out: dict[uuid.UUID, list[str]] = {}
        if not ids:
            return out
        for lead_id, tag in session.execute(
            select(LeadTag.lead_id, LeadTag.tag).where(LeadTag.lead_id.in_(ids))
        ):
            out.setdefault(lead_id, []).append(tag)
        return out

    def count(self, query: LeadQuery | None = None) -> int:
        query = query or LeadQuery()
        stmt = apply_filters(select(func.count()).select_from(Lead), query)
        with self._ctx.store.read() as session:
            if lead_search.indexed_matches(session, query.search) == 0:
                return 0
            return int(session.scalar(stmt) or 0)

    def _fetch(self, stmt: Select[Any]) -> list[LeadRecord]:
        with self._ctx.store.read() as session:
            rows = session.execute(stmt).all()
            tags = self._tags_for(session, [r.id for r in rows])
        return [_record(r, tags.get(r.id, ())) for r in rows]

    def page(
        self,
        query: LeadQuery | None = None,
        sort: LeadSort | None = None,
        after: Cursor | None = None,
        limit: int = 200,
    ) -> LeadPage:
        """One keyset page: rows after ``after`` in ``sort`` order, and the next cursor."""
        sort = sort or LeadSort()
        query = query or LeadQuery()
        plan = self._plan(query, sort)
        if plan is None:
            return LeadPage(rows=[], next_cursor=None)
        stmt = after_cursor(apply_filters(select(*_COLUMNS), query, *plan), sort, after)
        rows = self._fetch(ordered_by(stmt, sort).limit(limit))
        cursor = None
        if len(rows) == limit:
            last = rows[-1]
            cursor = Cursor(getattr(last, sort.field), last.id)
        return LeadPage(rows=rows, next_cursor=cursor)

    def rows_at(
        self,
        query: LeadQuery | None = None,
        sort: LeadSort | None = None,
        offset: int = 0,
        limit: int = 200,
    ) -> list[LeadRecord]:
        """Rows at an absolute position (for a jump in a scrolled table).

        Deep positions continue by keyset from the nearest sampled key (``lead_positions``)
        instead of an OFFSET scan from the top.
        """
        sort = sort or LeadSort()
        query = query or LeadQuery()
        after = None
        if offset >= lead_positions.STEP:
            filtered = apply_filters(select(getattr(Lead, sort.field), Lead.id), query)
            with self._ctx.store.read() as session:
                cursors = lead_positions.samples(
                    session, self._ctx.store.url, filtered, query, sort
                )
            after, offset = lead_positions.start_for(cursors, offset)
        plan = self._plan(query, sort)
        if plan is None:
            return []
        stmt = after_cursor(apply_filters(select(*_COLUMNS), query, *plan), sort, after)
        return self._fetch(ordered_by(stmt, sort).offset(offset).limit(limit))

    def _plan(self, query: LeadQuery, sort: LeadSort) -> tuple[str | None, str] | None:
        """``(walk, search_walk)`` for ``apply_filters`` (``lead_plan``); None: no rows match.

        Kept while leads do not change (``PLAN_TTL`` at most), so scrolling on through a list
        does not probe again for every page.
        """
        if self._ctx.store.dialect != "sqlite":
            return None, ""
        key = (query, sort)
        cached = self._plans.get(key)
        now = time.monotonic()
        if cached and cached[0] == lead_positions.generation() and now - cached[1] < PLAN_TTL:
            return cached[2]
        plan = self._probe(query, sort)
        if len(self._plans) > 64:
            self._plans.clear()
        self._plans[key] = (lead_positions.generation(), now, plan)
        return plan

    def _probe(self, query: LeadQuery, sort: LeadSort) -> tuple[str | None, str] | None:
        plain = dataclasses.replace(query, search="")
        filtered = apply_filters(select(Lead.id), plain).whereclause is not None
        if not filtered and not query.search.strip():
            return None, ""
        with self._ctx.store.read() as session:
            total = int(
                session.scalar(
                    select(func.max(literal_column("rowid"))).select_from(Lead.__table__)
                )
                or 0
            )
            cap = max(lead_search.DENSE_MATCHES, int(total * lead_search.EACH_ROW_SHARE))
            matches = lead_search.indexed_matches(session, query.search, cap)
            if matches == 0:
                return None
            if matches is not None and matches < lead_search.DENSE_MATCHES:
                return None, ""  # few matches: the search index drives, the rest is checked
            search_walk = "each" if matches is not None and matches >= cap else "list"
            if not filtered:
                return (sort.field if matches else None), search_walk
            column = getattr(Lead, sort.field)
            head = ordered_by(select(column, Lead.id), sort).offset(lead_plan.SAMPLE - 1).limit(1)
            last = session.execute(head).first()
            if last is None:
                return None, ""  # a small table: every plan is fast
            key, bound = tuple_(column, Lead.id), tuple_(*last)
            within = key >= bound if sort.descending else key <= bound
            sample = apply_filters(select(func.count()).select_from(Lead), plain, sort.field)
            hits = int(session.scalar(sample.where(within)) or 0)
        return (sort.field if hits >= lead_plan.MIN_HITS else None), search_walk

    # -- writes ------------------------------------------------------------------------------
    def _region(self, data: Mapping[str, Any], region: str | None) -> str | None:
        """The region a national phone number in ``data`` is read in (looked up only then)."""
        if region or self.default_region or "phone" not in data:
            return region or self.default_region
        return default_phone_region(self._ctx.store)

    def create(
        self, data: Mapping[str, Any], region: str | None = None, check_duplicates: bool = False
    ) -> LeadRecord:
        """Create a lead; with ``check_duplicates``, raise ``DuplicateLeadError`` on a match."""
        values = clean_lead_input(data, self._region(data, region))
        if not any(values.get(k) for k in IDENTITY_FIELDS):
            raise ValidationError("name", "a lead needs a name, an email, a phone or LinkedIn URL")
        rules = duplicate_keys.load_rules(self._ctx.store) if check_duplicates else None
        tags = values.pop("tags", [])
        values.setdefault("owner_id", self._ctx.actor.id)
        lead = Lead(**values)
        lead.tags = [LeadTag(tag=t) for t in tags]
        with self._ctx.store.write() as session:
            if rules is not None:
                duplicate_keys.check(session, values, rules)
            session.add(lead)
            session.flush()
            activity.record(
                session,
                self._ctx.actor.id,
                "create",
                "lead",
                lead.id,
                lead_id=lead.id,
                summary=f"created lead {lead.full_name or lead.email}",
                changes=activity.diff({}, {**values, "tags": tags}),
            )
            return self._get(session, lead.id)

    def update(
        self,
        lead_id: uuid.UUID,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
        region: str | None = None,
        check_duplicates: bool = False,
    ) -> LeadRecord:
        values = clean_lead_input(changes, self._region(changes, region))
        keyed = check_duplicates and bool(set(values) & set(duplicate_keys.KEY_FIELDS))
        rules = duplicate_keys.load_rules(self._ctx.store) if keyed else None
        with self._ctx.store.write() as session:
            lead = entity_edits.get_or_raise(session, Lead, lead_id, "lead")
            if rules is not None:
                merged = {f: getattr(lead, f) for f in duplicate_keys.KEY_FIELDS} | values
                duplicate_keys.check(session, merged, rules, exclude=lead_id)
            if expected_version is not None and lead.version != expected_version:
                raise ValidationError(
                    "version",
                    f"the lead changed since it was read (version {lead.version}, "
                    f"expected {expected_version})",
                )
            before = {k: getattr(lead, k) for k in values if k != "tags"}
            if "tags" in values:
                before["tags"] = sorted(t.tag for t in lead.tags)
                lead.tags = [LeadTag(tag=t) for t in values["tags"]]
            for key, value in values.items():
                if key != "tags":
                    setattr(lead, key, value)
            changed = activity.diff(before, values)
            if changed:
                lead.version += 1
                lead.updated_at = utcnow()
                activity.record(
                    session,
                    self._ctx.actor.id,
                    "update",
                    "lead",
                    lead.id,
                    lead_id=lead.id,
                    summary="edited " + ", ".join(sorted(changed)),
                    changes=changed,
                )
            session.flush()
            return self._get(session, lead.id)

    def delete(self, lead_id: uuid.UUID) -> None:
        """Soft delete: the row stays for undo, audit and sync."""
        with self._ctx.store.write() as session:
            lead = entity_edits.get_or_raise(session, Lead, lead_id, "lead")
            lead.deleted_at = utcnow()
            lead.version += 1
            activity.record(
                session,
                self._ctx.actor.id,
                "delete",
                "lead",
                lead.id,
                lead_id=lead.id,
                summary=f"deleted lead {lead.full_name}",
            )

    def restore(self, lead_id: uuid.UUID) -> LeadRecord:
        with self._ctx.store.write() as session:
            lead = session.get(Lead, lead_id, execution_options={"include_deleted": True})
            if lead is None:
                raise NotFoundError("lead", lead_id)
            lead.deleted_at = None
            lead.version += 1
            lead.updated_at = utcnow()
            activity.record(
                session,
                self._ctx.actor.id,
                "restore",
                "lead",
                lead.id,
                lead_id=lead.id,
                summary=f"restored lead {lead.full_name}",
            )
            session.flush()
            return self._get(session, lead.id)
