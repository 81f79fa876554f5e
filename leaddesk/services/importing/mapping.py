"""Column mapping: which lead field each column of a source file fills.

``guess_mapping`` proposes one from the headers; the user may change it; ``fingerprint``
identifies a header set so the choice is remembered for the next file of the same layout;
``mapping_to_json``/``mapping_from_json`` store it (also for ``leaddesk import --mapping``).
``apply_mapping`` turns one source row into lead fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leaddesk.services.importing.countries import normalize_country
from leaddesk.services.importing.header_aliases import (
    ALIASES,
    IGNORED_PREFIXES,
    ORGANIZATION_ALIASES,
    ORGANIZATION_PREFIXES,
    PATTERNS,
    PERSON_ALIASES,
    PERSON_PREFIXES,
    VENDOR_PROFILES,
    header_key,
)
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.importing.vcard_reader import is_linkedin_url
from leaddesk.services.leads.fields import MAPPING_TARGETS, format_tags, parse_tags

ColumnMapping = dict[str, str | None]
MAPPING_FORMAT = "leaddesk-column-mapping"
MAPPING_VERSION = 1
_OWN_EXPORT_MIN_FIELDS = 5
_GOOGLE_MULTI_VALUE = " ::: "


class MappingError(ValueError):
    """A stored or hand-written mapping is not valid."""


def _generic_target(key: str) -> str | None:
    if key in ALIASES:
        return ALIASES[key]
    for pattern, target in PATTERNS:
        if pattern.fullmatch(key):
            return target
    return None


def _split_prefix(header: str) -> tuple[str | None, str]:
    """``"Person - Email - Work"`` -> ``("person", "Email - Work")``; no prefix -> None."""
    head, separator, rest = header.partition(" - ")
    if not separator:
        return None, header
    return header_key(head), rest


def _guess_one(header: str) -> str | None:
    key = header_key(header)
    if not key:
        return None
    target = _generic_target(key)
    if target is not None:
        return target
    prefix, rest = _split_prefix(header)
    rest_key = header_key(rest)
    if prefix in PERSON_PREFIXES:
        return PERSON_ALIASES.get(rest_key) or _generic_target(rest_key)
    if prefix in ORGANIZATION_PREFIXES:
        return ORGANIZATION_ALIASES.get(rest_key)
    if prefix in IGNORED_PREFIXES:
        return None
    return None


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Propose a target field (or None) for each header, in header order.

    Matching ignores case, accents, spaces and punctuation. Known export layouts (LinkedIn,
    Outlook, Google, our own) adjust the generic reading of a few columns. Several columns may
    map to one field; ``apply_mapping`` then takes the first non-empty value (tags and notes
    are combined).
    """
    keys = {header_key(header) for header in headers}
    overrides: dict[str, str | None] = {}
    for profile in VENDOR_PROFILES:
        if profile.matches(keys):
            overrides.update(profile.overrides)
    own_export = "id" in headers and (
        sum(1 for header in headers if header in MAPPING_TARGETS) > _OWN_EXPORT_MIN_FIELDS
    )
    mapping: ColumnMapping = {}
    for header in headers:
        key = header_key(header)
        if own_export and header == "id":
            mapping[header] = "id"
        elif key in overrides:
            mapping[header] = overrides[key]
        else:
            mapping[header] = _guess_one(header)
    return mapping


def fingerprint(headers: Sequence[str]) -> str:
    """A stable id of a header set (order and surrounding spaces ignored) to remember a mapping."""
    names = sorted({header.strip() for header in headers})
    digest = hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:32]}"


def validate_mapping(mapping: Mapping[str, object]) -> ColumnMapping:
    """Check that every target is a known field (or None); returns a plain copy."""
    result: ColumnMapping = {}
    for header, target in mapping.items():
        if not isinstance(header, str):
            raise MappingError(f"a column name must be text, not {header!r}")
        if target is not None and (not isinstance(target, str) or target not in MAPPING_TARGETS):
            known = ", ".join(sorted(MAPPING_TARGETS))
            raise MappingError(f"column {header!r}: unknown field {target!r} (known: {known})")
        result[header] = target
    return result


def mapping_to_json(mapping: Mapping[str, str | None]) -> str:
    """Serialise a mapping (with the fingerprint of its columns) as JSON text."""
    columns = validate_mapping(mapping)
    document = {
        "format": MAPPING_FORMAT,
        "version": MAPPING_VERSION,
        "fingerprint": fingerprint(list(columns)),
        "columns": columns,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def mapping_from_json(text: str) -> ColumnMapping:
    """Read a mapping written by ``mapping_to_json``, or a plain ``{"column": "field"}`` object."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError(f"not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MappingError("a mapping is a JSON object of column name to field name")
    if document.get("format") == MAPPING_FORMAT:
        if document.get("version") != MAPPING_VERSION:
            raise MappingError(f"unsupported mapping version {document.get('version')!r}")
        columns = document.get("columns")
        if not isinstance(columns, dict):
            raise MappingError('"columns" must be an object of column name to field name')
        return validate_mapping(columns)
    return validate_mapping(document)


@dataclass(frozen=True, slots=True)
class CompiledMapping:
    """A mapping prepared once for many rows (``apply_mapping`` prepares it on every call)."""

    single: tuple[tuple[str, tuple[str, ...]], ...]
    tags: tuple[str, ...]
    notes: tuple[str, ...]
    full_name: tuple[str, ...]

    def __call__(self, row: SourceRow | Mapping[str, str]) -> dict[str, str]:
        values = row.values if isinstance(row, SourceRow) else row
        result: dict[str, str] = {}
        for target, headers in self.single:
            found = ""
            for header in headers:
                value = values.get(header)
                if value and (value := value.strip()):
                    if _GOOGLE_MULTI_VALUE in value:
                        value = value.split(_GOOGLE_MULTI_VALUE, 1)[0].strip()
                    found = value
                    break
            result[target] = found
        if self.tags:
            tags: list[str] = []
            for header in self.tags:
                tags.extend(parse_tags(values.get(header, "")))
            result["tags"] = format_tags(tags)
        if self.notes:
            notes = [values.get(header, "") for header in self.notes]
            result["notes"] = "\n".join(note for note in notes if note.strip())
        if self.full_name and not (result.get("first_name") or result.get("last_name")):
            full = next((values.get(h, "").strip() for h in self.full_name if values.get(h)), "")
            first, _, last = full.rpartition(" ")
            result["first_name"], result["last_name"] = (first, last) if first else (last, "")
        return _tidy(result)


def _tidy(result: dict[str, str]) -> dict[str, str]:
    if result.get("country"):
        result["country"] = normalize_country(result["country"])
    email = result.get("email", "")
    if email[:7].lower() == "mailto:":
        result["email"] = email[7:]
    website = result.get("website", "")
    if (
        "linkedin" in website.lower()
        and not result.get("linkedin_url")
        and is_linkedin_url(website)
    ):
        result["linkedin_url"], result["website"] = website, ""
    return result


def compile_mapping(mapping: Mapping[str, str | None]) -> CompiledMapping:
    """Prepare ``mapping`` for applying to many rows."""
    by_target: dict[str, list[str]] = {}
    for header, target in validate_mapping(mapping).items():
        if target is not None:
            by_target.setdefault(target, []).append(header)
    special = {"tags", "notes", "full_name"}
    single = tuple((t, tuple(hs)) for t, hs in by_target.items() if t not in special)
    if "full_name" in by_target:
        single += tuple((t, ()) for t in ("first_name", "last_name") if t not in by_target)
    return CompiledMapping(
        single=single,
        tags=tuple(by_target.get("tags", ())),
        notes=tuple(by_target.get("notes", ())),
        full_name=tuple(by_target.get("full_name", ())),
    )


def apply_mapping(
    row: SourceRow | Mapping[str, str], mapping: Mapping[str, str | None]
) -> dict[str, str]:
    """Lead fields of one source row under ``mapping``.

    Every mapped field is in the result ("" when the row has no value for it); unmapped
    columns are dropped. Several columns of one field: the first non-empty wins (Google's
    ``a ::: b`` multi-values give their first), tags are merged, notes joined by lines. A
    ``full_name`` column fills first and last name when the file has no separate ones.
    Values are trimmed, countries become ISO codes, a LinkedIn URL in ``website`` moves to
    ``linkedin_url``.
    """
    return compile_mapping(mapping)(row)
