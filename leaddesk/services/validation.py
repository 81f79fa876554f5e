"""Validation and normalisation of lead input at the service boundary.

The phone and email libraries are imported at the first number or address checked: most
services import this module, and the window paints its leads without checking any.
"""

from __future__ import annotations

import enum
import functools
import os
import re
from typing import TYPE_CHECKING, TypeVar

from leaddesk.services.errors import ValidationError

if TYPE_CHECKING:
    from leaddesk.store.database import Store

E = TypeVar("E", bound=enum.StrEnum)
_LINKEDIN = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(in|pub|company)/([^/?#\s]+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def normalize_email(value: str, field: str = "email") -> str:
    """A valid address in normal form (lower-case domain), or '' for blank input."""
    value = value.strip()
    if not value:
        return ""
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, f"{value!r} is not a valid email address: {exc}") from None
    return result.normalized


def normalize_phone(value: str, region: str | None = None, field: str = "phone") -> str:
    """E.164 form. Numbers without a country code are read in ``region``; the error says
    what is wrong in words, never the phone library's own text."""
    value = value.strip()
    if not value:
        return ""
    import phonenumbers

    region = (region or "").upper() or None
    where = f" for {region}" if region else ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if value.startswith("+"):
                raise ValidationError(
                    field, f"{value!r} starts with an unknown country code") from None
            raise ValidationError(
                field, f"{value!r} has no country code: start it with + and the country "
                "code, or set the default phone region") from None
        raise ValidationError(field, f"{value!r} is not a valid phone number{where}") from None
    if not phonenumbers.is_valid_number(number):
        if not value.startswith("+") and region:
            raise ValidationError(field, f"{value!r} is not a valid phone number{where}")
        raise ValidationError(field, f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def locale_region() -> str | None:
    """The country of the OS locale (``en_GB`` gives GB), when the phone library knows it."""
    import locale

    names = [locale.getlocale()[0] or ""]
    names += [os.environ.get(k, "") for k in ("LC_ALL", "LC_CTYPE", "LANG")]
    for name in names:
        match = re.match(r"^[a-z]{2,3}[_-]([A-Za-z]{2})\b", name)
        if match and match.group(1).upper() in known_regions():
            return match.group(1).upper()
    return None


def phone_placeholder(region: str | None) -> str:
    """What a phone field shows when empty: an example national number in ``region`` and the
    international form, so a rep knows both are accepted."""
    import phonenumbers

    if not region or region.upper() not in known_regions():
        return "e.g. +44 20 7946 0018 (with the country code)"
    region = region.upper()
    example = phonenumbers.example_number_for_type(
        region, phonenumbers.PhoneNumberType.FIXED_LINE) or phonenumbers.example_number(region)
    code = phonenumbers.country_code_for_region(region)
    if example is None:
        return f"e.g. +{code}… ({region})"
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"e.g. {national} ({region}) or +{code}…"


def normalize_linkedin(value: str, field: str = "linkedin_url") -> str:
    value = value.strip()
    if not value:
        return ""
    match = _LINKEDIN.match(value)
    if not match:
        raise ValidationError(field, f"{value!r} is not a LinkedIn profile URL")
    return f"https://www.linkedin.com/{match.group(1).lower()}/{match.group(2)}"


@functools.cache
def known_regions() -> frozenset[str]:
    """The ISO 3166 codes the phone number library has a numbering plan for."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def normalize_country(value: str, field: str = "country") -> str:
    value = value.strip().upper()
    if not value:
        return ""
    if value not in known_regions():
        raise ValidationError(field, f"{value!r} is not an ISO 3166 two-letter country code")
    return value


def require_text(value: str | None, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(field, "is required")
    return limit_text(value, field, max_length)


def limit_text(value: str | None, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ValidationError(field, f"is {len(value)} characters long; at most {max_length}")
    return value


def in_range(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationError(field, f"{value} is outside {low}..{high}")
    return value


_YES = frozenset({"true", "yes", "y", "1", "t", "on", "x", "ja", "oui", "si", "sí"})
_NO = frozenset({"", "false", "no", "n", "0", "f", "off", "nein", "non"})


def parse_flag(value: object, field: str) -> bool:
    """A yes/no value: a bool, or text such as true/false, yes/no, 1/0 (blank is no)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(field, f"{value!r} is not yes or no (true/false, 1/0)")


def parse_choice(enum_cls: type[E], value: object, field: str) -> E:
    """One of a closed vocabulary, case-insensitive, or an error listing the choices."""
    try:
        return enum_cls(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationError(field, f"{value!r} is not one of {allowed}") from None


def default_phone_region(store: Store) -> str | None:
    """The region national numbers are read in: the database's setting, else the OS locale's
    country (None when neither names one)."""
    from leaddesk.services import settings

    chosen = str(settings.get(store, settings.PHONE_DEFAULT_REGION) or "").strip().upper()
    return chosen if chosen in known_regions() else locale_region()
