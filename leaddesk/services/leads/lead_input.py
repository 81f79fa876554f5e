"""Lead input: the fields a person or a file may set, and how each one is validated and
normalised before it is written (``ValidationError`` names the field)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from leaddesk.services.errors import ValidationError
from leaddesk.services.validation import (
    in_range,
    limit_text,
    normalize_country,
    normalize_email,
    normalize_linkedin,
    normalize_phone,
    parse_choice,
    parse_flag,
)
from leaddesk.store.enums import LeadStatus

_TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "title": 200,
    "company": 200,
    "industry": 100,
    "company_size": 20,
    "website": 300,
    "city": 100,
    "timezone": 64,
    "source": 100,
    "consent": 100,
    "notes": 100_000,
}
EDITABLE_FIELDS = frozenset(
    {
        *_TEXT_LIMITS,
        "email",
        "phone",
        "linkedin_url",
        "country",
        "status",
        "score",
        "tags",
        "do_not_contact",
        "campaign_id",
        "owner_id",
    }
)
MAX_TAGS = 50
#: A row is a lead when it has at least one of these.
IDENTITY_FIELDS = ("first_name", "last_name", "email", "phone", "linkedin_url")


def clean_tags(value: Any) -> list[str]:
    """Tags from a list or a ``;``/``,``-separated text: trimmed, lower case, each once."""
    if isinstance(value, str):
        value = [t for part in value.split(";") for t in part.split(",")]
    tags = sorted({str(t).strip().lower() for t in value or () if str(t).strip()})
    if len(tags) > MAX_TAGS:
        raise ValidationError("tags", f"{len(tags)} tags; at most {MAX_TAGS}")
    for tag in tags:
        limit_text(tag, "tags", 64)
    return tags


def clean_lead_input(
    data: Mapping[str, Any],
    region: str | None = None,
    email_normalizer: Callable[[str], str] = normalize_email,
) -> dict[str, Any]:
    """Validate and normalise lead fields; raise ValidationError naming the field.

    ``email_normalizer`` lets a bulk caller (the importer) use a cached equivalent.
    """
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(sorted(unknown)[0], "is not a lead field")
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in _TEXT_LIMITS:
            out[name] = limit_text(value, name, _TEXT_LIMITS[name])
        elif name == "email":
            out[name] = email_normalizer(value or "")
        elif name == "country":
            out[name] = normalize_country(value or "")
        elif name == "linkedin_url":
            out[name] = normalize_linkedin(value or "")
        elif name == "status":
            out[name] = parse_choice(LeadStatus, value, "status")
        elif name == "score":
            try:
                score = int(value)
            except (TypeError, ValueError):
                raise ValidationError("score", f"{value!r} is not a whole number") from None
            out[name] = in_range(score, "score", 0, 100)
        elif name == "tags":
            out[name] = clean_tags(value)
        elif name == "do_not_contact":
            out[name] = parse_flag(value, name)
        elif name in ("campaign_id", "owner_id"):
            out[name] = uuid.UUID(str(value)) if value else None
    if "phone" in data:
        country = out.get("country") or data.get("country") or region
        out["phone"] = normalize_phone(data["phone"] or "", country or region)
    return out
