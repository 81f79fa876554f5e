"""Turning a claimed outbox row into what a channel sends (addresses, compliance headers)."""

from __future__ import annotations

from leaddesk.channels.base import ChannelKind, OutgoingMessage
from leaddesk.channels.email_mime import make_message_id
from leaddesk.sending.claims import Claimed
from leaddesk.services.messaging.integrations import IntegrationRecord, smtp_settings


def unsubscribe_mailto(record: IntegrationRecord) -> str | None:
    s = record.settings
    if s.get("unsubscribe_mailto"):
        return str(s["unsubscribe_mailto"])
    return f"{s['from_address']}?subject=unsubscribe" if s.get("from_address") else None


def outgoing(
    msg: Claimed, record: IntegrationRecord, postal_address: str | None
) -> OutgoingMessage:
    s = record.settings
    kind = ChannelKind(msg.channel)
    if kind is ChannelKind.EMAIL:
        url = s.get("unsubscribe_url")
        return OutgoingMessage(
            message_id=str(msg.id), channel=kind, to=msg.to_address, from_=s["from_address"],
            from_name=s.get("from_name") or None, reply_to=s.get("reply_to") or None,
            subject=msg.subject, body_text=msg.body, lead_id=str(msg.lead_id),
            unsubscribe_mailto=unsubscribe_mailto(record),
            unsubscribe_url=url.replace("{message_id}", str(msg.id)) if url else None,
            sender_postal_address=postal_address or None,
        )
    sender = s.get("from_number") or ""
    return OutgoingMessage(message_id=str(msg.id), channel=kind, to=msg.to_address, from_=sender,
                           subject=msg.subject, body_text=msg.body, lead_id=str(msg.lead_id),
                           content_sid=msg.content_sid or None,
                           content_variables=msg.content_variables or {})


def expected_provider_id(channel: str, record: IntegrationRecord | None, message_id: str) -> str:
    """The id the provider knows the message by, where we can know it without an answer:
    an email's Message-ID is derived from our id (so a reply still matches an "unknown")."""
    if channel == ChannelKind.EMAIL.value and record is not None and record.kind == "email":
        return make_message_id(message_id, smtp_settings(record.settings).message_id_domain)
    return ""
