"""Canonical lead field names and the text form of the tag list.

Readers' mappings produce these keys and writers consume them, so the set lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CANONICAL_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "linkedin_url",
    "title",
    "company",
    "industry",
    "company_size",
    "website",
    "city",
    "country",
    "timezone",
    "status",
    "score",
    "tags",
    "source",
    "notes",
    "consent",
    "do_not_contact",
    "campaign",
    "owner",
)

#: Fields that name a stored record instead of holding a value: the campaign's name and the
#: owner's username (or email). The importer resolves them against the database, to
#: ``campaign_id`` and ``owner_id``, and reports names it cannot resolve.
REFERENCE_FIELDS: dict[str, str] = {"campaign": "campaign_id", "owner": "owner_id"}

#: Extra targets a column may map to besides the canonical fields: our own export's ``id`` (to
#: update existing leads) and a one-column full name that is split into first and last name.
EXTRA_MAPPING_TARGETS: tuple[str, ...] = ("id", "full_name")
MAPPING_TARGETS: frozenset[str] = frozenset(CANONICAL_FIELDS + EXTRA_MAPPING_TARGETS)

_TAG_SEPARATORS = re.compile(r"\s*(?:;|:::)\s*")


def parse_tags(cell: str) -> list[str]:
    """Split a tags cell into tag names.

    ``;`` separates tags when the cell holds one (or Google's ``:::``), else ``,`` does; blanks
    and duplicates are dropped, order kept. ``format_tags`` writes what this reads back exactly.
    """
    cell = cell.strip()
    if not cell:
        return []
    separated = ";" in cell or ":::" in cell
    parts = _TAG_SEPARATORS.split(cell) if separated else cell.split(",")
    seen: dict[str, None] = {}
    for part in parts:
        tag = part.strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def format_tags(tags: Iterable[str]) -> str:
    """Join tag names into one cell that ``parse_tags`` splits back into the same list.

    Tags are joined by ``"; "``; a single tag holding a comma gets a trailing ``;`` so the
    reader does not split it on the comma. A tag cannot hold ``;`` (it is replaced by ``,``).
    """
    clean: dict[str, None] = {}
    for tag in tags:
        text = str(tag).replace(";", ",").replace(":::", ",").strip()
        if text:
            clean.setdefault(text, None)
    joined = "; ".join(clean)
    if ";" not in joined and "," in joined:
        joined += ";"
    return joined
