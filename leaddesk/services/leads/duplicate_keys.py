"""What makes two leads the same person: rules and the normalised keys they compare.

Rules are any/all of: email (case-insensitive), phone (E.164, as stored), LinkedIn URL
(case-insensitive) and name + company. Keys are computed in Python for incoming leads and
looked up in the database through the partial key indexes of migration 0003 (NOCASE columns on
SQLite, ``lower()`` on PostgreSQL). Case folding is ASCII, as SQLite's NOCASE is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from leaddesk.services import settings
from leaddesk.services.errors import ValidationError
from leaddesk.store.database import Store
from leaddesk.store.models import Lead

RULES = ("email", "phone", "linkedin_url", "name_company")
RULES_SETTING = "duplicate_rules"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: The lead fields the keys are made of.
KEY_FIELDS = ("email", "phone", "linkedin_url", "first_name", "last_name", "company")


def fold(text: str) -> str:
    """ASCII lower case: what SQLite's NOCASE and our keys compare."""
    return text.translate(_ASCII_LOWER)


class DuplicateLeadError(ValidationError):
    """A lead with the same key exists; ``duplicate_ids`` lists the stored ones."""

    def __init__(self, field: str, duplicate_ids: list[uuid.UUID]) -> None:
        super().__init__(
            field,
            f"a lead with this {field.replace('_', ' ')} exists "
            f"({', '.join(str(i) for i in duplicate_ids[:3])})",
        )
        self.duplicate_ids = duplicate_ids


@dataclass(frozen=True)
class DuplicateRules:
    """Which keys decide that two leads are duplicates: ``any`` one of them or ``all``."""

    fields: tuple[str, ...] = ("email", "linkedin_url")
    mode: Literal["any", "all"] = "any"

    def __post_init__(self) -> None:
        unknown = [f for f in self.fields if f not in RULES]
        if unknown:
            raise ValidationError(
                "rules", f"unknown rule {unknown[0]!r}; rules: {', '.join(RULES)}"
            )
        if not self.fields:
            raise ValidationError("rules", "choose at least one rule")
        if self.mode not in ("any", "all"):
            raise ValidationError("rules", f"mode is 'any' or 'all', not {self.mode!r}")

    def as_json(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "mode": self.mode}


def load_rules(store: Store) -> DuplicateRules:
    """The database's configured rules (the defaults when none are stored)."""
    stored = settings.get(store, RULES_SETTING)
    if not stored:
        return DuplicateRules()
    return DuplicateRules(tuple(stored.get("fields", ())), stored.get("mode", "any"))


def save_rules(store: Store, rules: DuplicateRules) -> None:
    settings.put(store, RULES_SETTING, rules.as_json())


def lead_keys(values: Mapping[str, Any], rules: DuplicateRules) -> dict[str, str]:
    """The non-empty keys of a lead (cleaned values) for the rules' fields."""
    keys: dict[str, str] = {}
    for rule in rules.fields:
        if rule == "name_company":
            company = fold(values.get("company") or "").strip()
            name = fold(f"{values.get('first_name') or ''} {values.get('last_name') or ''}").strip()
            if company and name:
                keys[rule] = f"{name}|{company}"
        elif rule == "phone":
            if values.get("phone"):
                keys[rule] = values["phone"]
        elif values.get(rule):
            keys[rule] = fold(values[rule])
    return keys


def is_match(a: Mapping[str, str], b: Mapping[str, str], rules: DuplicateRules) -> bool:
    """Whether two leads' keys make them duplicates under ``rules``."""
    shared = [r for r in rules.fields if a.get(r) and a.get(r) == b.get(r)]
    if rules.mode == "all":
        return len(shared) == len(rules.fields)
    return bool(shared)


def padded(keys: list[Any]) -> list[Any]:
    """``keys`` repeated up to a power of two, so that IN lists come in a few lengths only.

    Every distinct statement text is prepared and cached by the driver (128 of them): with an
    IN list of a new length per batch, an import kept ~300 MB of prepared statements.
    """
    size = 64
    while size < len(keys):
        size *= 2
    return keys + keys[:1] * (size - len(keys)) if keys else keys


def _key_list(sqlite: bool, keys: list[str]) -> Any:
    """What an IN compares with: on SQLite one JSON parameter read by ``json_each`` (one
    statement text whatever the count, and no compiling thousands of parameters), elsewhere
    a literal list padded to a few lengths."""
    if not sqlite:
        return padded(keys)
    return select(func.json_each(json.dumps(keys)).table_valued("value").c.value).scalar_subquery()


def _column_in(session: Session, rule: str, keys: list[str]) -> ColumnElement[bool]:
    """``rule``'s column among ``keys`` in the form its partial index answers."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    wanted = _key_list(sqlite, keys)
    if rule == "name_company":  # not indexed: a scan, so only an opt-in rule
        name = func.lower(func.trim(Lead.first_name + " " + Lead.last_name))
        return and_(Lead.company != "", (name + "|" + func.lower(Lead.company)).in_(wanted))
    column = getattr(Lead, rule)
    if rule == "phone":
        return and_(column != "", column.in_(wanted))
    if sqlite:
        return and_(column != "", column.collate("NOCASE").in_(wanted))
    return and_(column != "", func.lower(column).in_(wanted))


def keys_by_rule(wanted: Iterable[Mapping[str, str]]) -> dict[str, set[str]]:
    """The distinct keys of many leads, per rule."""
    by_rule: dict[str, set[str]] = {}
    for keys in wanted:
        for rule, key in keys.items():
            by_rule.setdefault(rule, set()).add(key)
    return by_rule


def find_existing(
    session: Session,
    wanted: Iterable[Mapping[str, str]],
    rules: DuplicateRules,
    exclude: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, dict[str, str]]]:
    """Visible leads that may match any of the ``wanted`` keys: ``(id, keys)`` each.

    Candidates come from the key indexes (for ``all``, from the first rule's); callers decide
    with ``is_match``. Soft delete and owner scope apply as to every ORM query.
    """
    return find_existing_keys(session, keys_by_rule(wanted), rules, exclude)


def find_existing_keys(
    session: Session,
    by_rule: Mapping[str, Collection[str]],
    rules: DuplicateRules,
    exclude: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, dict[str, str]]]:
    """``find_existing`` for keys already gathered per rule (``keys_by_rule``)."""
    probe_rules = rules.fields[:1] if rules.mode == "all" else rules.fields
    conditions = [
        _column_in(session, rule, sorted(by_rule[rule]))
        for rule in probe_rules
        if by_rule.get(rule)
    ]
    if not conditions:
        return []
    stmt = select(Lead.id, *(getattr(Lead, f) for f in KEY_FIELDS)).where(or_(false(), *conditions))
    if exclude is not None:
        stmt = stmt.where(Lead.id != exclude)
    out = []
    for row in session.execute(stmt):
        values = dict(zip(KEY_FIELDS, row[1:], strict=True))
        out.append((row[0], lead_keys(values, rules)))
    return out


def check(
    session: Session,
    values: Mapping[str, Any],
    rules: DuplicateRules,
    exclude: uuid.UUID | None = None,
) -> None:
    """Raise ``DuplicateLeadError`` when a visible lead matches cleaned ``values``."""
    keys = lead_keys(values, rules)
    if not keys:
        return
    matches = [
        lead_id
        for lead_id, other in find_existing(session, [keys], rules, exclude)
        if is_match(keys, other, rules)
    ]
    if matches:
        rule = next(r for r in rules.fields if r in keys)
        raise DuplicateLeadError("name" if rule == "name_company" else rule, matches)
