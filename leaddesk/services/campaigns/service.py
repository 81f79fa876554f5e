"""Campaigns: create, edit, list, delete."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from leaddesk.services import entity_edits
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ValidationError
from leaddesk.services.records import to_record
from leaddesk.services.validation import in_range, limit_text, parse_choice, require_text
from leaddesk.store.enums import CampaignStatus, MessageState
from leaddesk.store.models import Campaign, Lead, Message


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    id: uuid.UUID
    name: str
    goal: str
    icp: dict[str, Any]
    industry: str
    lead_source: str
    status: str
    budget_credits: int
    sequence_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CampaignStats:
    """A campaign's figures, counted from the leads and messages tables (see :func:`stats`)."""

    leads: int
    messages: int  # every message but drafts and cancelled ones
    sent: int
    waiting: int
    failed: int


#: How a campaign's messages are counted: the provider took them / not yet sent / not sent.
SENT_STATES = frozenset({MessageState.SENT, MessageState.DELIVERED, MessageState.REPLIED})
WAITING_STATES = frozenset({MessageState.QUEUED, MessageState.SENDING, MessageState.HELD})
FAILED_STATES = frozenset({MessageState.FAILED, MessageState.BOUNCED, MessageState.UNKNOWN})
NOT_COUNTED = frozenset({MessageState.DRAFT, MessageState.CANCELLED})


def campaign_messages(campaign_id: uuid.UUID) -> ColumnElement[bool]:
    """A campaign's messages: those queued for it, and those to its leads queued without a
    campaign (the composer writes to leads, not to a campaign)."""
    return or_(
        Message.campaign_id == campaign_id,
        and_(Message.campaign_id.is_(None),
             Message.lead_id.in_(select(Lead.id).where(Lead.campaign_id == campaign_id))),
    )


_EDITABLE = {"name", "goal", "icp", "industry", "lead_source", "status", "budget_credits"}


def _clean(data: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    unknown = set(data) - _EDITABLE
    if unknown:
        raise ValidationError(sorted(unknown)[0], "is not a campaign field")
    out: dict[str, Any] = {}
    if creating or "name" in data:
        out["name"] = require_text(data.get("name"), "name", 200)
    for key, limit in (("goal", 5000), ("industry", 100), ("lead_source", 100)):
        if key in data:
            out[key] = limit_text(data[key], key, limit)
    if "status" in data:
        out["status"] = parse_choice(CampaignStatus, data["status"], "status")
    if "budget_credits" in data:
        try:
            budget = int(data["budget_credits"])
        except (TypeError, ValueError):
            raise ValidationError("budget_credits", "is not a whole number") from None
        out["budget_credits"] = in_range(budget, "budget_credits", 0, 10_000_000)
    if "icp" in data:
        if not isinstance(data["icp"], Mapping):
            raise ValidationError("icp", "must be a mapping of criteria")
        out["icp"] = dict(data["icp"])
    return out


class CampaignService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(self) -> list[CampaignRecord]:
        stmt = select(Campaign).order_by(Campaign.updated_at.desc(), Campaign.id.desc())
        with self._ctx.store.read() as session:
            return [to_record(CampaignRecord, c) for c in session.scalars(stmt)]

    def get(self, campaign_id: uuid.UUID) -> CampaignRecord:
        with self._ctx.store.read() as session:
            campaign = entity_edits.get_or_raise(session, Campaign, campaign_id, "campaign")
            return to_record(CampaignRecord, campaign)

    def stats(self, campaign_id: uuid.UUID) -> CampaignStats:
        with self._ctx.store.read() as session:
            leads = session.scalar(
                select(func.count()).select_from(Lead).where(Lead.campaign_id == campaign_id)
            )
            by_state = {
                MessageState(state): int(count) for state, count in session.execute(
                    select(Message.state, func.count())
                    .where(campaign_messages(campaign_id))
                    .group_by(Message.state)
                )
            }

        def total(states: frozenset[MessageState]) -> int:
            return sum(count for state, count in by_state.items() if state in states)

        return CampaignStats(
            leads=int(leads or 0),
            messages=sum(c for s, c in by_state.items() if s not in NOT_COUNTED),
            sent=total(SENT_STATES),
            waiting=total(WAITING_STATES),
            failed=total(FAILED_STATES),
        )

    def create(self, data: Mapping[str, Any]) -> CampaignRecord:
        values = _clean(data, creating=True)
        with self._ctx.store.write() as session:
            campaign = Campaign(owner_id=self._ctx.actor.id, **values)
            entity_edits.add(session, self._ctx.actor.id, campaign, "campaign", values)
            return to_record(CampaignRecord, campaign)

    def update(self, campaign_id: uuid.UUID, changes: Mapping[str, Any]) -> CampaignRecord:
        values = _clean(changes, creating=False)
        with self._ctx.store.write() as session:
            campaign = entity_edits.get_or_raise(session, Campaign, campaign_id, "campaign")
            entity_edits.apply_changes(session, self._ctx.actor.id, campaign, "campaign", values)
            return to_record(CampaignRecord, campaign)

    def delete(self, campaign_id: uuid.UUID) -> None:
        with self._ctx.store.write() as session:
            campaign = entity_edits.get_or_raise(session, Campaign, campaign_id, "campaign")
            entity_edits.soft_delete(session, self._ctx.actor.id, campaign, "campaign")
