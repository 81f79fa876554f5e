"""The composer's back end: render one template for many leads, price it, then queue it.

:meth:`ComposeService.plan` renders the template against every recipient (sender from the user
and the business profile) and returns a :class:`ComposePlan`: one preview per lead, the
channel-rule issues, which leads are held (a missing variable, no address) or blocked
(do-not-contact), and the quote of the whole send (``send_quote``: now, later under a cap,
held by reason, the credits). Nothing is written. :meth:`commit`
turns the same plan into outbox rows in one transaction: ``queued`` (or scheduled), ``held`` with
the reason, or ``draft``. A message with a missing variable is never queued.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.messaging import (
    audience,
    channel_rules,
    compliance,
    suppression,
    whatsapp_content,
)
from leaddesk.services.messaging.audience import ViewAudience
from leaddesk.services.messaging.integrations import IntegrationRecord, IntegrationService
from leaddesk.services.messaging.messages import address_for
from leaddesk.services.messaging.send_quote import SendQuote, quote_send
from leaddesk.services.messaging.templating.errors import TemplateError
from leaddesk.services.messaging.templating.rendering import MessageSource, render
from leaddesk.services.messaging.templating.variables import LEAD_FIELDS, RenderContext
from leaddesk.services.validation import parse_choice
from leaddesk.store.enums import Channel, MessageState
from leaddesk.store.models import (
    BusinessProfile,
    Campaign,
    Lead,
    Message,
    MessageTemplate,
    User,
)
from leaddesk.store.types import utcnow

MAX_RECIPIENTS = 100_000
_ADDRESS_NAMES = {Channel.EMAIL: "email address", Channel.SMS: "phone number",
                  Channel.WHATSAPP: "phone number", Channel.VOICE: "phone number",
                  Channel.LINKEDIN: "LinkedIn profile URL"}


@dataclass(frozen=True, slots=True)
class Preview:
    """One recipient's rendered message, or why it cannot go out."""

    lead_id: uuid.UUID
    lead_name: str
    to_address: str
    subject: str
    body: str
    held_reason: str = ""  # a fixable problem: the message is kept, held
    blocked_reason: str = ""  # do-not-contact: no message is created
    issues: tuple[channel_rules.RuleIssue, ...] = ()
    #: A WhatsApp content template's variables rendered for this lead (``{"1": "Ann"}``).
    content_variables: dict[str, str] = field(default_factory=dict)

    @property
    def sendable(self) -> bool:
        return not (self.held_reason or self.blocked_reason)


@dataclass(frozen=True, slots=True)
class ComposePlan:
    channel: str
    integration_id: uuid.UUID | None
    template_id: uuid.UUID | None
    previews: tuple[Preview, ...]
    price_each: int
    available: int
    unlimited: bool
    #: How many go now and later, who is held and why, the credits (one quote per plan).
    quote: SendQuote
    #: The WhatsApp content template (``HX...``) the messages are sent as ("" for none).
    content_sid: str = ""
    #: The campaign each message is recorded under (None: no campaign).
    campaign_id: uuid.UUID | None = None
    #: When the messages go (None: now); the quote counts the caps from then.
    at: dt.datetime | None = None

    @property
    def sendable(self) -> int:
        return self.quote.to_send

    @property
    def total_cost(self) -> int:
        return self.quote.credits

    @property
    def held(self) -> list[Preview]:
        return [p for p in self.previews if p.held_reason]

    @property
    def blocked(self) -> list[Preview]:
        return [p for p in self.previews if p.blocked_reason]

    @property
    def affordable(self) -> bool:
        return self.quote.credits_ok


@dataclass(frozen=True, slots=True)
class ComposeResult:
    message_ids: tuple[uuid.UUID, ...]
    queued: int
    held: int
    drafts: int
    blocked: int
    total_cost: int


def lead_values(lead: Lead) -> dict[str, Any]:
    return {name: getattr(lead, name, "") for name in LEAD_FIELDS}


def _sender_values(session: Session, actor_id: uuid.UUID,
                   integration: IntegrationRecord | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``sender`` and ``company`` variables: the user, their mailbox and business profile."""
    user = session.get(User, actor_id)
    profile = session.scalar(
        select(BusinessProfile).where(BusinessProfile.user_id == actor_id).limit(1)
    ) or session.scalar(select(BusinessProfile).order_by(BusinessProfile.created_at).limit(1))
    settings = integration.settings if integration else {}
    sender = {
        "name": settings.get("from_name") or (user.name if user else ""),
        "email": settings.get("from_address") or (user.email if user else ""),
        "company": profile.company if profile else "",
    }
    company = {}
    if profile is not None:
        company = {"name": profile.company, "offer": profile.offer, "website": profile.website,
                   "postal_address": profile.postal_address}
    company["postal_address"] = compliance.postal_address(session, actor_id)
    return sender, company


@dataclass(frozen=True, slots=True)
class _Source:
    """What every recipient's message is rendered from."""

    message: MessageSource
    content_sid: str = ""
    content_variables: dict[str, str] = field(default_factory=dict)


def _missing_reason(exc: TemplateError) -> str:
    names = ", ".join(exc.missing) or "a variable"
    where = f" in {exc.part}" if exc.part not in (None, "subject", "body") else ""
    return f"missing {names}{where}: add a value to the lead or a fallback to the template"


class ComposeService:
    def __init__(
        self, ctx: ServiceContext, credits: CreditService, integrations: IntegrationService
    ) -> None:
        self._ctx = ctx
        self._credits = credits
        self._integrations = integrations

    # -- recipients ------------------------------------------------------------------------
    def leads_in_view(self, name: str) -> list[uuid.UUID]:
        """The lead ids of the acting user's saved view ``name`` (its filters, not its page)."""
        return self.view_audience(name).lead_ids

    def view_names(self) -> list[str]:
        """The acting user's saved views by name (see ``messaging.audience``)."""
        return audience.view_names(self._ctx)

    def view_audience(self, name: str) -> ViewAudience:
        """The leads and campaign of the saved view ``name`` (see ``messaging.audience``)."""
        return audience.view_audience(self._ctx, name, MAX_RECIPIENTS)

    def sender_values(self, channel: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The ``sender`` and ``company`` variables a message on ``channel`` is rendered with
        (so that the composer's preview shows what :meth:`plan` will send)."""
        chan = parse_choice(Channel, channel, "channel")
        try:
            integration: IntegrationRecord | None = self._integrations.for_channel(chan.value)
        except (ValidationError, NotFoundError):  # no channel yet: the user and profile alone
            integration = None
        with self._ctx.store.read() as session:
            return _sender_values(session, self._ctx.actor.id, integration)

    # -- planning --------------------------------------------------------------------------
    def plan(
        self,
        channel: str,
        lead_ids: Sequence[uuid.UUID],
        *,
        template_id: uuid.UUID | None = None,
        subject: str = "",
        body: str = "",
        via: str | None = None,
        integration: IntegrationRecord | None = None,
        campaign_id: uuid.UUID | None = None,
        at: dt.datetime | None = None,
    ) -> ComposePlan:
        """Render and quote the send (from ``at``, default now) without writing anything."""
        chan = parse_choice(Channel, channel, "channel")
        if not lead_ids:
            raise ValidationError("leads", "no recipients")
        if len(lead_ids) > MAX_RECIPIENTS:
            raise ValidationError("leads", f"more than {MAX_RECIPIENTS:,} recipients")
        if integration is None:
            integration = self._integrations.for_channel(chan.value, via)
        with self._ctx.store.read() as session:
            if campaign_id is not None and session.get(Campaign, campaign_id) is None:
                raise NotFoundError("campaign", campaign_id)
            source = self._source(session, chan, template_id, subject, body)
            sender, company = _sender_values(session, self._ctx.actor.id, integration)
            demo = compliance.demo_marked(session)
            previews = [self._preview(session, chan, lead, source, sender, company, demo)
                        for lead in self._leads(session, lead_ids)]
            quote = quote_send(
                session, self._credits, integration, chan.value,
                to_send=sum(1 for p in previews if p.sendable), recipients=len(previews),
                held_reasons=[p.held_reason for p in previews if not p.blocked_reason],
                blocked_reasons=[p.blocked_reason for p in previews], now=utcnow(), at=at)
        balance = self._credits.balance()
        return ComposePlan(chan.value, integration.id, template_id, tuple(previews),
                           quote.price_each, balance.available, balance.unlimited, quote,
                           source.content_sid, campaign_id, at)

    @staticmethod
    def _source(session: Session, chan: Channel, template_id: uuid.UUID | None,
                subject: str, body: str) -> _Source:
        if template_id is None:
            if not body.strip():
                raise ValidationError("body", "is empty")
            return _Source(MessageSource(body=body, subject=subject))
        template = session.get(MessageTemplate, template_id)
        if template is None:
            raise NotFoundError("template", template_id)
        if template.channel is not chan:
            raise ValidationError("template", f"{template.name} is a {template.channel.value} "
                                              f"template, not {chan.value}")
        return _Source(MessageSource(body=template.body, subject=template.subject),
                       template.content_sid, dict(template.content_variables or {}))

    @staticmethod
    def _leads(session: Session, lead_ids: Sequence[uuid.UUID]) -> list[Lead]:
        by_id: dict[uuid.UUID, Lead] = {}
        ids = list(dict.fromkeys(lead_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            by_id.update((lead.id, lead) for lead in session.scalars(
                select(Lead).where(Lead.id.in_(chunk))))
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise NotFoundError("lead", missing[0])
        return [by_id[i] for i in ids]

    @staticmethod
    def _preview(session: Session, chan: Channel, lead: Lead, src: _Source,
                 sender: dict[str, Any], company: dict[str, Any], demo: bool) -> Preview:
        """``demo``: the database still holds demo data (``compliance.demo_hold``)."""
        base = {"lead_id": lead.id, "lead_name": lead.full_name or lead.email or str(lead.id),
                "to_address": address_for(chan, lead)}
        blocked = suppression.blocked_reason(session, lead)
        source = src.message
        context = RenderContext(lead=lead_values(lead), sender=sender, company=company)
        no_address = "" if base["to_address"] else f"the lead has no {_ADDRESS_NAMES[chan]}"
        try:
            rendered = render(source, context)
            variables = whatsapp_content.render_variables(src.content_variables, context)
        except TemplateError as exc:
            if exc.kind != "missing":
                raise ValidationError(exc.part or "body", exc.message) from None
            return Preview(**base, subject=source.subject or "", body=source.body,
                           held_reason=no_address or _missing_reason(exc),
                           blocked_reason=blocked or "")
        subject = rendered.subject if chan is Channel.EMAIL or chan is Channel.LINKEDIN else ""
        if src.content_sid:  # the approved template's text is sent, not the body
            issues = tuple(whatsapp_content.variable_issues(variables))
        else:
            issues = tuple(channel_rules.check(chan.value, subject, rendered.body_text))
        errors = [i.message for i in issues if i.level == "error"]
        held = no_address or (errors[0] if errors else "") or compliance.held_reason(
            chan.value, company.get("postal_address")) or compliance.demo_hold(demo, lead.id)
        return Preview(**base, subject=subject, body=rendered.body_text, held_reason=held,
                       blocked_reason=blocked or "", issues=issues, content_variables=variables)

    # -- committing ------------------------------------------------------------------------
    def commit(
        self, plan: ComposePlan, *, at: dt.datetime | None = None, draft: bool = False
    ) -> ComposeResult:
        """Write the plan to the outbox in one transaction. Blocked leads get no message. Each
        message carries the quote's price (what the dispatcher reserves) and the plan's campaign;
        ``at`` defaults to the time the plan was quoted for."""
        at = at if at is not None else plan.at
        if at is not None and at.tzinfo is None:
            raise ValidationError("at", "needs a time zone")
        now = utcnow()
        chan = Channel(plan.channel)
        ids: list[uuid.UUID] = []
        counts = {"queued": 0, "held": 0, "drafts": 0}
        with self._ctx.store.write() as session:
            for p in plan.previews:
                if p.blocked_reason:
                    continue
                if draft:
                    state, counts["drafts"] = MessageState.DRAFT, counts["drafts"] + 1
                elif p.held_reason:
                    state, counts["held"] = MessageState.HELD, counts["held"] + 1
                else:
                    state, counts["queued"] = MessageState.QUEUED, counts["queued"] + 1
                msg = Message(
                    channel=chan, lead_id=p.lead_id, template_id=plan.template_id,
                    integration_id=plan.integration_id, to_address=p.to_address,
                    campaign_id=plan.campaign_id,
                    subject=p.subject, body=p.body, state=state, hold_reason=p.held_reason,
                    cost=plan.price_each, scheduled_at=at, content_sid=plan.content_sid,
                    content_variables=dict(p.content_variables) if plan.content_sid else None,
                    next_attempt_at=at if at and at > now else now,
                    owner_id=self._ctx.actor.id,
                )
                session.add(msg)
                session.flush()
                ids.append(msg.id)
            activity.record(
                session, self._ctx.actor.id, "compose", "message", ids[0] if ids else "",
                summary=f"{plan.channel}: {counts['queued']} queued, {counts['held']} held, "
                        f"{counts['drafts']} drafts, {len(plan.blocked)} do-not-contact"
                        + (f", scheduled {at:%Y-%m-%d %H:%M} UTC" if at else ""),
            )
        return ComposeResult(tuple(ids), counts["queued"], counts["held"], counts["drafts"],
                             len(plan.blocked), counts["queued"] * plan.price_each)

    def queue(self, message_ids: Iterable[uuid.UUID], at: dt.datetime | None = None) -> int:
        """Send drafts and held messages now or at ``at``, in one transaction.

        A message held back (a missing variable, no address, a channel rule) was stored as its
        template, unrendered: it is rendered again against its lead as the lead is now, so
        what goes out is never the template text. One that is still held back, or whose lead
        is on the do-not-contact list, is refused with the reason, and nothing is queued."""
        if at is not None and at.tzinfo is None:
            raise ValidationError("at", "needs a time zone")
        now = utcnow()
        count = 0
        senders: dict[uuid.UUID | None, tuple[dict[str, Any], dict[str, Any]]] = {}
        with self._ctx.store.write() as session:
            demo = compliance.demo_marked(session)
            for message_id in message_ids:
                message = session.get(Message, message_id)
                if message is None:
                    raise NotFoundError("message", message_id)
                if message.state not in (MessageState.DRAFT, MessageState.HELD):
                    raise ValidationError("state", f"message is {message.state.value}")
                lead = session.get(Lead, message.lead_id)
                if lead is None:
                    raise ValidationError("lead", f"deleted (message {message.id})")
                if message.hold_reason or message.state is MessageState.HELD:
                    self._render_again(session, message, lead, senders, demo)
                reason = suppression.blocked_reason(session, lead)
                if reason:
                    raise ValidationError("lead", f"{reason} (message {message.id})")
                message.state = MessageState.QUEUED
                message.hold_reason = ""
                message.scheduled_at = at
                message.next_attempt_at = at if at and at > now else now
                activity.record(session, self._ctx.actor.id, "queue", "message", message.id,
                                lead_id=message.lead_id, summary="queued for sending")
                count += 1
        return count

    def _render_again(
        self, session: Session, message: Message, lead: Lead,
        senders: dict[uuid.UUID | None, tuple[dict[str, Any], dict[str, Any]]], demo: bool,
    ) -> None:
        """Render a held message from its template (or its own stored text) for ``lead``;
        ``senders`` keeps the sender values of each integration seen in this call."""
        chan = message.channel
        if message.template_id is not None:
            source = self._source(session, chan, message.template_id, "", "")
        else:
            source = _Source(MessageSource(body=message.body, subject=message.subject))
        if message.integration_id not in senders:
            integration = None
            if message.integration_id is not None:
                try:
                    integration = self._integrations.get(message.integration_id)
                except NotFoundError:  # removed since: the user and profile alone
                    integration = None
            senders[message.integration_id] = _sender_values(session, self._ctx.actor.id,
                                                             integration)
        sender, company = senders[message.integration_id]
        preview = self._preview(session, chan, lead, source, sender, company, demo)
        if preview.held_reason:
            raise ValidationError("message", f"{message.id} (to {preview.lead_name}) is still "
                                             f"held: {preview.held_reason}")
        message.to_address = preview.to_address
        message.subject = preview.subject
        message.body = preview.body
        if source.content_sid:
            message.content_variables = dict(preview.content_variables)

    def send(self, channel: str, lead_ids: Iterable[uuid.UUID], *,
             at: dt.datetime | None = None, **source: Any) -> ComposeResult:
        """Plan and commit in one call (scripts and tests; the GUI confirms in between)."""
        return self.commit(self.plan(channel, list(lead_ids), at=at, **source))
