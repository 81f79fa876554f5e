"""vCard files as lead rows keyed directly by canonical field names.

A card holds many emails, phones, addresses and URLs; a lead has one of each, so the
preferred one is taken (``PREF``, then work, then the first). LinkedIn profile URLs go to
``linkedin_url``, other URLs to ``website``. Our own export's ``X-LEADDESK-*`` properties carry
the lead fields vCard has no property for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from leaddesk.services.importing.countries import normalize_country
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.limits import DEFAULT_LIMITS, ReadLimits
from leaddesk.services.importing.row_source import RowSource
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.importing.vcard_lines import RawCard, VCardProperty, iter_cards
from leaddesk.services.leads.fields import CANONICAL_FIELDS, format_tags

#: The fields a vCard row can hold, in canonical order (plus ``id`` from our own export).
VCARD_FIELDS: tuple[str, ...] = ("id", *CANONICAL_FIELDS)

#: ``X-LEADDESK-<NAME>`` property for each lead field that vCard has no property for.
EXTENSION_PROPERTIES: dict[str, str] = {
    "id": "X-LEADDESK-ID",
    "industry": "X-LEADDESK-INDUSTRY",
    "company_size": "X-LEADDESK-COMPANY-SIZE",
    "status": "X-LEADDESK-STATUS",
    "score": "X-LEADDESK-SCORE",
    "source": "X-LEADDESK-SOURCE",
    "consent": "X-LEADDESK-CONSENT",
    "do_not_contact": "X-LEADDESK-DO-NOT-CONTACT",
    "campaign": "X-LEADDESK-CAMPAIGN",
    "owner": "X-LEADDESK-OWNER",
}

_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# 3.0/4.0 define \\ \, \; \n; writers also escape ":" and '"' (Gmail, Apple). A backslash
# before a letter other than n is kept: it is more likely a Windows path than an escape.
_ESCAPES_V3 = {"n": "\n", "N": "\n", "\\": "\\", ",": ",", ";": ";", ":": ":", '"': '"'}
_ESCAPES_V21 = {"\\": "\\", ";": ";", ",": ","}
_LINE_BREAKS = re.compile(r"\r\n?")
_LINKEDIN = re.compile(r"(^|[/.@])linkedin\.com(/|$)", re.IGNORECASE)


def is_linkedin_url(url: str) -> bool:
    """True for a URL on linkedin.com (any subdomain, with or without scheme)."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)
    return _LINKEDIN.search("/" + host.split("?", 1)[0]) is not None


def _unescaper(version: str) -> Callable[[str], str]:
    table = _ESCAPES_V21 if version.startswith("2") else _ESCAPES_V3

    def unescape(text: str) -> str:
        if "\r" in text:
            text = _LINE_BREAKS.sub("\n", text)
        if "\\" not in text:
            return text
        return _ESCAPE.sub(lambda match: table.get(match.group(1), match.group(0)), text)

    return unescape


def split_escaped(text: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is not backslash-escaped (escapes are kept)."""
    if "\\" not in text:
        return text.split(separator)
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _rank(prop: VCardProperty, preferred_types: tuple[str, ...]) -> tuple[int, int]:
    """Sort key: PREF first, then the first matching preferred type, then file order."""
    type_rank = next(
        (rank for rank, kind in enumerate(preferred_types) if kind in prop.types),
        len(preferred_types),
    )
    return (0 if prop.pref else 1, type_rank)


def _best(
    props: list[VCardProperty],
    preferred_types: tuple[str, ...] = ("work",),
    avoid: frozenset[str] = frozenset(),
) -> VCardProperty | None:
    candidates = [prop for prop in props if prop.value.strip()]
    usable = [prop for prop in candidates if not (prop.types & avoid)] or candidates
    if not usable:
        return None
    return min(usable, key=lambda prop: _rank(prop, preferred_types))


def _clean_phone(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("tel:"):
        value = value[4:]
        number, _, extension = value.partition(";ext=")
        value = f"{number} ext. {extension}" if extension else number.split(";", 1)[0]
    return value.strip()


def _split_full_name(full_name: str) -> tuple[str, str]:
    words = full_name.split()
    if len(words) < 2:
        return (words[0] if words else "", "")
    return " ".join(words[:-1]), words[-1]


def card_values(card: RawCard) -> dict[str, str]:
    """The lead fields found in one card (fields it has no value for are left out)."""
    unescape = _unescaper(card.version)
    values: dict[str, str] = {}

    def put(field: str, value: str) -> None:
        value = value.strip()
        if value:
            values[field] = value

    names = card.all("N")
    if names:
        parts = [unescape(part) for part in split_escaped(names[0].value, ";")]
        put("last_name", parts[0])
        if len(parts) > 1:
            put("first_name", parts[1])
    if not names:  # with an empty N the card is an organisation's: FN is not a person name
        full = next((unescape(p.value).strip() for p in card.all("FN") if p.value.strip()), "")
        first, last = _split_full_name(full)
        put("first_name", first)
        put("last_name", last)

    if email := _best(card.all("EMAIL"), ("work", "internet")):
        address = unescape(email.value).strip()
        put("email", address[7:] if address.lower().startswith("mailto:") else address)
    phone = _best(card.all("TEL"), ("work", "cell", "voice"), frozenset({"fax", "pager"}))
    if phone:
        put("phone", _clean_phone(unescape(phone.value)))
    if org := _best(card.all("ORG"), ()):
        put("company", unescape(split_escaped(org.value, ";")[0]))
    if title := _best(card.all("TITLE"), ()) or _best(card.all("ROLE"), ()):
        put("title", unescape(title.value))

    urls = [prop for prop in card.all("URL") if prop.value.strip()]
    linkedin = [prop for prop in urls if is_linkedin_url(unescape(prop.value))]
    social = [
        prop
        for prop in card.all("X-SOCIALPROFILE")
        if "linkedin" in prop.types or is_linkedin_url(unescape(prop.value))
    ]
    if profile := _best(social, ()) or _best(linkedin, ()):
        put("linkedin_url", unescape(profile.value))
    if website := _best([prop for prop in urls if prop not in linkedin], ("work",)):
        put("website", unescape(website.value))

    if address := _best(card.all("ADR"), ("work",)):
        parts = [unescape(part) for part in split_escaped(address.value, ";")]
        if len(parts) > 3:
            put("city", parts[3])
        if len(parts) > 6:
            put("country", normalize_country(parts[6]))
    notes = [unescape(prop.value) for prop in card.all("NOTE") if prop.value.strip()]
    if notes:
        values["notes"] = "\n".join(notes)
    # Categories are split on every comma, escaped or not (Thunderbird escapes the separators),
    # except in our own export, whose tags may really hold a comma.
    own_export = any("LEADDESK" in prop.value.upper() for prop in card.all("PRODID"))
    tags = [
        unescape(tag) if own_export else tag
        for prop in card.all("CATEGORIES")
        for tag in (
            split_escaped(prop.value, ",") if own_export else unescape(prop.value).split(",")
        )
    ]
    put("tags", format_tags(tags))
    if zone := _best(card.all("TZ"), ()):
        put("timezone", unescape(zone.value))
    for field, property_name in EXTENSION_PROPERTIES.items():
        if prop := _best(card.all(property_name), ()):
            put(field, unescape(prop.value))
    return values


_IDENTITY_FIELDS = ("first_name", "last_name", "email", "phone", "company", "linkedin_url")


@dataclass(slots=True)
class VCardStats:
    """Counts so far: cards read, and cards given as rows with issues (skipped)."""

    cards: int = 0
    rows_with_issues: int = 0


class VCardSource(RowSource):
    """The cards of a vCard file as ``SourceRow`` items keyed by canonical field names.

    ``line`` is the line of ``BEGIN:VCARD``. A card that cannot become a lead (no name, email,
    phone or company; cut off; a value over the size limit) comes with ``issues`` saying why.
    """

    def __init__(self, path: str | os.PathLike[str], *, limits: ReadLimits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        self.stats = VCardStats()

    @property
    def headers(self) -> list[str]:
        """The canonical fields a card can fill (the keys of ``SourceRow.values``)."""
        return list(VCARD_FIELDS)

    def _generate(self) -> Iterator[SourceRow]:
        found_any = False
        for card in iter_cards(self.path, self.limits):
            found_any = True
            values = card_values(card)
            issues = [ImportFormatError(self.path, card.line, None, p) for p in card.problems]
            if not any(values.get(field) for field in _IDENTITY_FIELDS):
                issues.append(
                    ImportFormatError(
                        self.path,
                        card.line,
                        None,
                        "the card has no name, email, phone or company; skipped",
                    )
                )
            self.stats.cards += 1
            if issues:
                self.stats.rows_with_issues += 1
            yield SourceRow(card.line, values, tuple(issues))
        if not found_any:
            raise ImportFormatError(self.path, None, None, "has no BEGIN:VCARD; not a vCard file")
