"""Do-not-contact: one suppression list by email, phone and LinkedIn URL, for every channel.

An address lands here when its owner unsubscribes, when mail to it bounces for good, or by hand.
A lead's own ``do_not_contact`` flag counts too. Compose and the dispatcher both ask
:func:`blocked_reason` (the dispatcher again right before sending, so a suppression added while
a message waits in the queue still stops it), and so do manual sends (LinkedIn tasks).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.records import to_record
from leaddesk.services.validation import (
    limit_text,
    normalize_email,
    normalize_linkedin,
    normalize_phone,
)
from leaddesk.store.models import Lead, Suppression
from leaddesk.store.types import utcnow

KINDS = ("email", "phone", "linkedin")
REASONS = ("unsubscribe", "bounce", "manual", "complaint")


@dataclass(frozen=True, slots=True)
class SuppressionRecord:
    id: uuid.UUID
    kind: str
    value: str
    reason: str
    note: str
    message_id: uuid.UUID | None
    created_at: dt.datetime


def guess_kind(address: str) -> str:
    """Which kind of address this is: an email has an @, a LinkedIn URL names linkedin.com."""
    text = address.strip().lower()
    if "@" in text:
        return "email"
    if "linkedin.com" in text:
        return "linkedin"
    return "phone"


def normalize(kind: str, address: str) -> str:
    """The form addresses are compared in (case-insensitive email, E.164, canonical URL)."""
    if kind == "email":
        return normalize_email(address, "address").casefold()
    if kind == "phone":
        return normalize_phone(address, field="address")
    if kind == "linkedin":
        return normalize_linkedin(address, field="address").casefold()
    raise ValidationError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")


@functools.lru_cache(maxsize=65_536)
def _key(kind: str, address: str) -> str | None:
    """``normalize`` remembered (the composer and then the dispatcher ask about the same
    addresses); ``None`` for an invalid address."""
    try:
        return normalize(kind, address)
    except ValidationError:
        return None


def lead_keys(lead: Lead) -> list[tuple[str, str]]:
    """The ``(kind, value)`` pairs a lead can be reached at, normalized (invalid ones skipped)."""
    keys = []
    for kind, address in (("email", lead.email), ("phone", lead.phone),
                          ("linkedin", lead.linkedin_url)):
        if address and (value := _key(kind, address)) is not None:
            keys.append((kind, value))
    return keys


_SUPPRESSIONS = Suppression.__table__
#: One prepared statement (the list is the same for everyone: no scope to apply).
# A removed entry (soft-deleted, kept for audit) no longer blocks: this core query is not
# row-scoped, so it says so itself.
_SUPPRESSED = select(_SUPPRESSIONS.c.value, _SUPPRESSIONS.c.reason).where(
    _SUPPRESSIONS.c.deleted_at.is_(None),
    _SUPPRESSIONS.c.kind == bindparam("s_kind"),
    _SUPPRESSIONS.c.value.in_(bindparam("s_values", expanding=True)))
_LEADS = Lead.__table__
_LEAD_ADDRESSES = select(_LEADS.c.id, _LEADS.c.email, _LEADS.c.phone, _LEADS.c.linkedin_url,
                         _LEADS.c.do_not_contact, _LEADS.c.deleted_at).where(
    _LEADS.c.id.in_(bindparam("l_ids", expanding=True)))


def suppressed(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``{(kind, value): reason}`` for the keys on the list."""
    keys = list(keys)
    found: dict[tuple[str, str], str] = {}
    conn = session.connection()
    for kind in {k for k, _ in keys}:
        values = [v for k, v in keys if k == kind]
        for start in range(0, len(values), 500):
            params = {"s_kind": kind, "s_values": values[start : start + 500]}
            for value, reason in conn.execute(_SUPPRESSED, params):
                found[(kind, value)] = reason
    return found


def blocked_reason(session: Session, lead: Lead) -> str | None:
    """Why this lead must not be contacted on any channel, or ``None``."""
    if lead.do_not_contact:
        return "the lead is marked do-not-contact"
    hits = suppressed(session, lead_keys(lead))
    if not hits:
        return None
    (_kind, value), reason = next(iter(hits.items()))
    return f"{value} is on the do-not-contact list ({reason})"


def blocked_reasons(session: Session, lead_ids: Iterable[uuid.UUID], *,
                    scoped: bool = True) -> dict[uuid.UUID, str]:
    """:func:`blocked_reason` for many leads in two queries (the dispatcher's batches); a lead
    that no longer exists is blocked too. ``scoped=False`` (the outbox, for the leads of the
    messages its scoped claim took) reads the leads with one prepared Core statement."""
    ids = list(dict.fromkeys(lead_ids))
    if scoped:
        rows = session.execute(select(Lead.id, Lead.email, Lead.phone, Lead.linkedin_url,
                                      Lead.do_not_contact).where(Lead.id.in_(ids))).all()
    else:
        rows = [row for row in session.connection().execute(_LEAD_ADDRESSES, {"l_ids": ids})
                if row.deleted_at is None]
    reasons = {i: "the lead was deleted" for i in ids}
    keys_by_lead = {}
    for row in rows:
        del reasons[row.id]
        if row.do_not_contact:
            reasons[row.id] = "the lead is marked do-not-contact"
        else:
            keys_by_lead[row.id] = lead_keys(row)  # type: ignore[arg-type]
    hits = suppressed(session, [k for keys in keys_by_lead.values() for k in keys])
    for lead_id, keys in keys_by_lead.items():
        for key in keys:
            if key in hits:
                reasons[lead_id] = f"{key[1]} is on the do-not-contact list ({hits[key]})"
                break
    return reasons


def add_in(
    session: Session,
    actor_id: uuid.UUID | None,
    kind: str,
    value: str,
    reason: str,
    *,
    note: str = "",
    message_id: uuid.UUID | None = None,
    lead_id: uuid.UUID | None = None,
) -> Suppression:
    """Put an already normalized address on the list inside the caller's transaction (an
    address already listed is kept as it is)."""
    existing = session.scalar(
        select(Suppression).where(Suppression.kind == kind, Suppression.value == value)
    )
    if existing is not None:
        return existing
    row = Suppression(kind=kind, value=value, reason=reason, note=note, message_id=message_id,
                      created_by_id=actor_id)
    session.add(row)
    session.flush()
    activity.record(session, actor_id, "suppress", "suppression", row.id, lead_id=lead_id,
                    summary=f"do-not-contact {kind} {value} ({reason})")
    return row


class SuppressionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add(
        self, address: str, reason: str = "manual", kind: str | None = None, note: str = ""
    ) -> SuppressionRecord:
        if reason not in REASONS:
            raise ValidationError("reason", f"{reason!r} is not one of {', '.join(REASONS)}")
        kind = kind or guess_kind(address)
        value = normalize(kind, address)
        if not value:
            raise ValidationError("address", "is empty")
        with self._ctx.store.write() as session:
            row = add_in(session, self._ctx.actor.id, kind, value, reason,
                         note=limit_text(note, "note", 2000))
            return to_record(SuppressionRecord, row)

    def remove(self, suppression_id: uuid.UUID) -> None:
        with self._ctx.store.write() as session:
            row = session.get(Suppression, suppression_id)
            if row is None:
                raise NotFoundError("suppression", suppression_id)
            row.deleted_at = utcnow()
            activity.record(session, self._ctx.actor.id, "unsuppress", "suppression", row.id,
                            summary=f"removed {row.kind} {row.value} from do-not-contact")

    def list(self, limit: int = 1000) -> list[SuppressionRecord]:
        stmt = select(Suppression).order_by(Suppression.created_at.desc()).limit(limit)
        with self._ctx.store.read() as session:
            return [to_record(SuppressionRecord, r) for r in session.scalars(stmt)]

    def is_suppressed(self, address: str, kind: str | None = None) -> bool:
        kind = kind or guess_kind(address)
        key = (kind, normalize(kind, address))
        with self._ctx.store.read() as session:
            return bool(suppressed(session, [key]))

    def check_lead(self, lead_id: uuid.UUID) -> str | None:
        """Why this lead must not be contacted (manual sends ask this too), or ``None``."""
        with self._ctx.store.read() as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                raise NotFoundError("lead", lead_id)
            return blocked_reason(session, lead)
