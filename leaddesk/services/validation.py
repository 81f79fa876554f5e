"""Validation and normalisation of lead input at the service boundary.

The phone and email libraries are imported at the first number or address checked: most
services import this module, and the window paints its leads without checking any.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import TypeVar

from leaddesk.services.errors import ValidationError

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
    """E.164 form. Numbers without a country code use ``region``."""
    value = value.strip()
    if not value:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region.upper() if region else None)
    except phonenumbers.NumberParseException as exc:
        hint = "" if region or value.startswith("+") else " (no country code and no region set)"
        raise ValidationError(field, f"{value!r} is not a phone number{hint}: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(field, f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
