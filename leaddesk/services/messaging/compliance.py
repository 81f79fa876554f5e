"""Compliance in every email: the sender's postal address and a visible way to unsubscribe.

Anti-spam laws (CAN-SPAM, the EU's ePrivacy rules) want both in every commercial email, so an
email without a postal address is not sent: compose holds it with :data:`NO_POSTAL_ADDRESS`, and
the dispatcher holds it again if the address was removed while it waited in the queue. The
footer itself is built with the message (``channels/email_mime``); :func:`preview_footer` is the
same text for the composer's preview.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.channels.email_mime import text_footer
from leaddesk.services import settings
from leaddesk.store.ids import is_demo_id
from leaddesk.store.models import BusinessProfile

NO_POSTAL_ADDRESS = "no postal address: set it in Settings ▸ Sender"
#: A demo database's free credits pay for demo leads only: a real lead waits until the demo
#: data (and its credits) are gone, so no real message is ever paid with demo credits.
DEMO_CREDITS_ONLY = ("demo data is still here, and its free credits pay for demo leads only: "
                     "remove it (File ▸ Remove demo data…) before messaging real leads")


def postal_address(session: Session, actor_id: uuid.UUID | None) -> str:
    """The postal address an email from ``actor_id`` carries: their business profile's (else
    the first profile's), else the database-wide sender setting; "" when there is none."""
    profile = None
    if actor_id is not None:
        profile = session.scalar(
            select(BusinessProfile).where(BusinessProfile.user_id == actor_id).limit(1))
    if profile is None:
        profile = session.scalar(
            select(BusinessProfile).order_by(BusinessProfile.created_at).limit(1))
    if profile is not None and (profile.postal_address or "").strip():
        return profile.postal_address.strip()
    value = settings.get_in(session, settings.SENDER_POSTAL_ADDRESS)
    return str(value).strip() if value else ""


def held_reason(channel: str, address: str | None) -> str:
    """Why a message on ``channel`` cannot go out for compliance, or "" when it can."""
    if channel == "email" and not (address or "").strip():
        return NO_POSTAL_ADDRESS
    return ""


def demo_marked(session: Session) -> bool:
    """Whether the database still holds demo data (read once per compose, not per lead)."""
    return bool(settings.get_in(session, settings.DEMO_DATABASE, False))


def demo_hold(marked: bool, lead_id: uuid.UUID) -> str:
    """:data:`DEMO_CREDITS_ONLY` for a real lead on a database still ``marked`` demo, else ""."""
    return DEMO_CREDITS_ONLY if marked and not is_demo_id(lead_id) else ""


def preview_footer(channel: str, address: str | None, sender_email: str | None = None) -> str:
    """The footer the composer shows under an email's preview ("" for other channels): as sent
    by a mailbox with the default unsubscribe address, its own (``sender_email``)."""
    if channel != "email":
        return ""
    return text_footer(address, None, sender_email or None)
