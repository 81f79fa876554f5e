"""Country names to ISO 3166-1 alpha-2 codes, the form leads store (``"Germany"`` -> ``"DE"``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from leaddesk.services.importing.country_names import COUNTRY_ALIASES, COUNTRY_NAMES

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_PARENTHESES = re.compile(r"\s*\(.*?\)")


def _key(text: str) -> str:
    """Compare names without case, accents, punctuation, spacing or a leading "the"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    words = _NOT_WORD.sub(" ", plain).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    short_names: dict[str, set[str]] = {}
    for code, name in COUNTRY_NAMES.items():
        index[_key(name)] = code
        short_names.setdefault(_key(_PARENTHESES.sub("", name)), set()).add(code)
    for short, codes in short_names.items():
        if len(codes) == 1:
            index.setdefault(short, next(iter(codes)))
    for alias, code in COUNTRY_ALIASES.items():
        index[_key(alias)] = code
    return index


@lru_cache(maxsize=4096)
def normalize_country(value: str) -> str:
    """The alpha-2 code for a country name or code when known, else ``value`` trimmed.

    Two-letter input is taken as a code only when it is one (``"de"`` -> ``"DE"``).
    """
    text = value.strip()
    if not text:
        return ""
    if len(text) == 2 and text.upper() in COUNTRY_NAMES:
        return text.upper()
    return _index().get(_key(text), text)
