"""Channels: hand one message to one provider (no Qt, no database, no credits).

- :mod:`~leaddesk.channels.base`: the :class:`Channel` protocol, :class:`OutgoingMessage`,
  :class:`SendResult` and the errors the dispatcher acts on.
- :mod:`~leaddesk.channels.email_smtp` (with :mod:`~leaddesk.channels.email_mime`): email over SMTP.
- :mod:`~leaddesk.channels.imap_inbox` (with :mod:`~leaddesk.channels.inbox_classify`): replies,
  bounces and out-of-office answers read over IMAP.
- :mod:`~leaddesk.channels.twilio`: SMS, WhatsApp and voice through a Twilio-compatible API.
- :mod:`~leaddesk.channels.linkedin`: LinkedIn as a manual task.

Credentials are plain constructor arguments here; they are read from the keyring by the caller.
"""

from leaddesk.channels.base import (
    AmbiguousSendError,
    Channel,
    ChannelConfigurationError,
    ChannelError,
    ChannelKind,
    DeliveryState,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
    SendResult,
    TemporaryChannelError,
)

__all__ = [
    "AmbiguousSendError",
    "Channel",
    "ChannelConfigurationError",
    "ChannelError",
    "ChannelKind",
    "DeliveryState",
    "InvalidRecipientError",
    "OutgoingMessage",
    "PermanentChannelError",
    "SendResult",
    "TemporaryChannelError",
]
