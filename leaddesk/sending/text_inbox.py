"""Opt-outs by text: an inbound SMS or WhatsApp message that is only "STOP" (or its kin, see
``channels.twilio_inbound``) puts the sender's number on the do-not-contact list and marks the
leads with that number unsubscribed.

Read from each Twilio-compatible channel's Messages list (``To`` = our SMS number and our
WhatsApp sender). Where the last poll got to (a day: Twilio filters sends by date) is kept per
channel in ``app_settings``; that day is read again on the next poll, which is harmless because
a number already on the list is left as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from leaddesk.channels.base import ChannelError
from leaddesk.channels.twilio import TwilioClient, normalize_e164
from leaddesk.channels.twilio_inbound import InboundText, inbound_texts, stop_keyword
from leaddesk.sending.inbox import stop_sequence
from leaddesk.services import activity, settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.messaging import suppression
from leaddesk.services.messaging.integrations import IntegrationRecord
from leaddesk.store.enums import LeadStatus
from leaddesk.store.models import Lead

log = logging.getLogger(__name__)

#: How far back the first poll of a channel looks.
FIRST_POLL_DAYS = 30


@dataclass(frozen=True, slots=True)
class TextInboxReport:
    fetched: int = 0  # inbound messages read
    stops: int = 0  # opt-out keywords among them
    added: int = 0  # numbers newly put on the do-not-contact list
    more: bool = False  # more messages wait for the next poll


def our_numbers(record: IntegrationRecord) -> list[str]:
    """The ``To`` values people reply to: the SMS number and the WhatsApp sender (the SMS
    number too, as WhatsApp messages go out from it when no WhatsApp sender is set)."""
    s = record.settings
    numbers = []
    if s.get("from_number"):
        numbers.append(normalize_e164(str(s["from_number"]), "from_number"))
    whatsapp = s.get("whatsapp_from") or s.get("from_number")
    if whatsapp:
        numbers.append("whatsapp:" + normalize_e164(str(whatsapp), "whatsapp_from"))
    return numbers


def _state_key(record: IntegrationRecord) -> str:
    return f"twilio_inbound:{record.id}"


def poll_texts(ctx: ServiceContext, record: IntegrationRecord, client: TwilioClient,
               *, today: dt.date | None = None) -> TextInboxReport:
    """Read the channel's inbound messages since the last poll and act on opt-outs."""
    today = today or dt.datetime.now(dt.UTC).date()
    saved = settings.get(ctx.store, _state_key(record))
    since = (dt.date.fromisoformat(saved) if saved
             else today - dt.timedelta(days=FIRST_POLL_DAYS))
    fetched = stops = added = 0
    more = False
    newest = since
    for number in our_numbers(record):
        texts, left = inbound_texts(client, number, since)
        more = more or left
        fetched += len(texts)
        for text in texts:
            if text.sent_at is not None:
                newest = max(newest, text.sent_at.astimezone(dt.UTC).date())
            keyword = stop_keyword(text.body)
            if keyword:
                stops += 1
                added += _opt_out(ctx, record, text, keyword)
    if not more:  # else the same day again, so nothing left behind is skipped
        settings.put(ctx.store, _state_key(record), str(newest))
    return TextInboxReport(fetched, stops, added, more)


def _opt_out(ctx: ServiceContext, record: IntegrationRecord, text: InboundText,
             keyword: str) -> int:
    """Suppress the number and mark its leads unsubscribed; 1 if it was not listed yet."""
    value = suppression.normalize("phone", text.from_)
    where = "WhatsApp" if text.whatsapp else "SMS"
    with ctx.store.write() as session:
        if suppression.suppressed(session, [("phone", value)]):
            return 0
        leads = list(session.scalars(select(Lead).where(Lead.phone == value)))
        suppression.add_in(session, ctx.actor.id, "phone", value, "unsubscribe",
                           note=f"{keyword} by {where} to {record.name} ({text.sid})",
                           lead_id=leads[0].id if leads else None)
        for lead in leads:
            lead.status = LeadStatus.UNSUBSCRIBED
            stopped = stop_sequence(session, lead.id)
            activity.record(session, ctx.actor.id, "unsubscribe", "lead", lead.id,
                            lead_id=lead.id, summary=f"{value} texted {keyword} ({where})"
                            + (f"; {stopped} follow-ups stopped" if stopped else ""))
    return 1


def poll_all_texts(ctx: ServiceContext, records: list[IntegrationRecord],
                   channel_for: Callable[[IntegrationRecord], object],
                   ) -> dict[str, TextInboxReport | str]:
    """:func:`poll_texts` on every Twilio channel (``channel_for`` gives its SMS channel, whose
    client is used): its report, or the error that stopped it (a failing channel does not stop
    the others, nor the sending that follows)."""
    reports: dict[str, TextInboxReport | str] = {}
    for record in records:
        try:
            if record.kind != "twilio" or not our_numbers(record):
                continue
            client = getattr(channel_for(record), "client", None)
            if isinstance(client, TwilioClient):
                reports[record.name] = poll_texts(ctx, record, client)
        except ChannelError as exc:
            log.warning("reading opt-outs from %s failed: %s", record.name, exc)
            reports[record.name] = f"error: {exc}"
        except Exception as exc:  # e.g. a member who may not store the poll position
            log.exception("reading opt-outs from %s failed", record.name)
            reports[record.name] = f"error: {type(exc).__name__}"
    return reports
