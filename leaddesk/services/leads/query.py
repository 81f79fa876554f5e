"""What a lead list asks for: filters, sort, and keyset cursors, as plain data."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from leaddesk.services.errors import ValidationError

SORTABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "company",
        "title",
        "industry",
        "country",
        "city",
        "status",
        "score",
        "created_at",
        "updated_at",
    }
)


@dataclass(frozen=True)
class LeadQuery:
    """Filters for a lead list; empty fields do not filter."""

    search: str = ""
    statuses: tuple[str, ...] = ()
    score_min: int | None = None
    score_max: int | None = None
    owner_ids: tuple[uuid.UUID, ...] = ()
    campaign_ids: tuple[uuid.UUID, ...] = ()
    tags: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    updated_from: dt.datetime | None = None
    updated_to: dt.datetime | None = None


@dataclass(frozen=True)
class LeadSort:
    field: str = "updated_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.field not in SORTABLE_FIELDS:
            raise ValidationError("sort", f"cannot sort by {self.field!r}")


@dataclass(frozen=True)
class Cursor:
    """The sort value and id of the last row of a page: the next page starts after it."""

    value: Any
    id: uuid.UUID


@dataclass(frozen=True)
class LeadPage:
    rows: list[Any] = field(default_factory=list)
    next_cursor: Cursor | None = None
