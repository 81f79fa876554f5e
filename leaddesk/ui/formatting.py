"""How values read on screen: numbers, times in the user's timezone, labels and badge colours."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QCoreApplication

#: Text and background colour of a status badge, by status value (leads, campaigns, messages,
#: ledger entries share one palette so a colour means the same thing everywhere).
BADGE_COLOURS: dict[str, tuple[str, str]] = {
    # lead statuses
    "new": ("#1d4ed8", "#dbeafe"),
    "contacted": ("#4338ca", "#e0e7ff"),
    "replied": ("#0f766e", "#ccfbf1"),
    "qualified": ("#7e22ce", "#f3e8ff"),
    "won": ("#15803d", "#dcfce7"),
    "lost": ("#b91c1c", "#fee2e2"),
    "unsubscribed": ("#4b5563", "#e5e7eb"),
    "bounced": ("#c2410c", "#ffedd5"),
    # campaign statuses
    "draft": ("#4b5563", "#e5e7eb"),
    "active": ("#15803d", "#dcfce7"),
    "paused": ("#b45309", "#fef3c7"),
    "done": ("#1d4ed8", "#dbeafe"),
    # message states
    "held": ("#b45309", "#fef3c7"),
    "queued": ("#1d4ed8", "#dbeafe"),
    "sending": ("#1d4ed8", "#dbeafe"),
    "sent": ("#4338ca", "#e0e7ff"),
    "delivered": ("#15803d", "#dcfce7"),
    "failed": ("#b91c1c", "#fee2e2"),
    "cancelled": ("#4b5563", "#e5e7eb"),
    "unknown": ("#4b5563", "#e5e7eb"),
    # ledger entries
    "purchase": ("#15803d", "#dcfce7"),
    "allocation": ("#15803d", "#dcfce7"),
    "reservation": ("#b45309", "#fef3c7"),
    "consumption": ("#4338ca", "#e0e7ff"),
    "release": ("#4b5563", "#e5e7eb"),
    "refund": ("#0f766e", "#ccfbf1"),
    "adjustment": ("#4b5563", "#e5e7eb"),
}
_NEUTRAL = ("#374151", "#e5e7eb")

POSITIVE = "#15803d"
NEGATIVE = "#b91c1c"
MUTED = "#6b7280"


def badge_colours(value: str) -> tuple[str, str]:
    return BADGE_COLOURS.get(value.lower(), _NEUTRAL)


#: Words a label writes as people do (``label`` would write "Linkedin url", "Sms").
_PROPER_WORDS = {"linkedin": "LinkedIn", "url": "URL", "sms": "SMS", "whatsapp": "WhatsApp",
                 "csv": "CSV", "xlsx": "XLSX", "vcard": "vCard", "smtp": "SMTP", "imap": "IMAP",
                 "utc": "UTC"}
_PROPER = re.compile(r"\b(" + "|".join(_PROPER_WORDS) + r")\b")


def label(value: str) -> str:
    """A stored vocabulary value as a label: ``follow_up`` -> ``Follow up``,
    ``linkedin_url`` -> ``LinkedIn URL``."""
    text = _PROPER.sub(lambda word: _PROPER_WORDS[word[0]], value.replace("_", " ").strip())
    return text[:1].upper() + text[1:]


def plural(count: int, word: str, words: str = "") -> str:
    """``1 lead``, ``2 leads``, ``1,500 leads`` (``words``: an irregular plural); the noun is
    translated in context "Count"."""
    noun = word if count == 1 else words or word + "s"
    return f"{count:,} {QCoreApplication.translate('Count', noun)}"


#: Channels and task kinds by their proper names (``label`` would write "Sms", "Linkedin").
_CHANNEL_NAMES = {
    "email": "Email",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "linkedin": "LinkedIn",
    "voice": "Voice call",
    "call": "Call",
    "follow_up": "Follow-up",
}


def channel_label(value: str) -> str:
    """A channel (or a task's kind) as people write it: ``sms`` -> ``SMS``."""
    name = _CHANNEL_NAMES.get(value)
    return QCoreApplication.translate("Channel", name) if name else label(value)


def number(value: int) -> str:
    return f"{value:,}"


def credits(value: int) -> str:
    return f"{value:,} credit" + ("" if abs(value) == 1 else "s")


def local(moment: dt.datetime) -> dt.datetime:
    """A stored UTC time in the user's timezone (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone()


def date(moment: dt.datetime | None) -> str:
    return local(moment).strftime("%d %b %Y") if moment else ""


def date_time(moment: dt.datetime | None) -> str:
    return local(moment).strftime("%d %b %Y %H:%M") if moment else ""
