"""Import leads from a CSV, XLSX or vCard file: validated, deduplicated, undoable as one batch.

The file is streamed in batches (memory stays flat in the file's size). Each batch is mapped to
lead fields, validated (``clean_lead_input`` with cached email domains; on worker processes for
big files), matched against the leads already stored and those earlier in the file, and written
through the driver. The whole import is ONE transaction: a cancel or an error leaves nothing
behind, and a dry run is the same import rolled back. The batch is a change set (see
``lead_changes``): undoing it removes what it created and restores what it updated.
"""

from __future__ import annotations

import locale
import os
import pickle
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from leaddesk.services import activity, settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ServiceError, ValidationError
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.mapping import (
    ColumnMapping,
    compile_mapping,
    fingerprint,
    guess_mapping,
)
from leaddesk.services.importing.prepare_rows import (
    Prepared,
    ReadyRow,
    RowPlan,
    SourceValues,
    prepare,
    prepare_pickled,
)
from leaddesk.services.importing.sources import detect_format, open_source
from leaddesk.services.leads import changes as lead_changes
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.deferred_indexes import deferred_indexes
from leaddesk.services.leads.duplicate_keys import (
    DuplicateRules,
    find_existing_keys,
    is_match,
    load_rules,
    padded,
)
from leaddesk.services.leads.lead_input import IDENTITY_FIELDS
from leaddesk.services.leads.references import ReferenceTable, load_reference_table
from leaddesk.services.leads.writer import LeadWriter
from leaddesk.services.validation import known_regions
from leaddesk.store.models import Lead
from leaddesk.store.types import utcnow
from leaddesk.worker_processes import process_pool

BATCH = 5000
#: Files above this size prepare their rows on worker processes (spawning one costs ~0.5 s).
PARALLEL_BYTES = 8 * 1024 * 1024
#: Workers by default: this process reads and writes while they prepare rows.
PARALLEL_WORKERS = max(1, min(4, (os.cpu_count() or 1)))
#: Rough size of a row in a CRM export, to guess a file's rows from its size.
BYTES_PER_ROW = 200
#: The indexes duplicate checks read during an import (kept while the others are deferred).
KEY_INDEXES = ("ix_leads_key_email", "ix_leads_key_linkedin", "ix_leads_key_phone")
REGION_SETTING = settings.PHONE_DEFAULT_REGION  # one key: Settings ▸ Phone region sets it
MAPPINGS_SETTING = "import_mappings"
#: Memory stays bounded on a file of bad rows: past this, rejects are counted, not listed.
MAX_LISTED_REJECTS = 100_000
OnDuplicate = Literal["skip", "update", "create"]


class RejectedRow(NamedTuple):
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    skipped: int
    #: the rejected rows with line, field and reason (the first ``MAX_LISTED_REJECTS``)
    rejected: tuple[RejectedRow, ...]
    blank: int
    dry_run: bool = False
    change_set_id: uuid.UUID | None = None
    format: str = ""
    rows: int = 0
    seconds: float = 0.0
    rejected_total: int = 0
    #: rows imported without a value that could not be used (line, field, why)
    warnings: tuple[RejectedRow, ...] = ()


class ImportCancelledError(ServiceError):
    """The import was cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("import cancelled; nothing was written")


class _DryRunDone(Exception):
    """Raised inside the transaction to roll a dry run back."""


def os_region() -> str | None:
    """The country of the OS locale (``en_GB`` -> ``GB``), if it names one."""
    for name in (locale.getlocale()[0], os.environ.get("LC_ALL"), os.environ.get("LANG")):
        if name and "_" in name:
            code = name.split("_", 1)[1][:2].upper()
            if code.isalpha() and len(code) == 2:
                return code
    return None


def remembered_mapping(ctx: ServiceContext, headers: list[str]) -> ColumnMapping | None:
    stored = settings.get(ctx.store, MAPPINGS_SETTING) or {}
    return stored.get(fingerprint(headers))


def remember_mapping(ctx: ServiceContext, headers: list[str], mapping: ColumnMapping) -> None:
    stored = dict(settings.get(ctx.store, MAPPINGS_SETTING) or {})
    stored[fingerprint(headers)] = dict(mapping)
    settings.put(ctx.store, MAPPINGS_SETTING, stored)


# -- row preparation (runs on worker processes for big files) ---------------------------------


def _prepared(
    batches: Iterator[list[SourceValues]], plan: RowPlan, workers: int
) -> Iterator[Prepared]:
    """``import_rows.prepare`` over ``batches``, in order; on ``workers`` processes if > 0.

    A few batches are in flight per worker, so memory stays bounded whatever the file's size.
    """
    if workers < 1:
        for batch in batches:
            yield prepare(plan, batch)
        return
    with process_pool(workers) as pool:
        pending: deque[Future[Prepared]] = deque()
        try:
            for batch in batches:
                data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
                pending.append(pool.submit(prepare_pickled, plan, data))
                if len(pending) > 2 * workers:
                    yield pickle.loads(pending.popleft().result())
            while pending:
                yield pickle.loads(pending.popleft().result())
        finally:
            for future in pending:
                future.cancel()


# -- the import ---------------------------------------------------------------------------------


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rows: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_total: int = 0
    warnings: list[RejectedRow] = field(default_factory=list)

    def warn(self, rows: list[Any]) -> None:
        """Note rows imported without a value that could not be used (listed up to a cap)."""
        room = MAX_LISTED_REJECTS - len(self.warnings)
        self.warnings.extend(RejectedRow(*row) for row in rows[: max(room, 0)])

    def reject(self, row: RejectedRow) -> None:
        """Count a rejected row; list it while the list is under ``MAX_LISTED_REJECTS``."""
        self.rejected_total += 1
        if len(self.rejected) < MAX_LISTED_REJECTS:
            self.rejected.append(row)


class LeadImporter:
    def __init__(self, ctx: ServiceContext, default_region: str | None = None) -> None:
        self._ctx = ctx
        self.default_region = default_region

    def remembered_mapping(self, headers: list[str]) -> ColumnMapping | None:
        """The mapping this user chose last time for a file with these headers, if any."""
        return remembered_mapping(self._ctx, headers)

    def region(self, region: str | None = None) -> str | None:
        """``region``, else the user's setting, else the OS locale's country (if known).

        A region given or set that no phone plan knows is refused (``ValidationError``) rather
        than failing every national number of the file."""
        chosen = region or self.default_region or settings.get(self._ctx.store, REGION_SETTING)
        if chosen:
            code = chosen.strip().upper()
            if code not in known_regions():
                raise ValidationError(
                    "region", f"{chosen!r} is not a known country code (two letters: GB, US, DE…)"
                )
            return code
        local = os_region()
        return local if local in known_regions() else None

    def import_file(
        self,
        path: str | os.PathLike[str],
        mapping: Mapping[str, str | None] | None = None,
        dry_run: bool = False,
        on_duplicate: OnDuplicate = "skip",
        region: str | None = None,
        progress: Callable[[int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        rules: DuplicateRules | None = None,
        workers: int | None = None,
        indexing: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import ``path``; see the module docstring. Raises ``ImportFormatError`` for a file
        that cannot be read at all and ``ImportCancelledError`` when ``cancel()`` turned true.

        ``progress`` is told the rows read so far; ``indexing`` is told once, with the rows
        read, when every row is written and the search index and the lead indexes are being
        built (a long wait on a big file). ``cancel`` is asked between batches and once more
        after ``indexing``, just before the commit: after that last False, the import is
        committed."""
        if on_duplicate not in ("skip", "update", "create"):
            raise ValidationError("on_duplicate", f"{on_duplicate!r} is not skip, update or create")
        started = time.perf_counter()
        path = Path(path)
        kind = detect_format(path)
        rules = rules or load_rules(self._ctx.store)
        region = self.region(region)
        source = open_source(path)
        try:
            headers = source.headers
            if mapping is None:
                if kind == "vcard":
                    mapping = {h: h for h in headers}
                else:
                    mapping = remembered_mapping(self._ctx, headers) or guess_mapping(headers)
            elif not dry_run:
                remember_mapping(self._ctx, headers, dict(mapping))
            if not any(t in IDENTITY_FIELDS or t == "full_name" for t in mapping.values()):
                raise ImportFormatError(
                    path,
                    None,
                    None,
                    "no column is mapped to a name, email, phone or LinkedIn URL",
                )
            counts = _Counts()
            batches = self._source_batches(source, counts, cancel)
            if workers is None:
                workers = PARALLEL_WORKERS
            if path.stat().st_size <= PARALLEL_BYTES:
                workers = 0
            plan = RowPlan(
                mapping=compile_mapping(mapping),
                region=region,
                rules=rules,
                dialect=self._ctx.store.dialect,
                owner_id=self._ctx.actor.id,
                now=utcnow(),
                keep_values=on_duplicate == "update",
                references=self._references(),
            )
            ready = _prepared(batches, plan, workers)
            change_set_id = self._write(
                path, kind, ready, counts, on_duplicate, rules, dry_run, progress, indexing,
                cancel,
            )
        finally:
            source.close()
        blank = getattr(source.stats, "blank_rows", 0)
        counts.rejected.sort()
        return ImportReport(
            created=counts.created,
            updated=counts.updated,
            skipped=counts.skipped,
            rejected=tuple(counts.rejected),
            rejected_total=counts.rejected_total,
            warnings=tuple(sorted(counts.warnings)),
            blank=blank,
            dry_run=dry_run,
            change_set_id=None if dry_run else change_set_id,
            format=kind,
            rows=counts.rows,
            seconds=time.perf_counter() - started,
        )

    def _references(self) -> ReferenceTable:
        with self._ctx.store.read() as session:
            return load_reference_table(session)

    @staticmethod
    def _source_batches(
        source: Any, counts: _Counts, cancel: Callable[[], bool] | None
    ) -> Iterator[list[SourceValues]]:
        """The file's rows in batches; a row the reader flagged is rejected here."""
        batch: list[SourceValues] = []
        for row in source:
            counts.rows += 1
            if row.issues:
                for issue in row.issues:
                    counts.reject(RejectedRow(row.line, issue.field or "", issue.message))
                continue
            batch.append((row.line, row.values))
            if len(batch) >= BATCH:
                if cancel is not None and cancel():
                    raise ImportCancelledError
                yield batch
                batch = []
        if cancel is not None and cancel():
            raise ImportCancelledError
        if batch:
            yield batch

    def _write(
        self,
        path: Path,
        kind: str,
        prepared: Iterator[Prepared],
        counts: _Counts,
        on_duplicate: OnDuplicate,
        rules: DuplicateRules,
        dry_run: bool,
        progress: Callable[[int], None] | None,
        indexing: Callable[[int], None] | None,
        cancel: Callable[[], bool] | None,
    ) -> uuid.UUID | None:
        actor = self._ctx.actor
        try:
            with self._ctx.store.bulk_write() as session:
                change_set = lead_changes.start(session, actor.id, "import", f"import {path.name}")
                writer = LeadWriter(session, actor.id, change_set.id)
                conn = session.connection()
                with (
                    deferred_indexes(conn, "leads", KEY_INDEXES, self._big(conn, path)),
                    lead_search.bulk_insert(conn),
                ):
                    for batch in prepared:
                        for rejected in batch.rejected:
                            counts.reject(RejectedRow(*rejected))
                        counts.warn(batch.warnings)
                        self._apply(session, writer, batch, counts, on_duplicate, rules)
                        if progress is not None:
                            progress(counts.rows)
                    if indexing is not None:
                        indexing(counts.rows)
                    writer.finish()
                details = {
                    "file": path.name,
                    "format": kind,
                    "created": counts.created,
                    "updated": counts.updated,
                    "skipped": counts.skipped,
                    "rejected": counts.rejected_total,
                    "on_duplicate": on_duplicate,
                }
                change_set.details = details
                activity.record(
                    session,
                    actor.id,
                    "import",
                    "lead_change_set",
                    change_set.id,
                    summary=f"imported {path.name}: {counts.created} created, "
                    f"{counts.updated} updated, {counts.skipped} skipped, "
                    f"{counts.rejected_total} rejected",
                    changes=details,
                )
                if cancel is not None and cancel():  # the last chance: the commit follows
                    raise ImportCancelledError
                if dry_run:
                    raise _DryRunDone
                return change_set.id
        except _DryRunDone:
            return None

    def _apply(
        self,
        session: Session,
        writer: LeadWriter,
        batch: Prepared,
        counts: _Counts,
        on_duplicate: OnDuplicate,
        rules: DuplicateRules,
    ) -> None:
        """Sort one prepared batch into creates, updates and skips, and write it."""
        rows = batch.ready
        by_id = self._existing_ids(session, [r[4] for r in rows if r[4]])
        existing = (
            []
            if on_duplicate == "create"
            else find_existing_keys(session, batch.keys_by_rule, rules)
        )
        pending: list[ReadyRow] = []  # leads to create, in file order
        # A match is a stored lead's id, or an earlier row of this batch (its tuple).
        if rules.mode == "any" and on_duplicate != "create":
            # Any shared key is a match: one dict lookup per key, the first holder wins.
            first: dict[tuple[str, str], Any] = {}
            for lead_id, keys in existing:
                for item in keys.items():
                    first.setdefault(item, lead_id)
            for ready in rows:
                keys, file_id = ready[1], ready[4]
                match = by_id.get(file_id) if file_id else None
                if match is None:
                    for item in keys.items():
                        if (match := first.get(item)) is not None:
                            break
                if match is None:
                    pending.append(ready)
                    for item in keys.items():
                        first.setdefault(item, ready)
                else:
                    self._duplicate(writer, ready, match, counts, on_duplicate)
        else:
            index: dict[tuple[str, str], list[tuple[Any, dict[str, str]]]] = {}
            for lead_id, keys in existing:
                for item in keys.items():
                    index.setdefault(item, []).append((lead_id, keys))
            for ready in rows:
                keys, file_id = ready[1], ready[4]
                match = by_id.get(file_id) if file_id else None
                if match is None and on_duplicate != "create":
                    match = self._match(index, keys, rules)
                if match is None:
                    pending.append(ready)
                    for item in keys.items():
                        index.setdefault(item, []).append((ready, keys))
                else:
                    self._duplicate(writer, ready, match, counts, on_duplicate)
        id_at = writer.rows.id_position
        tags = [(r[2][id_at], t) for r in pending for t in r[3]]
        counts.created += writer.insert_rows([r[2] for r in pending], tags)
        updated, unchanged = writer.flush_updates()
        counts.updated += updated
        counts.skipped += unchanged

    @staticmethod
    def _duplicate(
        writer: LeadWriter, ready: ReadyRow, match: Any, counts: _Counts, on_duplicate: str
    ) -> None:
        """A row matching an earlier row (skipped) or a stored lead (skipped or updated)."""
        if isinstance(match, tuple) or on_duplicate != "update":
            counts.skipped += 1  # a duplicate of an earlier row, or skip
        elif not writer.queue_update(match, ready[5] or {}):
            counts.skipped += 1  # a second row for the same stored lead

    @staticmethod
    def _big(conn: Connection, path: Path) -> bool:
        """Whether the file is big beside the table: its indexes are then rebuilt, not fed."""
        if path.stat().st_size <= PARALLEL_BYTES:
            return False
        stored = conn.exec_driver_sql("SELECT count(*) FROM leads").scalar() or 0
        return path.stat().st_size // BYTES_PER_ROW > stored // 4

    @staticmethod
    def _match(
        index: dict[tuple[str, str], list[tuple[Any, dict[str, str]]]],
        keys: dict[str, str],
        rules: DuplicateRules,
    ) -> Any:
        for rule, key in keys.items():
            for target, target_keys in index.get((rule, key), ()):
                if is_match(keys, target_keys, rules):
                    return target
        return None

    @staticmethod
    def _existing_ids(session: Session, texts: list[str]) -> dict[str, uuid.UUID]:
        ids = {}
        for text in texts:
            try:
                ids[text] = uuid.UUID(text)
            except ValueError:
                continue
        if not ids:
            return {}
        wanted = padded(list(ids.values()))
        found = set(session.scalars(select(Lead.id).where(Lead.id.in_(wanted))))
        return {text: lead_id for text, lead_id in ids.items() if lead_id in found}
