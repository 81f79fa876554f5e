"""Inbound SMS and WhatsApp messages read from a Twilio-compatible API, and the opt-out keywords
("STOP" and its kin) they may carry.

Carriers and Twilio itself treat a message that is only an opt-out word as a request to stop
texting that number; LeadDesk must honour it on its side too (another provider, another
number, a WhatsApp sender Twilio does not block). Polling, not webhooks: a desktop app has no
public address to receive them on.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from leaddesk.channels.base import InvalidRecipientError
from leaddesk.channels.twilio import TwilioClient, normalize_e164

#: Whole-message opt-out words: Twilio's standard English set, then common non-English ones
#: (French, German, Dutch, Spanish, Portuguese, Italian, Scandinavian, Finnish, Polish).
STOP_KEYWORDS = frozenset({
    "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out",
    "stop all", "arret", "arrete", "desabonner", "desinscrire", "stopp", "abmelden",
    "abbestellen", "afmelden", "uitschrijven", "baja", "alto", "parar", "cancelar",
    "desuscribir", "pare", "sair", "descadastrar", "basta", "disiscrivi", "cancella",
    "avsluta", "lopeta", "wypisz",
})
_TRIM = " \t\r\n.!?,;:'\"()[]*-"
PAGE_SIZE = 200
MAX_PAGES = 20  # 4,000 messages per number and poll, newest first (``more`` says if cut)


@dataclass(frozen=True, slots=True)
class InboundText:
    """One message someone sent to one of our numbers (``from_`` in E.164, without
    ``whatsapp:``; ``whatsapp`` tells which channel it came on)."""

    sid: str
    from_: str
    to: str
    body: str
    whatsapp: bool
    sent_at: dt.datetime | None


def stop_keyword(body: str) -> str | None:
    """The opt-out word a message consists of ("STOP", "Stop.", "arrêt"), upper-cased, or
    ``None`` ("Stop calling me at work" is a message for a person, not a keyword)."""
    text = " ".join(body.strip(_TRIM).split())
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return plain.upper() if plain.casefold() in STOP_KEYWORDS else None


def inbound_texts(
    client: TwilioClient, to: str, since: dt.date | None, *, page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> tuple[list[InboundText], bool]:
    """Inbound messages to ``to`` (``+1415...`` or ``whatsapp:+1415...``) sent on or after
    ``since``, and whether more pages were left for the next poll."""
    query = {"To": to, "PageSize": str(page_size)}
    if since is not None:
        query["DateSent>"] = since.isoformat()  # Twilio reads it as "on or after that day"
    page = client.list_messages(query)
    texts: list[InboundText] = []
    for _ in range(max_pages):
        texts += [t for item in page.get("messages") or [] if (t := _inbound(item)) is not None]
        next_uri = page.get("next_page_uri")
        if not next_uri:
            return texts, False
        page = client.next_page(str(next_uri))
    return texts, True


def _inbound(item: dict[str, Any]) -> InboundText | None:
    if str(item.get("direction", "")) != "inbound":
        return None
    raw_from = str(item.get("from") or "")
    try:
        sender = normalize_e164(raw_from, "From")
    except InvalidRecipientError:  # a short code or an alphanumeric sender: not a lead
        return None
    sent = item.get("date_sent") or item.get("date_created")
    try:
        sent_at = parsedate_to_datetime(str(sent)) if sent else None
    except (TypeError, ValueError):
        sent_at = None
    return InboundText(sid=str(item.get("sid", "")), from_=sender, to=str(item.get("to") or ""),
                       body=str(item.get("body") or ""),
                       whatsapp=raw_from.lower().startswith("whatsapp:"), sent_at=sent_at)
