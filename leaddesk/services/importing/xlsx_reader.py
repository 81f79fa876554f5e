"""Streaming reader for XLSX workbooks (openpyxl in read-only mode, one sheet).

Cells come back as text, the way a person sees them: whole numbers without ``.0``, dates in
ISO form, booleans as TRUE/FALSE, formulas as their last computed value (never the formula).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.headers import unique_headers
from leaddesk.services.importing.limits import DEFAULT_LIMITS, ReadLimits
from leaddesk.services.importing.row_source import HeaderedRowSource
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.importing.table_shape import MAX_SAMPLE_RECORDS, find_header_index

_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes (control characters, and ``_x005F_`` for ``_``).

    Excel writes a tab as ``_x0009_`` in some places and a literal ``_x0041_`` as
    ``_x005F_x0041_``; openpyxl returns such text undecoded.
    """
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def cell_text(value: Any) -> str:
    """A cell value as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_ooxml(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class _UnsizedWorksheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its stored size when it is opened.

    openpyxl reads the whole sheet to find a missing ``<dimension>`` (write-only workbooks,
    ours included, have none), once per opening; the size is not used here anyway.
    """

    def _get_size(self) -> None:
        return None


class _SheetsWithoutSize(ExcelReader):
    """openpyxl's read-only workbook reader, creating ``_UnsizedWorksheet`` sheets."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def _load_read_only(handle: BinaryIO) -> Workbook:
    """Open a workbook read-only with values, not formulas (see ``_UnsizedWorksheet``)."""
    reader = _SheetsWithoutSize(handle, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _trimmed(cells: list[str]) -> list[str]:
    """``cells`` without the trailing empty ones (formatting alone makes cells exist)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


@dataclass(slots=True)
class XlsxStats:
    """What the reader decided and counted; ``rows`` and ``blank_rows`` grow while iterating."""

    sheet: str = ""
    header_line: int = 0
    rows: int = 0
    blank_rows: int = 0
    rows_with_issues: int = 0


class XlsxSource(HeaderedRowSource):
    """Rows of one worksheet as ``SourceRow`` items keyed by its header row.

    The first worksheet is read unless ``sheet`` names another. Leading empty or preamble rows
    are skipped as for CSV; ``line`` is the sheet row number. Row-level problems come as
    ``SourceRow.issues``; a file that is not a readable workbook raises ``ImportFormatError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sheet: str | None = None,
        limits: ReadLimits = DEFAULT_LIMITS,
    ) -> None:
        self.path = Path(path)
        self.limits = limits
        self._stats = XlsxStats()
        self._sheet = sheet
        self._headers: list[str] | None = None

    def _error(self, line: int | None, message: str, field: str | None = None) -> ImportFormatError:
        return ImportFormatError(self.path, line, field, message)

    @contextlib.contextmanager
    def _open(self) -> Iterator[Workbook]:
        """The workbook, read-only; given an open file so that any extension is accepted."""
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            raise self._error(None, "file not found") from None
        with handle:
            try:
                with warnings.catch_warnings():
                    # openpyxl warns about styles and extensions it ignores; none matter here
                    warnings.simplefilter("ignore")
                    workbook = _load_read_only(handle)
            except Exception as exc:  # a damaged or foreign zip fails in many different ways
                raise self._error(None, f"is not a readable XLSX workbook ({exc})") from None
            try:
                yield workbook
            finally:
                workbook.close()

    def _rows_of(self, workbook: Workbook) -> Iterator[tuple[Any, ...]]:
        if self._sheet is None:
            if not workbook.worksheets:
                raise self._error(None, "the workbook has no worksheet")
            sheet = workbook.worksheets[0]
        elif self._sheet in workbook.sheetnames:
            sheet = workbook[self._sheet]
        else:
            names = ", ".join(repr(name) for name in workbook.sheetnames)
            raise self._error(None, f"has no sheet named {self._sheet!r} (sheets: {names})")
        self._stats.sheet = sheet.title
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a wrong stored size would otherwise cut rows off
        return sheet.iter_rows(values_only=True)

    @property
    def stats(self) -> XlsxStats:
        return super().stats

    def _prepare(self) -> None:
        with self._open() as workbook:
            try:
                sample = [
                    _trimmed([cell_text(value) for value in row])
                    for row in islice(self._rows_of(workbook), MAX_SAMPLE_RECORDS)
                ]
            except ImportFormatError:
                raise
            except Exception as exc:
                raise self._error(None, f"is not a readable XLSX workbook ({exc})") from None
        index = find_header_index(sample)
        if index is None:
            raise self._error(None, f"sheet {self._stats.sheet!r} has no header row")
        cells = sample[index]
        if len(cells) > self.limits.max_columns:
            raise self._error(
                index + 1,
                f"the header has {len(cells)} columns, more than the limit of "
                f"{self.limits.max_columns}",
            )
        self._stats.header_line = index + 1
        self._headers = unique_headers(cells)

    def _generate(self) -> Iterator[SourceRow]:
        header_line = self._stats.header_line
        with self._open() as workbook:
            rows = self._rows_of(workbook)
            line = 0
            while True:
                try:
                    row = next(rows, None)
                except Exception as exc:
                    raise self._error(line + 1, f"cannot be read ({exc})") from None
                if row is None:
                    return
                line += 1
                if line <= header_line:
                    continue
                cells = [cell_text(value) for value in row]
                if not any(cell.strip() for cell in cells):
                    self._stats.blank_rows += 1
                    continue
                values, issues = self._fit_row(cells, line)
                self._stats.rows += 1
                if issues:
                    self._stats.rows_with_issues += 1
                yield SourceRow(line, values, issues)

    def _fit_row(
        self, cells: list[str], line: int
    ) -> tuple[dict[str, str], tuple[ImportFormatError, ...]]:
        headers = self.headers
        width = len(headers)
        limits = self.limits
        issues: list[ImportFormatError] = []
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        values = dict(zip(headers, cells[:width], strict=True))
        if len(cells) > limits.max_columns:
            issues.append(
                self._error(
                    line,
                    f"the row has {len(cells)} columns, more than the limit of "
                    f"{limits.max_columns}",
                )
            )
        elif any(cell.strip() for cell in cells[width:]):
            issues.append(
                self._error(line, f"the row has values beyond the {width} header columns")
            )
        for key, value in values.items():
            if len(value) > limits.max_cell_chars:
                values[key] = ""
                issues.append(
                    self._error(
                        line,
                        f"the cell is longer than the limit of {limits.max_cell_chars:,} "
                        "characters",
                        key,
                    )
                )
        return values, tuple(issues)
