"""Streaming CSV export, safe to open in a spreadsheet and read back without loss.

Cells that a spreadsheet would run as a formula are neutralised with a leading quote
(``importing.formula_guard``); our CSV reader undoes exactly that on import.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from leaddesk.services.exporting.cells import EXPORT_FIELDS, cell_text
from leaddesk.services.exporting.destination import ExportResult, atomic_path
from leaddesk.services.formula_guard import neutralise

_GUARD_FIRST_CHARS = frozenset("=+-@\t\r'")


def _write_rows(
    stream: TextIO,
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    delimiter: str,
    guard_formulas: bool,
) -> int:
    # Every cell quoted: a delimiter inside a value can then never look like a column break
    # to a reader that has to guess the delimiter (ours, or a spreadsheet's).
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(field) if guard_formulas else field for field in fields])
    count = 0
    for row in rows:
        cells = [cell_text(row.get(field)) for field in fields]
        if guard_formulas:
            cells = [neutralise(cell) if cell[:1] in _GUARD_FIRST_CHARS else cell for cell in cells]
        writer.writerow(cells)
        count += 1
    return count


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    destination: str | os.PathLike[str] | TextIO,
    *,
    fields: Sequence[str] = EXPORT_FIELDS,
    bom: bool = True,
    delimiter: str = ",",
    guard_formulas: bool = True,
) -> ExportResult:
    """Write ``rows`` (lead dicts: canonical fields plus ``id``) as CSV, one row at a time.

    A path is written atomically in UTF-8 (with a BOM by default, so Excel detects UTF-8);
    a text stream must be opened with ``newline=""``. Rows are RFC 4180 with CRLF and every
    cell in ``"`` quotes; ``tags`` lists become ``"a; b"``; cells starting with ``= + - @``,
    tab or CR get a leading ``'`` unless ``guard_formulas`` is false.
    """
    if isinstance(destination, str | os.PathLike):
        with atomic_path(destination) as temporary:
            encoding = "utf-8-sig" if bom else "utf-8"
            with temporary.open("w", encoding=encoding, newline="") as stream:
                count = _write_rows(stream, rows, fields, delimiter, guard_formulas)
    else:
        if bom:
            destination.write("\ufeff")
        count = _write_rows(destination, rows, fields, delimiter, guard_formulas)
    return ExportResult(count)
