"""Who a send goes to: a saved view's leads, its filter read as the saved views service reads it
(owners, campaigns and dates as their types), and the campaign the view names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.leads.query_sql import apply_filters
from leaddesk.services.leads.saved_views import query_from_json
from leaddesk.store.models import Lead, SavedView


@dataclass(frozen=True, slots=True)
class ViewAudience:
    """A saved view's leads, and the campaign its filter names (when it names exactly one)."""

    name: str
    lead_ids: list[uuid.UUID]
    campaign_id: uuid.UUID | None


def _view_query(name: str, data: dict[str, Any]) -> LeadQuery:
    """A saved view's filter as the saved views service reads it; one it cannot read is
    refused naming the filter and its value."""
    try:
        return query_from_json(data)
    except (TypeError, ValueError) as exc:
        for key, value in data.items():
            try:
                query_from_json({key: value})
            except (TypeError, ValueError):
                raise ValidationError(f"saved view {name!r}", f"its filter {key} holds "
                                      f"{value!r}, which cannot be read ({exc})") from None
        raise ValidationError(f"saved view {name!r}", f"its filter cannot be read ({exc})") \
            from None


def view_names(ctx: ServiceContext) -> list[str]:
    """The acting user's saved views by name (a view whose filter cannot be read is listed
    too: choosing it says what is wrong)."""
    with ctx.store.read() as session:
        return list(session.scalars(select(SavedView.name).where(
            SavedView.user_id == ctx.actor.id).order_by(SavedView.name)))


def view_audience(ctx: ServiceContext, name: str, limit: int) -> ViewAudience:
    """The leads of the saved view ``name``, its filters read as the saved views service
    reads them (owners, campaigns and dates as their types), and its campaign."""
    with ctx.store.read() as session:
        view = session.scalar(select(SavedView).where(
            SavedView.user_id == ctx.actor.id, SavedView.name == name))
        if view is None:
            raise NotFoundError("saved view", name)
        query = _view_query(name, view.query or {})
        stmt = apply_filters(select(Lead.id), query).order_by(Lead.id).limit(limit)
        ids = list(session.scalars(stmt))
    campaign = query.campaign_ids[0] if len(query.campaign_ids) == 1 else None
    return ViewAudience(name, ids, campaign)
