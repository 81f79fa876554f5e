"""Which rows are demo data, whether real work exists beside them, and removing them all.

Every row the demo writes carries a version-8 key (``store.ids.demo_ids``): leads, campaigns,
templates, messages, tasks, audit entries and ledger lines alike, so they are told from real
rows without a column, and ``leaddesk demo --remove`` (or the window's action) takes them all
out in one transaction and clears the database's demo mark.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, delete, exists, func, not_, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from leaddesk.services import activity, settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.store.enums import Plan, Role, TransactionKind
from leaddesk.store.models import (
    Activity,
    Campaign,
    CreditAccount,
    CreditTransaction,
    Lead,
    LeadSnapshot,
    LeadTag,
    Message,
    MessageTemplate,
    SavedView,
    SequenceStep,
    Suppression,
    Task,
)
from leaddesk.store.models.credit import CreditHold


class is_demo_key(FunctionElement[bool]):
    """True for a key made inside ``demo_ids`` (its UUID version digit is 8)."""

    type = Boolean()
    inherit_cache = True
    name = "is_demo_key"


@compiles(is_demo_key)
def _sqlite(element: is_demo_key, compiler: Any, **kw: Any) -> str:
    # SQLite keeps a Uuid as 32 hex digits: the version is the 13th.
    return f"(substr({compiler.process(element.clauses, **kw)}, 13, 1) = '8')"


@compiles(is_demo_key, "postgresql")
def _postgresql(element: is_demo_key, compiler: Any, **kw: Any) -> str:
    return f"(substr(CAST({compiler.process(element.clauses, **kw)} AS TEXT), 15, 1) = '8')"


def is_real_key(column: Any) -> Any:
    """The SQL condition "not a demo row"."""
    return not_(is_demo_key(column))


def holds_real_data(session: Session) -> bool:
    """Whether any lead, campaign or message was made by real work (not by the demo)."""
    return bool(session.scalar(select(
        exists().where(is_real_key(Lead.id))
        | exists().where(is_real_key(Campaign.id))
        | exists().where(is_real_key(Message.id))
    )))


def demo_campaigns(session: Session) -> dict[str, uuid.UUID]:
    """The demo's campaigns still present, by name (a second run reuses them)."""
    rows = session.execute(select(Campaign.name, Campaign.id).where(is_demo_key(Campaign.id)))
    return {name: key for name, key in rows}


def demo_templates(session: Session) -> dict[str, uuid.UUID]:
    """The demo's message templates still present, by name."""
    rows = session.execute(
        select(MessageTemplate.name, MessageTemplate.id).where(is_demo_key(MessageTemplate.id))
    )
    return {name: key for name, key in rows}


@dataclass(frozen=True)
class RemovalReport:
    leads: int
    campaigns: int
    templates: int
    messages: int
    tasks: int
    transactions: int


def remove(ctx: ServiceContext) -> RemovalReport:
    """Delete every demo row and clear the demo mark: an admin's act. Real rows that pointed at
    a demo campaign or template keep their data and lose the link; balances are recounted from
    the ledger lines that remain, and an account left without a purchase loses its plan."""
    if ctx.actor.role is not Role.ADMIN:
        raise PermissionDeniedError("only an admin can remove the demo data")
    with ctx.store.write() as session:
        report = _remove_rows(session)
        activity.record(session, ctx.actor.id, "demo_remove", "database",
                        summary=f"removed the demo data ({report.leads:,} leads)")
    settings.put(ctx.store, settings.DEMO_DATABASE, False)
    return report


def _remove_rows(session: Session) -> RemovalReport:
    leads = select(Lead.id).where(is_demo_key(Lead.id)).scalar_subquery()
    messages = select(Message.id).where(
        or_(is_demo_key(Message.id), Message.lead_id.in_(leads))).scalar_subquery()
    templates = select(MessageTemplate.id).where(is_demo_key(MessageTemplate.id))
    campaigns = select(Campaign.id).where(is_demo_key(Campaign.id))
    lines = select(CreditTransaction.id).where(is_demo_key(CreditTransaction.id))
    accounts = list(session.scalars(
        select(CreditTransaction.account_id).where(is_demo_key(CreditTransaction.id)).distinct()))

    def gone(stmt: Any) -> int:
        return int(session.execute(stmt).rowcount or 0)

    tasks = gone(delete(Task).where(or_(
        is_demo_key(Task.id), Task.lead_id.in_(leads), Task.message_id.in_(messages))))
    session.execute(update(Suppression).where(Suppression.message_id.in_(messages))
                    .values(message_id=None))
    gone(delete(Activity).where(or_(is_demo_key(Activity.id), Activity.lead_id.in_(leads))))
    message_count = gone(delete(Message).where(Message.id.in_(messages)))
    session.execute(delete(LeadSnapshot).where(LeadSnapshot.lead_id.in_(leads)))
    session.execute(delete(LeadTag).where(LeadTag.lead_id.in_(leads)))
    lead_count = gone(delete(Lead).where(is_demo_key(Lead.id)))
    session.execute(update(Lead).where(Lead.campaign_id.in_(campaigns)).values(campaign_id=None))
    session.execute(update(Message).where(Message.campaign_id.in_(campaigns))
                    .values(campaign_id=None))
    for column in (Message.template_id, SequenceStep.template_id):
        session.execute(update(column.class_).where(column.in_(templates))
                        .values({column.key: None}))
    campaign_count = gone(delete(Campaign).where(is_demo_key(Campaign.id)))
    template_count = gone(delete(MessageTemplate).where(is_demo_key(MessageTemplate.id)))
    session.execute(delete(SavedView).where(is_demo_key(SavedView.id)))
    session.execute(delete(CreditHold).where(CreditHold.reservation_id.in_(lines)))
    line_count = gone(delete(CreditTransaction).where(is_demo_key(CreditTransaction.id)))
    for account in accounts:
        _recount(session, account)
    return RemovalReport(lead_count, campaign_count, template_count, message_count, tasks,
                         line_count)


def _recount(session: Session, account: uuid.UUID) -> None:
    """The account's balance as the sum of its remaining lines (the ledger's invariant)."""
    remaining = CreditTransaction.account_id == account
    balance = session.scalar(select(func.coalesce(func.sum(CreditTransaction.amount), 0))
                             .where(remaining))
    held = session.scalar(select(func.coalesce(func.sum(CreditHold.amount), 0))
                          .where(CreditHold.account_id == account))
    values: dict[str, Any] = {"balance": int(balance or 0), "reserved": int(held or 0)}
    bought = session.scalar(select(exists().where(
        remaining, CreditTransaction.kind == TransactionKind.PURCHASE)))
    if not bought:
        values.update(plan=Plan.NONE, unlimited=False)
    session.execute(update(CreditAccount).where(CreditAccount.id == account).values(**values))
