"""Lead values as the text written into export files."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from leaddesk.services.leads.fields import CANONICAL_FIELDS, format_tags

#: Column order of our exports: the lead id, then the canonical fields.
EXPORT_FIELDS: tuple[str, ...] = ("id", *CANONICAL_FIELDS)


def cell_text(value: Any) -> str:
    """Text for one value: None is empty, a tag list is ``"a; b"``, dates are ISO 8601.

    Booleans are ``true``/``false``; whole floats lose their ``.0``; enums give their value.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return cell_text(value.value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return format_tags(cell_text(item) for item in value)
    return str(value)


def row_texts(row: dict[str, Any], fields: Iterable[str]) -> list[str]:
    """The cells of one row in ``fields`` order; a missing field is an empty cell."""
    return [cell_text(row.get(field)) for field in fields]
