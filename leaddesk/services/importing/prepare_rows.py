"""The importer's per-row work: source values to validated, keyed, database-ready leads.

Mapping, validation (``clean_bulk``: email domains checked once), duplicate keys, a new key and
the insert tuple are all computed here, on worker processes for big files (everything in and
out is picklable), so that the importing process only reads the file, matches duplicates and
writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from leaddesk.services.errors import ValidationError
from leaddesk.services.importing.mapping import CompiledMapping
from leaddesk.services.leads.duplicate_keys import DuplicateRules, keys_by_rule, lead_keys
from leaddesk.services.leads.fields import parse_tags
from leaddesk.services.leads.lead_input import IDENTITY_FIELDS
from leaddesk.services.leads.references import ReferenceTable, resolve
from leaddesk.services.leads.rows import LeadRowBuilder, dialect_named
from leaddesk.services.leads.validation_cache import clean_bulk
from leaddesk.store.ids import new_id_hexes

#: A source row as the reader gave it: (line, values keyed by the file's headers)
SourceValues = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class RowPlan:
    """Everything a worker needs to prepare rows; small, hashable and picklable."""

    mapping: CompiledMapping
    region: str | None
    rules: DuplicateRules
    dialect: str
    owner_id: uuid.UUID | None
    now: dt.datetime
    #: keep each row's cleaned values (what an update applies); otherwise they are not sent back
    keep_values: bool = False
    #: campaigns and owners the importing user may assign, by name
    references: ReferenceTable = field(default_factory=ReferenceTable)


#: One row ready to write, a plain tuple (a named tuple costs a Python call per row to
#: unpickle): (line, duplicate keys under the plan's rules, the insert tuple with a new key,
#: tags, the file's own ``id`` column or "", the cleaned values if ``RowPlan.keep_values``).
ReadyRow = tuple[int, dict[str, str], tuple[Any, ...], list[str], str, dict[str, Any] | None]


class RejectedValues(NamedTuple):
    line: int
    field: str
    reason: str


class Prepared(NamedTuple):
    ready: list[ReadyRow]
    rejected: list[RejectedValues]
    #: rows imported without a value that could not be used (an unknown owner, say)
    warnings: list[RejectedValues]
    #: the ready rows' distinct duplicate keys per rule (what the importer looks up)
    keys_by_rule: dict[str, set[str]]


@functools.lru_cache(maxsize=4)
def _builder(dialect: str, owner_id: uuid.UUID | None, now: dt.datetime) -> LeadRowBuilder:
    return LeadRowBuilder(dialect_named(dialect), owner_id, now)


def prepare(plan: RowPlan, rows: list[SourceValues]) -> Prepared:
    """Map, validate, key and build ``rows``; a row that fails is rejected with its reason."""
    builder = _builder(plan.dialect, plan.owner_id, plan.now)
    mapping, region, rules, keep = plan.mapping, plan.region, plan.rules, plan.keep_values
    ready: list[ReadyRow] = []
    rejected: list[RejectedValues] = []
    warnings: list[RejectedValues] = []
    references = plan.references
    for (line, source), hex_id in zip(rows, new_id_hexes(len(rows)), strict=True):
        values: dict[str, Any] = {k: v for k, v in mapping(source).items() if v}
        if "tags" in values:  # as the file's own list: a tag may hold a comma
            values["tags"] = parse_tags(values["tags"])
        file_id = values.pop("id", "")
        try:
            issues = (
                resolve(values, references) if "campaign" in values or "owner" in values else ()
            )
            cleaned = clean_bulk(values, region)
        except ValidationError as exc:
            rejected.append(RejectedValues(line, exc.field, exc.message))
            continue
        warnings.extend(RejectedValues(line, i.field, i.message) for i in issues)
        if not any(cleaned.get(k) for k in IDENTITY_FIELDS):
            rejected.append(RejectedValues(line, "name", "no name, email, phone or LinkedIn URL"))
            continue
        row = builder.row(cleaned, builder.id_value(hex_id))
        keys = lead_keys(cleaned, rules)
        tags = cleaned.get("tags") or []
        ready.append((line, keys, row, tags, file_id, cleaned if keep else None))
    return Prepared(ready, rejected, warnings, keys_by_rule(r[1] for r in ready))


def prepare_pickled(plan: RowPlan, rows: bytes) -> bytes:
    """``prepare`` with rows and result pickled by the caller and here.

    The importing process then pickles and unpickles on its main thread: done by the pool's
    helper threads instead, that work holds the GIL against the main thread's inserts, whose
    every row hands the GIL back and forth (measured: 3-4x slower inserts).
    """
    return pickle.dumps(prepare(plan, pickle.loads(rows)), protocol=pickle.HIGHEST_PROTOCOL)
