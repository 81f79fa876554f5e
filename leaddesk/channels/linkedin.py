"""LinkedIn as a manual, tracked task: LeadDesk prepares the message, a person sends it.

``send`` does not contact LinkedIn. It checks the profile URL and returns status ``task`` with
what the person needs (profile URL, text); the dispatcher turns that into a task ("open profile,
copy text, mark sent"), and credits are consumed only when the task is marked sent. A provider
that sends LinkedIn messages through an API can later implement the same
:class:`~leaddesk.channels.base.Channel` interface and replace this class in the registry.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from leaddesk.channels.base import (
    ChannelKind,
    DeliveryState,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
    SendResult,
)

# Profile paths: /in/<slug> for people, /pub/... for old public profiles, /sales/lead/... for
# Sales Navigator. Subdomains like de.linkedin.com are country versions of the same site.
_PROFILE_PATH = re.compile(r"^/(in|pub|sales/lead|sales/people)/[^/?#\s]+(/.*)?$", re.IGNORECASE)
CONNECTION_NOTE_LIMIT = 300  # characters LinkedIn allows in a connection request note


def normalize_profile_url(url: str) -> str:
    """``https://www.linkedin.com/in/<slug>`` for any form of a profile link, else
    :class:`InvalidRecipientError`."""
    raw = url.strip()
    if not re.match(r"^[a-z]+://", raw, re.IGNORECASE):
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        raise InvalidRecipientError(f"{url!r} is not a LinkedIn profile URL")
    if not _PROFILE_PATH.match(parts.path):
        raise InvalidRecipientError(
            f"{url!r} is not a LinkedIn profile URL (expected linkedin.com/in/<name>)"
        )
    path = parts.path.rstrip("/")
    return f"https://www.linkedin.com{path}"


class LinkedInTaskChannel:
    """The manual LinkedIn channel. ``to`` of a message is the lead's profile URL."""

    kind = ChannelKind.LINKEDIN

    def send(self, msg: OutgoingMessage) -> SendResult:
        """Prepare the task; nothing leaves this machine and nothing is charged yet."""
        if not msg.body_text.strip():
            raise PermanentChannelError("the LinkedIn message is empty", code="empty_body")
        profile_url = normalize_profile_url(msg.to)
        return SendResult(
            provider_id=None,
            status=DeliveryState.TASK,
            raw={
                "action": "open_profile_and_send",
                "profile_url": profile_url,
                "subject": msg.subject,
                "text": msg.body_text,
                "fits_connection_note": len(msg.body_text) <= CONNECTION_NOTE_LIMIT,
            },
        )

    def fetch_status(self, provider_id: str) -> str | None:
        """A person marks the task done; there is nobody to ask."""
        return None

    def test_connection(self) -> None:
        """Nothing to connect to."""
