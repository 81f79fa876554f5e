"""The common interface every channel implements, and the errors the dispatcher acts on.

A channel knows how to hand one message to one provider and nothing else: no database, no credits,
no retries. It reports the outcome through the return value or one of three error classes, chosen
so the dispatcher can decide *safely* what to do next:

- :class:`TemporaryChannelError`: nothing was delivered; retry later (after ``retry_after``).
- :class:`PermanentChannelError`: nothing was delivered and a retry will fail the same way.
- :class:`AmbiguousSendError`: the request may have reached the provider; a blind retry could send
  the message twice, so the dispatcher must check (``fetch_status``) or ask a person first.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit


class ChannelKind(enum.StrEnum):
    """The channels LeadDesk sends on (same values as ``leaddesk.store.enums.Channel``)."""

    EMAIL = "email"
    LINKEDIN = "linkedin"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    VOICE = "voice"


class DeliveryState(enum.StrEnum):
    """A provider's status reduced to what the outbox records (values match ``MessageState``)."""

    QUEUED = "queued"  # the provider accepted it and has not handed it on yet
    SENT = "sent"  # handed to the carrier / the recipient's mail server
    DELIVERED = "delivered"  # the provider confirms delivery (or the call was answered)
    FAILED = "failed"  # the provider gave up after accepting it
    TASK = "task"  # a manual channel: a person still has to send it


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One rendered message, ready to hand to a channel.

    ``message_id`` is our own id for the message (a UUID from the outbox); channels use it where a
    provider lets us label a message, so a reply or bounce can be traced back even when storing
    the provider id failed.
    """

    message_id: str
    channel: ChannelKind
    to: str
    from_: str
    body_text: str
    subject: str = ""
    body_html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    lead_id: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    sender_postal_address: str | None = None
    status_callback_url: str | None = None
    #: WhatsApp: an approved content template (Twilio Content SID ``HX...``) to send instead of
    #: a free-form body (required outside the 24-hour session window), and its variables
    #: (``{"1": "Ann"}``).
    content_sid: str | None = None
    content_variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the provider said when it took the message.

    ``provider_id`` is the id to store on the message (an email's Message-ID, a Twilio SID);
    ``None`` for manual channels. ``raw`` holds the provider's own answer for the audit log.
    """

    provider_id: str | None
    status: DeliveryState
    raw: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Channel(Protocol):
    """What the dispatcher needs from a channel. Implementations must be safe to call from a
    worker thread; every network call has a timeout and verifies TLS."""

    @property
    def kind(self) -> ChannelKind: ...

    def send(self, msg: OutgoingMessage) -> SendResult:
        """Hand ``msg`` to the provider, or raise one of the channel errors."""
        ...

    def fetch_status(self, provider_id: str) -> str | None:
        """The current :class:`DeliveryState` of a sent message, or ``None`` where the provider
        cannot say (SMTP: outcomes arrive later as bounces and replies over IMAP)."""
        ...

    def test_connection(self) -> None:
        """Check settings and credentials without sending anything; raise a channel error."""
        ...


class ChannelError(Exception):
    """Base of the errors a channel raises. ``str(error)`` is safe to show and to log: it never
    contains a secret."""


class TemporaryChannelError(ChannelError):
    """Nothing was delivered and trying again later may work (busy, rate limited, offline)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentChannelError(ChannelError):
    """Nothing was delivered and retrying the same message will not help."""

    def __init__(self, message: str, code: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code


class ChannelConfigurationError(PermanentChannelError):
    """The channel itself is unusable (bad credentials, TLS failure, missing setting): every
    message would fail, so the dispatcher should pause the channel rather than fail messages."""


class InvalidRecipientError(PermanentChannelError):
    """The recipient address or number is malformed; caught before anything is sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_recipient")


class AmbiguousSendError(ChannelError):
    """The request may or may not have reached the provider (timeout or disconnect after the
    request was sent). Retrying blindly could deliver the message twice."""


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback_host(host: str) -> bool:
    """True for names and addresses that never leave this machine."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_tls_unless_loopback(uses_tls: bool, host: str, protocol: str) -> None:
    """Refuse a clear-text connection (passwords in the open) to anything but this machine."""
    if not uses_tls and not is_loopback_host(host):
        raise ChannelConfigurationError(
            f"{protocol} without TLS is allowed only for a server on this machine", code="insecure"
        )


def require_secure_url(url: str, what: str) -> None:
    """Refuse URLs that would send credentials in clear text (``http://`` only on loopback)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return
    raise ChannelConfigurationError(
        f"{what} must be an https:// URL (http:// is allowed only on this machine): {url!r}",
        code="insecure_url",
    )
