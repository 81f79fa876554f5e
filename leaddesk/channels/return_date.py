"""Finding the return date in an out-of-office text ("back on 14 May", "bis 12.08.2025").

Heuristic by nature: a date counts only when a return or until phrase stands right before it, or
when it ends a range ("01.07.–15.07."). "Until X" means back the day after X. Dates far in the
past or more than a year ahead are ignored. Languages: English, German, French, Spanish, Italian,
Dutch.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES = [
    "january januar janvier enero gennaio januari jan jän janv ene gen",
    "february februar février fevrier febrero febbraio februari feb febr févr fevr",
    "march märz maerz mars marzo maart mar mär mrt",
    "april avril abril aprile apr avr abr",
    "may mai mayo maggio mei mag",
    "june juni juin junio giugno jun jui giu",
    "july juli juillet julio luglio jul juil lug",
    "august août aout agosto augustus aug ago",
    "september septembre septiembre settembre sep sept set",
    "october oktober octobre octubre ottobre okt oct ott",
    "november novembre noviembre nov",
    "december dezember décembre decembre diciembre dicembre dec dez déc dic",
]
MONTHS: dict[str, int] = {
    name: number
    for number, names in reversed(list(enumerate(_MONTH_NAMES, start=1)))
    for name in names.split()
}
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_YEAR = r"(?P<y>\d{4}|\d{2})"

DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    # 14.05.2025, 14.05., 14/05/2025, 05/14/2025, 14-05-2025
    re.compile(
        r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?:(?P=sep)(?:"
        + _YEAR
        + r"\b)|\.)?(?![\d/-])"
    ),
    # 14 May 2025, 14. Mai, 14th of May, 14 de mayo de 2025
    re.compile(
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.)?\s*(?:of\s+|de\s+)?(?P<mon>" + _MONTH + r")\.?"
        r"(?:,?\s*(?:de\s+)?" + _YEAR + r"\b)?",
        re.IGNORECASE,
    ),
    # May 14, May 14th 2025
    re.compile(
        r"\b(?P<mon>"
        + _MONTH
        + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*"
        + _YEAR
        + r"\b)?",
        re.IGNORECASE,
    ),
]

# Phrases just before a date. RETURN: the date is the day back; UNTIL: away through that date.
RETURN_WORDS = re.compile(
    r"\b(?:back|return|returning|returns|available|reachable|zurück|wieder|ab dem|ab|"
    r"de retour|retour|dès le|regreso|vuelta|de vuelta|rientro|di ritorno|terug|weer)\b"
    r"[^.\n\d]{0,25}$",
    re.IGNORECASE,
)
UNTIL_WORDS = re.compile(
    r"\b(?:until|till|til|through|thru|up to|bis|einschließlich|jusqu.au|jusqu.à|hasta|"
    r"fino al|fino a|tot en met|t/m|tot)\b[^.\n\d]{0,15}$",
    re.IGNORECASE,
)
RANGE_DASH = re.compile(r"^\s*(?:-|–|—|to|au|al|a)\s*$", re.IGNORECASE)

QUOTE_CUT = re.compile(
    r"^(?:-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine)|"
    r"on .{0,80} wrote:|am .{0,80} schrieb .{0,80}:|from:\s|von:\s|de :\s|>)",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    date: dt.date


def extract_return_date(
    text: str, reference: dt.date, *, month_first: bool = False
) -> dt.date | None:
    """The first day the writer says they are back, or ``None``.

    ``reference`` is the day the auto-reply was sent (for dates without a year). ``month_first``
    reads ambiguous ``05/06`` as May 6th (US style); the default is day first.
    """
    cut = QUOTE_CUT.search(text)
    if cut:
        text = text[: cut.start()]
    found = _find_dates(text, reference, month_first)
    for index, item in enumerate(found):
        before = text[max(0, item.start - 40) : item.start]
        previous = found[index - 1] if index else None
        if previous and RANGE_DASH.match(text[previous.end : item.start]):
            return _plausible(item.date + dt.timedelta(days=1), reference)
        if UNTIL_WORDS.search(before):
            return _plausible(item.date + dt.timedelta(days=1), reference)
        if RETURN_WORDS.search(before):
            return _plausible(item.date, reference)
    return None


def _plausible(day: dt.date, reference: dt.date) -> dt.date | None:
    if reference - dt.timedelta(days=1) <= day <= reference + dt.timedelta(days=366):
        return day
    return None


def _find_dates(text: str, reference: dt.date, month_first: bool) -> list[_Found]:
    found: list[_Found] = []
    taken: list[range] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in r or match.end() - 1 in r for r in taken):
                continue
            day = _to_date(match, reference, month_first)
            if day is not None:
                found.append(_Found(match.start(), match.end(), day))
                taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


def _to_date(match: re.Match[str], reference: dt.date, month_first: bool) -> dt.date | None:
    groups = match.groupdict()
    if groups.get("mon"):
        month = MONTHS[groups["mon"].lower().rstrip(".")]
        day = int(groups["d"])
    elif groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        day, month = (b, a) if month_first and groups["sep"] == "/" else (a, b)
        if month > 12 and day <= 12 and groups["sep"] != ".":  # 05/14: only one reading works
            day, month = month, day
    else:
        month, day = int(groups["m"]), int(groups["d"])
    year_text = groups.get("y")
    try:
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return dt.date(year, month, day)
        candidate = dt.date(reference.year, month, day)
    except ValueError:
        return None
    if candidate < reference - dt.timedelta(days=30):
        try:
            candidate = dt.date(reference.year + 1, month, day)
        except ValueError:
            return None
    return candidate
