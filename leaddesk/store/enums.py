"""The closed vocabularies of the store, as string enums (stored as their values)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    REP = "rep"


class Plan(enum.StrEnum):
    NONE = "none"
    STARTER = "starter"
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


class LeadStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    REPLIED = "replied"
    QUALIFIED = "qualified"
    WON = "won"
    LOST = "lost"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"


class Channel(enum.StrEnum):
    EMAIL = "email"
    LINKEDIN = "linkedin"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    VOICE = "voice"


class MessageState(enum.StrEnum):
    DRAFT = "draft"
    HELD = "held"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    REPLIED = "replied"
    BOUNCED = "bounced"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


class Handoff(enum.StrEnum):
    """How far the current attempt of a ``sending`` message got with its provider: written and
    committed just before and just after the provider call, so that after a crash only the
    message actually in the provider's hands is in doubt (see ``sending.recovery``)."""

    NOT_HANDED = ""  # claimed, not yet handed over: nothing went out
    HANDING = "handing"  # being handed over: it may have gone out
    ACCEPTED = "accepted"  # the provider took it (its id in ``provider_id``)
    REFUSED = "refused"  # the provider answered no: nothing went out


class TransactionKind(enum.StrEnum):
    PURCHASE = "purchase"
    ALLOCATION = "allocation"
    RESERVATION = "reservation"
    CONSUMPTION = "consumption"
    RELEASE = "release"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


class TaskKind(enum.StrEnum):
    CALL = "call"
    LINKEDIN = "linkedin"
    EMAIL = "email"
    FOLLOW_UP = "follow_up"


class CapPeriod(enum.StrEnum):
    """The period an admin's spend cap on a member counts over (calendar, UTC)."""

    WEEK = "week"
    MONTH = "month"


class LoginMode(enum.StrEnum):
    """How this computer signs in (the ``login_mode`` setting): passwords, or none."""

    PASSWORD = "password"
    NONE = "none"
