"""Streaming vCard 4.0 export (RFC 6350): one card per lead.

Fields vCard has no property for travel as ``X-LEADDESK-*`` properties, so a LeadDesk export
re-imports without loss; other address books show the standard part.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from leaddesk.services.exporting.cells import cell_text
from leaddesk.services.exporting.destination import ExportResult, atomic_path
from leaddesk.services.importing.vcard_reader import EXTENSION_PROPERTIES
from leaddesk.services.leads.fields import parse_tags

PRODID = "-//LeadDesk//LeadDesk export//EN"
_LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """RFC 6350 text escaping; line breaks (CR, LF, CRLF) become ``\\n``."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character; CRLF ends it."""
    encoded = line.encode("utf-8", errors="surrogatepass")
    if len(encoded) <= _LINE_OCTETS:
        return line + "\r\n"
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = _LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8", errors="surrogatepass"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _LINE_OCTETS - 1  # continuation lines start with " "
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces) + "\r\n"


def _uid(lead_id: str) -> str:
    try:
        return uuid.UUID(lead_id).urn
    except ValueError:
        return lead_id


def card_lines(row: Mapping[str, Any]) -> list[str]:
    """The unfolded content lines of one lead's card."""
    text = {key: cell_text(value) for key, value in row.items()}
    get = text.get
    first, last = get("first_name", ""), get("last_name", "")
    display = " ".join(part for part in (first, last) if part) or next(
        (get(key, "") for key in ("company", "email", "phone") if get(key)), ""
    )
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"PRODID:{PRODID}"]
    if lead_id := get("id"):
        lines.append(f"UID:{escape_text(_uid(lead_id))}")
    lines.append(f"FN:{escape_text(display)}")
    lines.append(f"N:{escape_text(last)};{escape_text(first)};;;")

    def add(prop: str, key: str) -> None:
        if value := get(key):
            lines.append(f"{prop}:{escape_text(value)}")

    add("EMAIL", "email")
    add("TEL;VALUE=text", "phone")
    add("ORG", "company")
    add("TITLE", "title")
    add("URL", "website")
    add("X-SOCIALPROFILE;TYPE=linkedin", "linkedin_url")
    if get("city") or get("country"):
        city, country = escape_text(get("city", "")), escape_text(get("country", ""))
        lines.append(f"ADR:;;;{city};;;{country}")
    add("TZ", "timezone")
    if tag_list := parse_tags(get("tags", "")):
        lines.append("CATEGORIES:" + ",".join(escape_text(tag) for tag in tag_list))
    add("NOTE", "notes")
    for key, prop in EXTENSION_PROPERTIES.items():
        add(prop, key)
    lines.append("END:VCARD")
    return lines


def _write_cards(stream: TextIO, rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    for row in rows:
        stream.write("".join(fold(line) for line in card_lines(row)))
        count += 1
    return count


def write_vcard(
    rows: Iterable[Mapping[str, Any]], destination: str | os.PathLike[str] | TextIO
) -> ExportResult:
    """Write ``rows`` (lead dicts: canonical fields plus ``id``) as vCard 4.0, UTF-8, CRLF.

    A path is written atomically; a text stream must be opened with ``newline=""``.
    """
    if isinstance(destination, str | os.PathLike):
        with (
            atomic_path(destination) as temporary,
            temporary.open("w", encoding="utf-8", newline="") as stream,
        ):
            count = _write_cards(stream, rows)
    else:
        count = _write_cards(destination, rows)
    return ExportResult(count)
