"""Configured channels: an ``Integration`` row holds the settings, the keyring the secrets.

Kinds: ``email`` (an SMTP account, optionally its IMAP inbox for replies and bounces),
``twilio`` (a Twilio-compatible account for SMS, WhatsApp and voice) and ``linkedin`` (manual
tasks). Settings are checked against a small schema per kind (``integration_schemas``) so a
typo fails when the channel is added, not at the first send. Secrets (``smtp_password``,
``imap_password``, ``auth_token``) go to :class:`~leaddesk.channels.secrets.SecretStore` under
``leaddesk:<integration id>`` and never into the database, the audit log or an error message.
"""

from __future__ import annotations

import datetime as dt
import functools
import ssl
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from leaddesk.channels.base import Channel, ChannelError, ChannelKind
from leaddesk.channels.email_smtp import SmtpEmailChannel, SmtpSecurity, SmtpSettings
from leaddesk.channels.imap_inbox import ImapInbox, ImapSecurity, ImapSettings
from leaddesk.channels.linkedin import LinkedInTaskChannel
from leaddesk.channels.secrets import SecretStore
from leaddesk.channels.twilio import (
    TwilioSettings,
    TwilioSmsChannel,
    TwilioVoiceChannel,
    TwilioWhatsAppChannel,
)
from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.messaging.integration_schemas import SCHEMAS, SECRETS, secret_names
from leaddesk.services.records import to_record
from leaddesk.services.validation import require_text
from leaddesk.store.models import Integration
from leaddesk.store.types import utcnow

SERVES: dict[str, tuple[ChannelKind, ...]] = {
    "email": (ChannelKind.EMAIL,),
    "twilio": (ChannelKind.SMS, ChannelKind.WHATSAPP, ChannelKind.VOICE),
    "linkedin": (ChannelKind.LINKEDIN,),
}
#: Where no cap is configured: conservative defaults in line with provider limits.
DEFAULT_DAILY_CAP = {"email": 500, "twilio": 2000, "linkedin": 100}


@dataclass(frozen=True, slots=True)
class IntegrationRecord:
    id: uuid.UUID
    kind: str
    name: str
    settings: dict[str, Any]
    status: str
    created_at: dt.datetime

    def serves(self, channel: str) -> bool:
        return ChannelKind(channel) in SERVES.get(self.kind, ())

    def limit(self, key: str, default: float | None = None) -> float | None:
        value = self.settings.get(key)
        return default if value is None else float(value)


def clean_settings(kind: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings checked and converted against the kind's schema."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise ValidationError("kind", f"{kind!r} is not one of {', '.join(SCHEMAS)}")
    out: dict[str, Any] = {}
    for key, value in settings.items():
        field = schema.get(key)
        if field is None:
            raise ValidationError(key, f"is not a setting of a {kind} channel")
        if key in SECRETS[kind]:
            raise ValidationError(key, "is a secret: give it separately")
        try:
            out[key] = field.type(value)
        except (TypeError, ValueError):
            raise ValidationError(key, f"{value!r} is not a {field.type.__name__}") from None
    for key, field in schema.items():
        if field.required and out.get(key) in (None, ""):
            raise ValidationError(key, "is required")
    if "security" in out:
        _choice(SmtpSecurity, out["security"], "security")
    if "imap_security" in out:
        _choice(ImapSecurity, out["imap_security"], "imap_security")
    return out


def _choice(enum_cls: Any, value: str, field: str) -> None:
    try:
        enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationError(field, f"{value!r} is not one of {allowed}") from None


@functools.lru_cache(maxsize=16)
def _context_for(ca_file: str | None) -> ssl.SSLContext:
    """One verifying client context per CA file, shared: loading the system's CA certificates
    costs ~50 ms of CPU, which a new context per connection would pay every time."""
    return ssl.create_default_context(cafile=ca_file)


def _ssl_context(settings: Mapping[str, Any]) -> ssl.SSLContext:
    """The system's trusted CAs, or a company relay's own CA file; verification stays on."""
    return _context_for(settings.get("ca_file") or None)


def smtp_settings(s: Mapping[str, Any], name: str = "") -> SmtpSettings:
    from_domain = str(s["from_address"]).rpartition("@")[2] or "localhost"
    return SmtpSettings(
        host=s["host"], port=int(s["port"]),
        message_id_domain=s.get("message_id_domain") or from_domain,
        security=SmtpSecurity(s.get("security", "starttls")), username=s.get("username") or None,
        timeout=float(s.get("timeout", 30.0)),
        max_messages_per_connection=int(s.get("max_messages_per_connection", 50)),
        ssl_context=_ssl_context(s), channel_name=name,
        allow_plaintext_login=bool(s.get("allow_plaintext_login", False)),
    )


def twilio_settings(s: Mapping[str, Any]) -> TwilioSettings:
    keys = ("from_number", "messaging_service_sid", "whatsapp_from", "voice_from", "voice_url",
            "status_callback_url")
    optional = {k: s[k] for k in keys if s.get(k)}
    return TwilioSettings(
        account_sid=s["account_sid"], base_url=s.get("base_url") or "https://api.twilio.com",
        voice_language=s.get("voice_language") or "en-US", timeout=float(s.get("timeout", 15.0)),
        ssl_context=_ssl_context(s), **optional,
    )


class IntegrationService:
    def __init__(self, ctx: ServiceContext, secrets: SecretStore | None = None) -> None:
        self._ctx = ctx
        self.secrets = secrets or SecretStore()

    # -- configuration ---------------------------------------------------------------------
    def add(
        self, kind: str, name: str, settings: Mapping[str, Any],
        secrets: Mapping[str, str] | None = None,
    ) -> IntegrationRecord:
        """Create a channel. Secrets are stored first: a keyring failure leaves no row behind."""
        values = clean_settings(kind, settings)
        name = require_text(name, "name", 200)
        secrets = dict(secrets or {})
        for key in secrets:
            if key not in SECRETS[kind]:
                raise ValidationError(key, f"is not a secret of a {kind} channel")
        if self._find(name) is not None:
            raise ValidationError("name", f"a channel named {name!r} exists")
        new_id = uuid.uuid4()
        for key, value in secrets.items():
            self.secrets.set(new_id, key, value)
        try:
            with self._ctx.store.write() as session:
                row = Integration(id=new_id, kind=kind, name=name, settings=values,
                                  status="configured", owner_id=self._ctx.actor.id)
                session.add(row)
                session.flush()
                activity.record(session, self._ctx.actor.id, "create", "integration", row.id,
                                summary=f"added {kind} channel {name}",
                                changes={k: [None, v] for k, v in values.items()})
                return to_record(IntegrationRecord, row)
        except BaseException:
            for key in secrets:
                self.secrets.delete(new_id, key)
            raise

    def update(
        self, ref: str | uuid.UUID, settings: Mapping[str, Any],
        secrets: Mapping[str, str] | None = None,
    ) -> IntegrationRecord:
        """Change some settings (a ``None`` or empty value removes an optional one) and replace
        the secrets given; the result is checked as a whole, as when the channel was added."""
        record = self.get(ref)
        merged = {**record.settings, **settings}
        merged = {k: v for k, v in merged.items() if v not in (None, "")}
        values = clean_settings(record.kind, merged)
        secrets = dict(secrets or {})
        for key in secrets:
            if key not in SECRETS[record.kind]:
                raise ValidationError(key, f"is not a secret of a {record.kind} channel")
        for key, value in secrets.items():
            self.secrets.set(record.id, key, value)
        with self._ctx.store.write() as session:
            row = session.get(Integration, record.id)
            assert row is not None
            changes = {k: [record.settings.get(k), values.get(k)]
                       for k in set(record.settings) | set(values)
                       if record.settings.get(k) != values.get(k)}
            row.settings = values
            row.status = "configured"
            activity.record(session, self._ctx.actor.id, "update", "integration", row.id,
                            summary=f"changed {row.kind} channel {row.name}", changes=changes)
            session.flush()
            return to_record(IntegrationRecord, row)

    def list(self, kind: str | None = None) -> list[IntegrationRecord]:
        stmt = select(Integration).order_by(Integration.created_at, Integration.id)
        if kind:
            stmt = stmt.where(Integration.kind == kind)
        with self._ctx.store.read() as session:
            return [to_record(IntegrationRecord, row) for row in session.scalars(stmt)]

    def _find(self, ref: str | uuid.UUID) -> IntegrationRecord | None:
        for record in self.list():
            if str(record.id) == str(ref) or record.name == ref:
                return record
        return None

    def get(self, ref: str | uuid.UUID) -> IntegrationRecord:
        """By id or name."""
        found = self._find(ref)
        if found is None:
            raise NotFoundError("channel", ref)
        return found

    def for_channel(self, channel: str, ref: str | None = None) -> IntegrationRecord:
        """The integration named ``ref``, or the first one configured for ``channel``."""
        if ref:
            record = self.get(ref)
            if not record.serves(channel):
                raise ValidationError("channel", f"{record.name} does not send {channel}")
            return record
        for record in self.list():
            if record.serves(channel):
                return record
        raise ValidationError("channel", f"no {channel} channel is configured "
                                         "(leaddesk channel add)")

    def remove(self, ref: str | uuid.UUID) -> None:
        record = self.get(ref)
        with self._ctx.store.write() as session:
            row = session.get(Integration, record.id)
            assert row is not None
            row.deleted_at = utcnow()
            activity.record(session, self._ctx.actor.id, "delete", "integration", row.id,
                            summary=f"removed {row.kind} channel {row.name}")
        for key in secret_names(record.kind, record.settings):
            self.secrets.delete(record.id, key)

    def set_status(self, integration_id: uuid.UUID, status: str) -> None:
        with self._ctx.store.write() as session:
            row = session.get(Integration, integration_id)
            if row is None:
                raise NotFoundError("channel", integration_id)
            if row.status != status:
                row.status = status[:50]

    def test(self, ref: str | uuid.UUID) -> str:
        """Connect without sending; records and returns "ok" or the channel's error."""
        record = self.get(ref)
        status = "ok"
        try:
            channel = self.build(record, SERVES[record.kind][0])
            try:
                channel.test_connection()
            finally:
                close = getattr(channel, "close", None)
                if close:
                    close()
            if record.kind == "email" and record.settings.get("imap_host"):
                self.inbox(record).test_connection()
        except ChannelError as exc:
            status = f"error: {exc}"
        self.set_status(record.id, status if status == "ok" else "error")
        return status

    # -- building channels ----------------------------------------------------------------
    def build(self, record: IntegrationRecord, channel: str | ChannelKind) -> Channel:
        """A new channel object for ``channel`` over this integration (one per worker thread)."""
        kind = ChannelKind(channel)
        s = record.settings
        if record.kind == "email" and kind is ChannelKind.EMAIL:
            # No login, no keyring: a relay on this machine needs no password.
            password = self.secrets.get(record.id, "smtp_password") if s.get("username") else None
            return SmtpEmailChannel(smtp_settings(s, record.name), password)
        if record.kind == "twilio" and kind in SERVES["twilio"]:
            token = self.secrets.get(record.id, "auth_token") or ""
            cls = {ChannelKind.SMS: TwilioSmsChannel, ChannelKind.WHATSAPP: TwilioWhatsAppChannel,
                   ChannelKind.VOICE: TwilioVoiceChannel}[kind]
            return cls(twilio_settings(s), token)
        if record.kind == "linkedin" and kind is ChannelKind.LINKEDIN:
            return LinkedInTaskChannel()
        raise ValidationError("channel", f"{record.name} ({record.kind}) does not send {kind}")

    def inbox(self, record: IntegrationRecord) -> ImapInbox:
        s = record.settings
        if record.kind != "email" or not s.get("imap_host"):
            raise ValidationError("imap_host", f"{record.name} has no IMAP inbox configured")
        settings = ImapSettings(
            host=s["imap_host"], port=int(s.get("imap_port", 993)),
            username=s.get("imap_username") or s.get("username") or s["from_address"],
            security=ImapSecurity(s.get("imap_security", "ssl")),
            mailbox=s.get("imap_mailbox") or "INBOX", ssl_context=_ssl_context(s),
        )
        password = self.secrets.get(record.id, "imap_password")
        if password is None:
            password = self.secrets.get(record.id, "smtp_password") or ""
        return ImapInbox(settings, password)
