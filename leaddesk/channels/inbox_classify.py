"""Sorting incoming mail into replies, bounces and out-of-office answers to what we sent.

A pure function over :class:`email.message.Message`, so it is tested on stored messages without a
server. Order matters: a bounce (RFC 3464 DSN, or the plain-text kind some servers still send)
is checked first, then automatic replies (RFC 3834 and the headers and subjects common mail
systems use), and only then a human reply, because auto-replies also carry ``In-Reply-To``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from leaddesk.channels.return_date import extract_return_date


@dataclass(frozen=True, slots=True)
class Reply:
    """A person answered one of our messages (``unsubscribe``: asking to hear no more)."""

    in_reply_to_message_id: str
    from_addr: str
    unsubscribe: bool = False


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """A fresh mail (not threaded to ours) asking to hear no more: "unsubscribe", "remove me",
    "stop" from someone, or anything sent to our List-Unsubscribe address
    (``to_unsubscribe_address``). The caller matches ``from_addr`` to its leads."""

    from_addr: str
    to_unsubscribe_address: bool = False


@dataclass(frozen=True, slots=True)
class Bounce:
    """A delivery status notification about one of our messages.

    ``status`` is the RFC 3463 code ("5.1.1"); ``action`` is "failed" or "delayed". Only a
    failed 5.x.x bounce is :attr:`permanent` (mark the address bounced); others may still arrive.
    ``original_message_id`` is ``None`` when the server attached nothing to match: then match by
    ``recipient`` or ``envelope_id`` (our message id, where the server supports DSN).
    """

    original_message_id: str | None
    recipient: str | None
    status: str
    diagnostic: str | None
    action: str = "failed"
    envelope_id: str | None = None

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


@dataclass(frozen=True, slots=True)
class AutoReply:
    """An automatic answer (out of office, ticket acknowledgement): not a real reply."""

    original_message_id: str | None
    from_addr: str
    return_date: dt.date | None


Classification = Reply | Bounce | AutoReply | Unsubscribe

_MSGID = re.compile(r"<[^<>\s]+>")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([45]\d\d)[ -]")

AUTO_SUBJECT = re.compile(
    r"^\s*(?:"
    r"out of (?:the )?office|ooo\b|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|"
    r"away from (?:the )?office|on vacation|on holiday|on leave|"
    r"abwesenheit|automatische antwort|nicht im büro|"
    r"réponse automatique|absence|absent|"
    r"respuesta automática|fuera de la oficina|"
    r"risposta automatica|fuori sede|"
    r"automatisch antwoord|afwezig|"
    r"resposta automática|fora do escritório"
    r")",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery failure|delivery has failed|"
    r"mail delivery failed|returned mail|failure notice|returned to sender|"
    r"unzustellbar|nicht zustellbar|non remis|non distribuito",
    re.IGNORECASE,
)
BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
#: "unsubscribe", "remove me", "stop" and the like, alone on the subject or the first line
#: ("Stop by our booth" is not one).
_OPT_OUT = (
    r"(?:please\s+)?(?:unsubscribe(?:\s+me)?|remove\s+me(?:\s+from\s+(?:your|this)\s+list)?|"
    r"stop|opt[- ]?out|take\s+me\s+off(?:\s+your\s+list)?|"
    r"abmelden|désinscrire|desinscrire|désabonner|darse\s+de\s+baja|baja|"
    r"cancella(?:re)?\s+iscrizione|afmelden|cancelar\s+inscrição)"
)
_POLITE_END = r"[\s.!,]*(?:please|thanks?|thank\s+you)?[\s.!]*$"
UNSUBSCRIBE_SUBJECT = re.compile(rf"^\s*(?:re:\s*)?{_OPT_OUT}{_POLITE_END}", re.IGNORECASE)
UNSUBSCRIBE_LINE = re.compile(rf"^\s*{_OPT_OUT}{_POLITE_END}", re.IGNORECASE)
US_HINT = re.compile(r"\b(?:office|back|return|vacation|until)\b", re.IGNORECASE)


def normalize_message_id(value: str | None) -> str | None:
    """A Message-ID in the ``<local@domain>`` form with the domain lower-cased, or ``None``.

    Use it on both sides when matching: on the ids stored when sending and on what arrives.
    """
    if not value:
        return None
    match = _MSGID.search(value)
    token = match.group(0)[1:-1] if match else value.strip()
    if not token or any(c.isspace() for c in token):
        return None
    local, at, domain = token.rpartition("@")
    return f"<{local}@{domain.lower()}>" if at else f"<{token}>"


def referenced_ids(msg: Message) -> list[str]:
    """Ids a message answers: In-Reply-To first, then References from the newest back."""
    ids = _MSGID.findall(str(msg.get("In-Reply-To", "")))
    ids += reversed(_MSGID.findall(str(msg.get("References", ""))))
    out: list[str] = []
    for raw in ids:
        norm = normalize_message_id(raw)
        if norm and norm not in out:
            out.append(norm)
    return out


def classify_message(
    msg: Message, known_ids: Container[str], *, month_first: bool | None = None,
    unsubscribe_addresses: Container[str] = (),
) -> Classification | None:
    """What ``msg`` means for messages we sent, or ``None`` when it is about none of them.

    ``known_ids`` holds the Message-IDs we sent, normalized with :func:`normalize_message_id`
    (a set, or any object answering ``in``, e.g. a database lookup). ``month_first`` decides how
    an out-of-office "05/06" is read; ``None`` guesses from the language of the text.
    ``unsubscribe_addresses`` (lower case) are our List-Unsubscribe mailto addresses: a mail to
    one of them is an :class:`Unsubscribe` whatever it says.
    """
    bounce = parse_bounce(msg)
    if bounce is not None:
        # Without an attached id the caller matches by recipient or envelope id instead.
        if bounce.original_message_id is None or bounce.original_message_id in known_ids:
            return bounce
        return None

    refs = referenced_ids(msg)
    original = next((ref for ref in refs if ref in known_ids), None)
    sender = parseaddr(str(msg.get("From", "")))[1]

    strength = auto_reply_strength(msg)
    if strength == "strong" or (strength == "weak" and original):
        if original is None and refs:
            return None  # an auto-reply to some other mail in this inbox
        text = message_text(msg)
        if month_first is None:
            month_first = bool(US_HINT.search(text))
        return_date = extract_return_date(text, _sent_day(msg), month_first=month_first)
        return AutoReply(original_message_id=original, from_addr=sender, return_date=return_date)

    if original is not None:
        return Reply(in_reply_to_message_id=original, from_addr=sender,
                     unsubscribe=asks_to_unsubscribe(msg))
    to_list = any(a.lower() in unsubscribe_addresses for a in recipients(msg))
    if sender and (to_list or asks_to_unsubscribe(msg)):
        return Unsubscribe(from_addr=sender, to_unsubscribe_address=to_list)
    return None


def recipients(msg: Message) -> list[str]:
    """The addresses a message was sent to (To, Cc, Delivered-To)."""
    values = [str(v) for name in ("To", "Cc", "Delivered-To") for v in msg.get_all(name, [])]
    return [address for _, address in getaddresses(values) if address]


def asks_to_unsubscribe(msg: Message) -> bool:
    """True when the subject, or the first line of the text, is an opt-out phrase and nothing
    more ("unsubscribe", "Re: remove me", "Remove me, thanks", "STOP")."""
    if UNSUBSCRIBE_SUBJECT.match(str(msg.get("Subject", ""))):
        return True
    first = next((line for line in message_text(msg).splitlines() if line.strip()), "")
    return bool(UNSUBSCRIBE_LINE.match(first))


def auto_reply_strength(msg: Message) -> str | None:
    """ "strong" for out-of-office signals, "weak" for machine-made mail in general, or None."""
    auto_submitted = str(msg.get("Auto-Submitted", "")).strip().lower()
    precedence = str(msg.get("Precedence", msg.get("X-Precedence", ""))).strip().lower()
    if (
        auto_submitted.startswith("auto-replied")
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or precedence == "auto_reply"
        or AUTO_SUBJECT.match(str(msg.get("Subject", "")))
    ):
        return "strong"
    if (auto_submitted and auto_submitted != "no") or precedence in ("bulk", "junk", "list"):
        return "weak"
    return None


def parse_bounce(msg: Message) -> Bounce | None:
    """A :class:`Bounce` from an RFC 3464 report or a plain-text bounce, else ``None``."""
    report = _find_part(msg, "message/delivery-status")
    if report is not None:
        return _parse_dsn(msg, report)
    sender = parseaddr(str(msg.get("From", "")))[1]
    subject = str(msg.get("Subject", ""))
    if BOUNCE_SENDER.match(sender) and BOUNCE_SUBJECT.search(subject):
        return _parse_plain_bounce(msg)
    return None


def _parse_dsn(msg: Message, report: Message) -> Bounce | None:
    blocks = _dsn_blocks(report)
    if not blocks:
        return None
    per_message, recipients = blocks[0], blocks[1:]
    chosen = next(
        (
            r
            for r in recipients
            if str(r.get("Action", "")).strip().lower() in ("failed", "delayed")
        ),
        None,
    )
    if chosen is None:
        return None  # a success notice (delivered, relayed, expanded)
    recipient = _strip_type(chosen.get("Final-Recipient")) or _strip_type(
        chosen.get("Original-Recipient")
    )
    diagnostic = _strip_type(chosen.get("Diagnostic-Code"))
    status = str(chosen.get("Status", "")).strip().split()[0] if chosen.get("Status") else ""
    action = str(chosen.get("Action", "")).strip().lower()
    if not status:
        status = "5.0.0" if action == "failed" else "4.0.0"
    envelope_id = per_message.get("Original-Envelope-Id")
    return Bounce(
        original_message_id=_original_id(msg),
        recipient=recipient,
        status=status,
        diagnostic=" ".join(diagnostic.split()) if diagnostic else None,
        action=action,
        envelope_id=str(envelope_id).strip() if envelope_id else None,
    )


def _parse_plain_bounce(msg: Message) -> Bounce:
    text = message_text(msg)
    status_match = _STATUS.search(text)
    code_match = _SMTP_CODE.search(text)
    if status_match:
        status = status_match.group(1)
    elif code_match:
        status = f"{code_match.group(1)[0]}.0.0"
    else:
        status = "5.0.0"
    recipient = str(msg.get("X-Failed-Recipients", "")).strip() or None
    if recipient is None:
        found = re.search(r"<([^<>\s@]+@[^<>\s@]+)>", text)
        recipient = found.group(1) if found else None
    diagnostic = next((line.strip() for line in text.splitlines() if _SMTP_CODE.search(line)), None)
    return Bounce(
        original_message_id=_original_id(msg),
        recipient=recipient,
        status=status,
        diagnostic=diagnostic,
        action="delayed" if status.startswith("4") else "failed",
    )


def _dsn_blocks(report: Message) -> list[Message]:
    """The header blocks of a message/delivery-status part (per-message, then per-recipient)."""
    payload = report.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [HeaderParser().parsestr(block) for block in blocks if block.strip()]


def _original_id(msg: Message) -> str | None:
    """The Message-ID of the returned message: from the attached message or its headers, else
    any ``Message-ID:`` line quoted in the text."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner_msg, Message) and inner_msg.get("Message-ID"):
                return normalize_message_id(str(inner_msg["Message-ID"]))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = HeaderParser().parsestr(_part_text(part))
            if headers.get("Message-ID"):
                return normalize_message_id(str(headers["Message-ID"]))
    found = re.search(r"^\s*Message-ID:\s*(<[^<>\s]+>)", message_text(msg), re.I | re.M)
    if found:
        return normalize_message_id(found.group(1))
    return None


def _strip_type(value: object) -> str | None:
    """``rfc822; user@example.com`` -> ``user@example.com``."""
    if value is None:
        return None
    text = str(value).strip()
    if ";" in text:
        text = text.split(";", 1)[1].strip()
    return text or None


def _find_part(msg: Message, content_type: str) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _sent_day(msg: Message) -> dt.date:
    try:
        return parsedate_to_datetime(str(msg["Date"])).date()
    except (TypeError, ValueError, IndexError):
        return dt.datetime.now(dt.UTC).date()


def _iter_text_parts(msg: Message) -> Iterator[Message]:
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() in ("text/plain", "text/html"):
            yield part


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def message_text(msg: Message) -> str:
    """The readable text of a message: the first text/plain part, else its HTML as text."""
    html_text = None
    for part in _iter_text_parts(msg):
        if part.get_content_type() == "text/plain":
            return _part_text(part)
        if html_text is None:
            html_text = _part_text(part)
    if html_text is None:
        return ""
    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html_text)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))
