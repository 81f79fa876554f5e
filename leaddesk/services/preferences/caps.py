"""Sending caps per mailbox (channel): daily and hourly caps and a rate, with provider presets.

Caps are stored in the channel's own settings (``daily_cap``, ``hourly_cap``,
``rate_per_minute``), where the dispatcher reads them (``sending/integration_channels.py``);
without a ``daily_cap`` the kind's default applies (``DEFAULT_DAILY_CAP``).

The presets follow the providers' published limits:

- Gmail (personal account): 500 recipients a day ("Gmail sending limits",
  support.google.com/mail/answer/22839);
- Google Workspace: 2,000 messages a day per user ("Gmail sending limits in Google Workspace",
  support.google.com/a/answer/166852);
- Microsoft 365 / Exchange Online: 10,000 recipients a day and 30 messages a minute
  ("Exchange Online limits", learn.microsoft.com/office365/servicedescriptions/
  exchange-online-service-description/exchange-online-limits);
- a new mailbox: 100 a day while it builds a sending reputation (the warm-up start that
  deliverability guides and outreach tools use; raise it week by week);
- Twilio long-code numbers: one message a second ("Understanding Twilio rate limits and message
  queues", help.twilio.com/articles/115002943027).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging.integrations import (
    DEFAULT_DAILY_CAP,
    IntegrationRecord,
    IntegrationService,
)


@dataclass(frozen=True, slots=True)
class Preset:
    key: str
    label: str
    kind: str
    daily: int | None
    hourly: int | None = None
    per_minute: float | None = None


PRESETS: tuple[Preset, ...] = (
    Preset("new_mailbox", "New mailbox (warm-up)", "email", 100),
    Preset("gmail", "Gmail", "email", 500),
    Preset("google_workspace", "Google Workspace", "email", 2_000),
    Preset("microsoft_365", "Microsoft 365", "email", 10_000, per_minute=30),
    Preset("twilio_long_code", "Twilio long code", "twilio", 2_000, per_minute=60),
    Preset("linkedin_manual", "LinkedIn (manual tasks)", "linkedin", 100),
)


@dataclass(frozen=True, slots=True)
class Caps:
    """A channel's caps as the dispatcher applies them."""

    daily: int | None
    hourly: int | None
    per_minute: float | None
    #: True when no daily cap is stored and the kind's default applies.
    daily_is_default: bool


def presets_for(kind: str) -> list[Preset]:
    return [preset for preset in PRESETS if preset.kind == kind]


def preset(key: str) -> Preset:
    for found in PRESETS:
        if found.key == key:
            return found
    raise ValidationError("preset", f"{key!r} is not one of "
                                    f"{', '.join(p.key for p in PRESETS)}")


def caps_of(record: IntegrationRecord) -> Caps:
    stored = record.settings.get("daily_cap")
    hourly, rate = record.settings.get("hourly_cap"), record.settings.get("rate_per_minute")
    return Caps(
        daily=int(stored) if stored else DEFAULT_DAILY_CAP.get(record.kind),
        hourly=int(hourly) if hourly else None,
        per_minute=float(rate) if rate else None,
        daily_is_default=not stored,
    )


def _positive(value: float | None, field: str) -> float | None:
    if value is not None and value < 0:
        raise ValidationError(field, f"{value} is negative (leave it empty for no cap)")
    return value or None  # 0 means no cap of this kind


def set_caps(
    integrations: IntegrationService, ref: str | uuid.UUID, daily: int | None,
    hourly: int | None = None, per_minute: float | None = None,
) -> Caps:
    """Store the caps (``None`` or 0: the kind's default daily cap, no hourly cap, no rate)."""
    values = {"daily_cap": _positive(daily, "daily_cap"),
              "hourly_cap": _positive(hourly, "hourly_cap"),
              "rate_per_minute": _positive(per_minute, "rate_per_minute")}
    return caps_of(integrations.update(ref, values))


def apply_preset(integrations: IntegrationService, ref: str | uuid.UUID, key: str) -> Caps:
    chosen = preset(key)
    record = integrations.get(ref)
    if chosen.kind != record.kind:
        raise ValidationError("preset", f"{chosen.label} is for {chosen.kind} channels, "
                                        f"{record.name} is a {record.kind} channel")
    return set_caps(integrations, record.id, chosen.daily, chosen.hourly, chosen.per_minute)
