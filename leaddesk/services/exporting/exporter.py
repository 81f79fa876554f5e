"""Export leads to CSV, XLSX or vCard: every matching row, streamed, never truncated.

Rows come in keyset pages (oldest first, so a long export is stable while the table changes
elsewhere) and go straight into the ``exporting`` writers, which write the file atomically.
The campaign and the owner are written by name (campaign name, owner's username), which an
import maps back (``lead_references``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Literal

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ServiceError, ValidationError
from leaddesk.services.exporting import ExportResult, write_csv, write_vcard, write_xlsx
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.services.leads.references import ReferenceNames
from leaddesk.services.leads.saved_views import SavedViewService
from leaddesk.services.leads.service import LeadService

PAGE = 2000
ExportFormat = Literal["csv", "xlsx", "vcf"]
_WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "vcf": write_vcard}
_SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".vcf": "vcf", ".vcard": "vcf"}


class ExportCancelledError(ServiceError):
    def __init__(self) -> None:
        super().__init__("export cancelled; no file was written")


def format_for(path: str | os.PathLike[str], format: str | None = None) -> ExportFormat:
    """The export format: as given, else from the file's extension (CSV when unknown)."""
    chosen = format or _SUFFIXES.get(os.path.splitext(os.fspath(path))[1].lower(), "csv")
    chosen = "vcf" if chosen == "vcard" else chosen
    if chosen not in _WRITERS:
        raise ValidationError("format", f"{format!r} is not csv, xlsx or vcf")
    return chosen  # type: ignore[return-value]


def lead_rows(
    ctx: ServiceContext,
    query: LeadQuery,
    progress: Callable[[int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every lead matching ``query`` as an export row, page by page (with campaign and owner
    names)."""
    sort = LeadSort("created_at", descending=False)
    cursor = None
    done = 0
    leads, names = LeadService(ctx), ReferenceNames()
    while True:
        if cancel is not None and cancel():
            raise ExportCancelledError
        page = leads.page(query, sort, after=cursor, limit=PAGE)
        with ctx.store.read() as session:
            names.load(session, (r.campaign_id for r in page.rows), (r.owner_id for r in page.rows))
        for lead in page.rows:
            row = names.add_names(lead.as_dict())
            row["id"] = str(lead.id)
            yield row
        done += len(page.rows)
        if progress is not None:
            progress(done)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def export_leads(
    ctx: ServiceContext,
    path: str | os.PathLike[str],
    format: str | None = None,
    query: LeadQuery | None = None,
    view: str | None = None,
    progress: Callable[[int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the leads of ``query`` (or of the saved ``view``; default: all) to ``path``."""
    if view is not None:
        query = SavedViewService(ctx).get(view).query
    chosen = format_for(path, format)
    rows = lead_rows(ctx, query or LeadQuery(), progress, cancel)
    result = _WRITERS[chosen](rows, path)
    with ctx.store.write() as session:
        activity.record(
            session,
            ctx.actor.id,
            "export",
            "lead",
            "",
            summary=f"exported {result.rows} leads to {os.path.basename(path)} ({chosen})",
            changes={"rows": result.rows, "format": chosen, "view": view or ""},
        )
    return result
