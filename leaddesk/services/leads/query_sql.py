"""A lead list's query as SQL: the conditions of a :class:`LeadQuery`, the keyset continuation
after a cursor and the sort order (ties broken by id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, select, tuple_

from leaddesk.services.leads import plan as lead_plan
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.query import Cursor, LeadQuery, LeadSort
from leaddesk.store.enums import LeadStatus
from leaddesk.store.models import Lead, LeadTag


def apply_filters(
    stmt: Select[Any], query: LeadQuery, walk: str | None = None, search_walk: str = "list"
) -> Select[Any]:
    """Add a LeadQuery's conditions to a statement over ``Lead``.

    ``walk`` names the sort column of a page whose filters match many rows: the other
    conditions are then written so that only the sort index drives the query, the search as
    ``search_walk`` says (``lead_plan``, ``lead_search.search_condition``).
    """

    def col(column: Any) -> Any:
        return column if walk is None or column.key == walk else lead_plan.Unindexed(column)

    conditions: list[Any] = []
    searched = lead_search.search_condition(query.search, search_walk if walk else "")
    if searched is not None:
        conditions.append(searched)
    if query.statuses:
        conditions.append(col(Lead.status).in_([LeadStatus(s) for s in query.statuses]))
    if query.score_min is not None:
        conditions.append(col(Lead.score) >= query.score_min)
    if query.score_max is not None:
        conditions.append(col(Lead.score) <= query.score_max)
    if query.owner_ids:
        conditions.append(col(Lead.owner_id).in_(query.owner_ids))
    if query.campaign_ids:
        conditions.append(col(Lead.campaign_id).in_(query.campaign_ids))
    if query.industries:
        conditions.append(col(Lead.industry).in_(query.industries))
    if query.countries:
        conditions.append(col(Lead.country).in_([c.upper() for c in query.countries]))
    for column, low, high in (
        (Lead.created_at, query.created_from, query.created_to),
        (Lead.updated_at, query.updated_from, query.updated_to),
    ):
        if low is not None:
            conditions.append(col(column) >= low)
        if high is not None:
            conditions.append(col(column) < high)
    for tag in query.tags:
        if walk is None:
            tagged = select(LeadTag.lead_id).where(LeadTag.tag == tag.lower())
            conditions.append(Lead.id.in_(tagged))
        else:
            conditions.append(
                exists().where(LeadTag.lead_id == Lead.id, LeadTag.tag == tag.lower())
            )
    return stmt.where(and_(*conditions)) if conditions else stmt


def after_cursor(stmt: Select[Any], sort: LeadSort, after: Cursor | None) -> Select[Any]:
    """Rows after ``after`` in ``sort`` order (keyset on the sort column and id)."""
    if after is None:
        return stmt
    key = tuple_(getattr(Lead, sort.field), Lead.id)
    bound = tuple_(after.value, after.id)
    return stmt.where(key < bound if sort.descending else key > bound)


def ordered_by(stmt: Select[Any], sort: LeadSort) -> Select[Any]:
    """``stmt`` ordered by the sort column, then id, so that keyset pages are stable."""
    column = getattr(Lead, sort.field)
    if sort.descending:
        return stmt.order_by(column.desc(), Lead.id.desc())
    return stmt.order_by(column.asc(), Lead.id.asc())
