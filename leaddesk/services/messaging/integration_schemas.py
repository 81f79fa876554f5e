"""What each kind of configured channel is set up with: its settings (with their types) and
its secrets.

Plain data, apart from :mod:`leaddesk.services.messaging.integrations` (which imports every
channel), so that ``leaddesk channel add --help`` can list the settings without loading them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", ""})


def boolean(value: Any) -> bool:
    """A yes/no setting from the command line ("true", "no", ...) or JSON (true, false);
    ``bool("false")`` would be True, hence this."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not true or false")


@dataclass(frozen=True, slots=True)
class Field:
    type: Callable[[Any], Any]  # converts a given value; its __name__ names it in errors
    required: bool = False


_LIMITS = {  # shared by every kind: rate limits and caps the dispatcher enforces
    "rate_per_minute": Field(float),
    "hourly_cap": Field(int),
    "daily_cap": Field(int),
}
SCHEMAS: dict[str, dict[str, Field]] = {
    "email": {
        "host": Field(str, True), "port": Field(int, True), "security": Field(str),
        "username": Field(str), "from_address": Field(str, True), "from_name": Field(str),
        "message_id_domain": Field(str), "reply_to": Field(str),
        "unsubscribe_mailto": Field(str), "unsubscribe_url": Field(str),
        "max_messages_per_connection": Field(int), "timeout": Field(float),
        "ca_file": Field(str),
        #: Send the SMTP password over a connection without TLS (a local relay); off by default.
        "allow_plaintext_login": Field(boolean),
        "imap_host": Field(str), "imap_port": Field(int), "imap_security": Field(str),
        "imap_username": Field(str), "imap_mailbox": Field(str),
        **_LIMITS,
    },
    "twilio": {
        "account_sid": Field(str, True), "from_number": Field(str),
        "messaging_service_sid": Field(str), "whatsapp_from": Field(str),
        "voice_from": Field(str), "voice_url": Field(str), "voice_language": Field(str),
        "status_callback_url": Field(str), "base_url": Field(str), "timeout": Field(float),
        "ca_file": Field(str),
        **_LIMITS,
    },
    "linkedin": {**_LIMITS},
}
SECRETS: dict[str, tuple[str, ...]] = {
    "email": ("smtp_password", "imap_password"),
    "twilio": ("auth_token",),
    "linkedin": (),
}


def secret_names(kind: str, settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The secrets this configuration uses (a relay without login needs none)."""
    if kind == "email":
        wanted = ["smtp_password"] if settings.get("username") else []
        if settings.get("imap_host"):
            wanted.append("imap_password")
        return tuple(wanted)
    return SECRETS.get(kind, ())
