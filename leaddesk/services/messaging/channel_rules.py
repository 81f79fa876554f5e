"""Per-channel message rules shown in the composer while the user types.

Pure functions over plain text: the composer passes the rendered preview (or the raw template
while no lead is selected) and shows the issues; the sender runs the same check before sending.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]
Encoding = Literal["GSM-7", "UCS-2"]

CHANNELS: tuple[str, ...] = ("email", "sms", "whatsapp", "linkedin", "voice")

EMAIL_SUBJECT_ADVISED = 60  # inbox previews, mobile ones above all, cut longer subjects
SMS_MAX_CHARS = 1600  # provider limit on one (concatenated) SMS body, Twilio-compatible APIs
SMS_WARN_SEGMENTS = 3  # carriers bill each segment; longer texts read as spam
WHATSAPP_MAX_CHARS = 4096
LINKEDIN_NOTE_MAX_CHARS = 300
LINKEDIN_MESSAGE_MAX_CHARS = 8000
LINKEDIN_SUBJECT_MAX_CHARS = 200  # InMail subject
VOICE_WORDS_PER_MINUTE = 150
VOICE_WARN_SECONDS = 45  # listeners drop off in longer voicemails

# GSM 03.38 default alphabet (ESC excluded: it only introduces the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each character costs two septets (ESC + code).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION
_DROP_EXTENSION = str.maketrans(dict.fromkeys(GSM7_EXTENSION))

# (single message, per part of a concatenated message): the UDH takes 6 octets per part.
_GSM7_LIMITS = (160, 153)
_UCS2_LIMITS = (70, 67)

# Common look-alikes that silently switch an SMS to UCS-2, with their GSM-7 replacement.
GSM7_REPLACEMENTS: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How an SMS body splits into billable segments."""

    encoding: Encoding
    segments: int
    chars_used: int  # septets for GSM-7, UTF-16 code units for UCS-2
    chars_per_segment: int
    remaining_in_segment: int
    non_gsm_chars: tuple[str, ...]  # distinct characters that forced UCS-2, in order of appearance


@dataclass(frozen=True, slots=True)
class RuleIssue:
    level: Level
    field: str  # "subject" or "body"
    message: str


def sms_segments(text: str) -> SegmentInfo:
    """Count SMS segments the way carriers do.

    A two-unit character (GSM-7 extension char, UTF-16 surrogate pair) is never split across
    segments, so a long text may need one part more than ``ceil(units / per_part)``.
    """
    non_gsm = tuple(ch for ch in dict.fromkeys(text) if ch not in _GSM7_ALL)
    if non_gsm:
        encoding: Encoding = "UCS-2"
        single, per_part = _UCS2_LIMITS
        units = len(text.encode("utf-16-le")) // 2
        wide = units != len(text)
    else:
        encoding = "GSM-7"
        single, per_part = _GSM7_LIMITS
        units = 2 * len(text) - len(text.translate(_DROP_EXTENSION))
        wide = units != len(text)

    if units <= single:
        segments = 1 if units else 0
        return SegmentInfo(encoding, segments, units, single, single - units, non_gsm)
    if wide:
        segments, used_in_last = _pack(text, encoding, per_part)
    else:
        segments = math.ceil(units / per_part)
        used_in_last = units - (segments - 1) * per_part
    return SegmentInfo(encoding, segments, units, per_part, per_part - used_in_last, non_gsm)


def _pack(text: str, encoding: Encoding, per_part: int) -> tuple[int, int]:
    """Greedy packing that keeps two-unit characters whole; returns (segments, used_in_last)."""
    segments, used = 1, 0
    for ch in text:
        if encoding == "GSM-7":
            cost = 2 if ch in GSM7_EXTENSION else 1
        else:
            cost = 2 if ord(ch) > 0xFFFF else 1
        if used + cost > per_part:
            segments += 1
            used = 0
        used += cost
    return segments, used


def spoken_seconds(text: str, words_per_minute: int = VOICE_WORDS_PER_MINUTE) -> float:
    """Estimated speaking time of a voice script."""
    return len(text.split()) * 60.0 / words_per_minute


def check(
    channel: str, subject: str | None, body: str, *, connection_note: bool = False
) -> list[RuleIssue]:
    """Return the issues of a message for ``channel``; errors block sending.

    ``connection_note`` applies LinkedIn's stricter limit for invitation notes.
    """
    subject = subject or ""
    if channel == "email":
        return _check_email(subject, body)
    if channel == "sms":
        return _no_subject("SMS", subject) + _check_sms(body)
    if channel == "whatsapp":
        return _no_subject("WhatsApp", subject) + _check_length(body, WHATSAPP_MAX_CHARS)
    if channel == "linkedin":
        return _check_linkedin(subject, body, connection_note)
    if channel == "voice":
        return _no_subject("A voice message", subject) + _check_voice(body)
    raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")


def _blank_body(body: str) -> list[RuleIssue]:
    return [RuleIssue("error", "body", "The message is empty.")] if not body.strip() else []


def _no_subject(what: str, subject: str) -> list[RuleIssue]:
    if not subject.strip():
        return []
    return [RuleIssue("warning", "subject", f"{what} has no subject; it will not be sent.")]


def _check_email(subject: str, body: str) -> list[RuleIssue]:
    issues: list[RuleIssue] = []
    if not subject.strip():
        issues.append(RuleIssue("error", "subject", "An email needs a subject."))
    elif "\r" in subject or "\n" in subject:
        issues.append(RuleIssue("error", "subject", "The subject must fit on one line."))
    elif len(subject) > EMAIL_SUBJECT_ADVISED:
        issues.append(
            RuleIssue(
                "warning",
                "subject",
                f"Subject is {len(subject)} characters; inboxes cut it after about "
                f"{EMAIL_SUBJECT_ADVISED}, so put the key words first.",
            )
        )
    return issues + _blank_body(body)


def _check_sms(body: str) -> list[RuleIssue]:
    issues = _blank_body(body)
    if issues:
        return issues
    info = sms_segments(body)
    if len(body) > SMS_MAX_CHARS:
        issues.append(
            RuleIssue(
                "error", "body", f"SMS is {len(body)} characters; the limit is {SMS_MAX_CHARS}."
            )
        )
    plural = "s" if info.segments != 1 else ""
    issues.append(
        RuleIssue(
            "info",
            "body",
            f"{info.segments} segment{plural} ({info.encoding}), "
            f"{info.remaining_in_segment} characters left in this segment.",
        )
    )
    if info.non_gsm_chars:
        issues.append(RuleIssue("warning", "body", _ucs2_advice(info)))
    if info.segments > SMS_WARN_SEGMENTS:
        issues.append(
            RuleIssue(
                "warning",
                "body",
                f"Long SMS: {info.segments} segments, each billed by the carrier.",
            )
        )
    if "stop" not in body.lower():
        issues.append(
            RuleIssue("info", "body", "Consider opt-out text such as 'Reply STOP to opt out'.")
        )
    return issues


def _ucs2_advice(info: SegmentInfo) -> str:
    shown = " ".join(info.non_gsm_chars[:8])
    fixes = [
        f"{ch} with {GSM7_REPLACEMENTS[ch]}" for ch in info.non_gsm_chars if ch in GSM7_REPLACEMENTS
    ]
    advice = f" Replace {', '.join(fixes)}." if fixes else ""
    return (
        f"These characters switch the SMS to UCS-2 (70 characters per segment instead of 160): "
        f"{shown}.{advice}"
    )


def _check_length(body: str, limit: int, what: str = "message") -> list[RuleIssue]:
    issues = _blank_body(body)
    if issues:
        return issues
    if len(body) > limit:
        issues.append(
            RuleIssue(
                "error", "body", f"The {what} is {len(body)} characters; the limit is {limit}."
            )
        )
    else:
        issues.append(RuleIssue("info", "body", f"{len(body)} / {limit} characters."))
    return issues


def _check_linkedin(subject: str, body: str, connection_note: bool) -> list[RuleIssue]:
    if connection_note:
        issues = _no_subject("A connection note", subject)
        return issues + _check_length(body, LINKEDIN_NOTE_MAX_CHARS, "connection note")
    issues = []
    if len(subject) > LINKEDIN_SUBJECT_MAX_CHARS:
        issues.append(
            RuleIssue(
                "error",
                "subject",
                f"InMail subjects are limited to {LINKEDIN_SUBJECT_MAX_CHARS} characters.",
            )
        )
    return issues + _check_length(body, LINKEDIN_MESSAGE_MAX_CHARS)


def _check_voice(body: str) -> list[RuleIssue]:
    issues = _blank_body(body)
    if issues:
        return issues
    seconds = spoken_seconds(body)
    issues.append(RuleIssue("info", "body", f"About {round(seconds)} s when spoken."))
    if seconds > VOICE_WARN_SECONDS:
        issues.append(
            RuleIssue(
                "warning",
                "body",
                f"About {round(seconds)} s spoken; keep voice messages under "
                f"{VOICE_WARN_SECONDS} s.",
            )
        )
    return issues
