"""The default phone region: a country code national numbers are read in.

The list comes from ``phonenumbers`` (already used to read numbers), so every region offered is
one the number parser knows; names are its English display names.
"""

from __future__ import annotations

import functools
import locale

import phonenumbers
from phonenumbers import geocoder

from leaddesk.services.errors import ValidationError
from leaddesk.services.settings import PHONE_DEFAULT_REGION
from leaddesk.services.validation import normalize_country

#: Regions the number library names by their code only.
_NAMES = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}


@functools.cache
def regions() -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of every region the number parser knows, sorted by name."""
    pairs = [(code, geocoder._region_display_name(code, "en") or _NAMES.get(code, code))
             for code in phonenumbers.SUPPORTED_REGIONS]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def clean_region(value: str) -> str:
    """An ISO 3166 alpha-2 code the parser knows ("gb" reads as "GB")."""
    code = normalize_country(value or "", PHONE_DEFAULT_REGION)
    if not code:
        raise ValidationError(PHONE_DEFAULT_REGION, "is required: a two-letter country code "
                                                    "such as GB or US")
    return code


def region_from_locale(name: str | None) -> str | None:
    """The region of a locale name such as ``en_GB.UTF-8`` or ``de-DE``; None if it has none."""
    if not name:
        return None
    base = name.split(".")[0].split("@")[0].replace("-", "_")
    _, _, territory = base.partition("_")
    code = territory.upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def system_region() -> str | None:
    """This computer's region from its locale (the command line's guess; the window asks Qt)."""
    try:
        current = locale.getlocale()[0]
    except ValueError:
        current = None
    return region_from_locale(current) or region_from_locale(locale.setlocale(locale.LC_CTYPE))
