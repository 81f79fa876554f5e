"""Streaming XLSX export (openpyxl write-only): every value a string cell, never a formula.

Strings go in as they are, beyond two things XML cannot hold directly: control characters
(and a literal ``_xHHHH_``) are written with OOXML's ``_xHHHH_`` escapes, which Excel and our
reader decode. Cells are not cut at Excel's 32,767-character display limit; the result warns.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from leaddesk.services.exporting.cells import EXPORT_FIELDS, cell_text
from leaddesk.services.exporting.destination import ExportResult, atomic_path

EXCEL_CELL_LIMIT = 32_767
_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")


def escape_ooxml(text: str) -> str:
    """Escape what XML text cannot carry the OOXML way (``_x000D_``; ``_`` as ``_x005F_``)."""
    return _NEEDS_ESCAPE.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    # Set the value directly: openpyxl's setter would cut it at 32,767 characters and would
    # turn "=..." into a formula.
    cell._value = escape_ooxml(text)
    cell.data_type = "s"
    return cell


def _discard(sheet: Any) -> None:
    """Finish and delete openpyxl's temporary file of a sheet whose export failed."""
    sheet.close()
    if sheet._writer is not None:
        sheet._writer.cleanup()


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    destination: str | os.PathLike[str],
    *,
    fields: Sequence[str] = EXPORT_FIELDS,
    sheet_title: str = "Leads",
) -> ExportResult:
    """Write ``rows`` (lead dicts: canonical fields plus ``id``) to an XLSX file atomically."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    sheet.append([_text_cell(sheet, field) for field in fields])
    count = 0
    long_cells = 0
    try:
        for row in rows:
            texts = [cell_text(row.get(field)) for field in fields]
            long_cells += sum(1 for text in texts if len(text) > EXCEL_CELL_LIMIT)
            sheet.append([_text_cell(sheet, text) for text in texts])
            count += 1
    except BaseException:
        _discard(sheet)
        raise
    with atomic_path(destination) as temporary:
        workbook.save(temporary)
    warnings: tuple[str, ...] = ()
    if long_cells:
        warnings = (
            f"{long_cells} cell(s) hold more than {EXCEL_CELL_LIMIT:,} characters; Excel shows "
            "only that many, LeadDesk reads them whole",
        )
    return ExportResult(count, warnings)
