"""Streaming reader for delimited text files (CSV, TSV, semicolon and pipe separated).

Memory stays constant in the number of rows: the file is parsed by the C ``csv`` module one
record at a time. Before that, a sample of the file decides the encoding (``content_sniffing``)
and the delimiter and header row (``table_shape``).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from leaddesk.services.formula_guard import restore
from leaddesk.services.importing.content_sniffing import read_head, text_encoding
from leaddesk.services.importing.csv_scan import RecordScanner
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.headers import unique_headers
from leaddesk.services.importing.limits import DEFAULT_LIMITS, ReadLimits
from leaddesk.services.importing.row_source import HeaderedRowSource
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.importing.table_shape import detect_shape, parse_records

SAMPLE_CHARS = 64 * 1024
MAX_SAMPLE_CHARS = 16 * 1024 * 1024
_FIELD_LIMIT_MESSAGE = "field larger than field limit"


@dataclass(slots=True)
class CsvStats:
    """What the reader decided and counted; ``rows`` and ``blank_rows`` grow while iterating."""

    encoding: str = ""
    delimiter: str = ","
    header_line: int = 0
    preamble_lines: int = 0
    rows: int = 0
    blank_rows: int = 0
    rows_with_issues: int = 0


class _LineTooLong(Exception):
    pass


def _ensure_csv_field_limit(limit: int) -> bool:
    """Raise the process-wide ``csv`` field limit to at least ``limit``.

    The limit is global to the ``csv`` module, so it is only ever raised (a lower one would
    break another reader running at the same time). Returns True when it is now higher than
    ``limit``, i.e. cell lengths must be checked by hand.
    """
    current = csv.field_size_limit()
    if current < limit:
        csv.field_size_limit(limit)
        return False
    return current > limit


def _record_start_line(text: str, delimiter: str, index: int) -> int:
    """The physical line where record number ``index`` of ``text`` starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    for _ in range(index):
        next(reader)
    return reader.line_num + 1


def _feed_lines(stream: TextIO, max_chars: int, record: list[str]) -> Iterator[str]:
    """Physical lines of ``stream`` for ``csv.reader``, each also kept in ``record``.

    ``record`` holds the lines of the record being parsed (the caller clears it per record),
    which is what names the column of an over-long cell. A line longer than ``max_chars``
    stops the read instead of filling memory.
    """
    readline = stream.readline
    append = record.append
    while line := readline(max_chars):
        if len(line) == max_chars and line[-1] not in "\r\n":
            raise _LineTooLong
        append(line)
        yield line


class CsvSource(HeaderedRowSource):
    """Rows of a delimited text file as ``SourceRow`` items, keyed by the header names.

    Iterating opens the file and streams it; ``headers`` and ``stats`` can be read before
    (they only sample the start of the file). File-level problems raise ``ImportFormatError``;
    row-level ones (a cell over the size limit, a row wider than the header or than the column
    limit) come as ``SourceRow.issues`` and the read goes on. Blank rows are skipped and
    counted in ``stats.blank_rows``. Cells that our CSV export guarded against formula
    injection are restored unless ``restore_guarded_cells`` is false.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        limits: ReadLimits = DEFAULT_LIMITS,
        encoding: str | None = None,
        delimiter: str | None = None,
        restore_guarded_cells: bool = True,
    ) -> None:
        self.path = Path(path)
        self.limits = limits
        self._stats = CsvStats()
        self._encoding = encoding
        self._delimiter = delimiter
        self._restore = restore_guarded_cells
        self._headers: list[str] | None = None
        self._header_index = 0
        self._guard_possible = True

    # -- preparation -----------------------------------------------------------------------

    @property
    def stats(self) -> CsvStats:
        return super().stats

    def _error(self, line: int | None, message: str, field: str | None = None) -> ImportFormatError:
        return ImportFormatError(self.path, line, field, message)

    def _prepare(self) -> None:
        head = read_head(self.path)
        if not head:
            raise self._error(None, "the file is empty")
        if self._encoding is None:
            choice = text_encoding(self.path, head)
            encoding, self._guard_possible = choice.encoding, choice.guard_possible
        else:
            encoding = self._encoding
        self._stats.encoding = encoding
        tab_suffix = self.path.suffix.lower() in {".tsv", ".tab"}
        preferred = self._delimiter or ("\t" if tab_suffix else None)
        sample_chars = SAMPLE_CHARS
        while True:
            sample, complete = self._read_sample(encoding, sample_chars)
            if not sample.strip():
                raise self._error(None, "the file has no text (only blank lines)")
            shape = detect_shape(sample, complete, preferred)
            if self._delimiter is not None and shape is not None:
                shape = replace(shape, delimiter=self._delimiter)
            records = parse_records(sample, shape.delimiter if shape else ",")
            if shape is not None and (complete or shape.header_index < len(records) - 1):
                break
            if complete or sample_chars >= MAX_SAMPLE_CHARS:
                raise self._error(None, "no header row found in the first part of the file")
            sample_chars *= 4
        header_cells = records[shape.header_index]
        header_line = _record_start_line(sample, shape.delimiter, shape.header_index)
        if len(header_cells) > self.limits.max_columns:
            raise self._error(
                header_line,
                f"the header has {len(header_cells)} columns, more than the limit of "
                f"{self.limits.max_columns}",
            )
        self._stats.delimiter = shape.delimiter
        self._stats.header_line = header_line
        self._stats.preamble_lines = header_line - 1
        self._header_index = shape.header_index
        if self._restore:
            header_cells = [restore(cell) for cell in header_cells]
        self._headers = unique_headers(header_cells)

    def _read_sample(self, encoding: str, chars: int) -> tuple[str, bool]:
        try:
            with self.path.open(encoding=encoding, newline="") as stream:
                sample = stream.read(chars)
                complete = len(sample) < chars or not stream.read(1)
        except UnicodeDecodeError as exc:
            raise self._error(None, f"is not valid {encoding} text ({exc.reason})") from None
        return sample, complete

    # -- iteration -------------------------------------------------------------------------

    def _generate(self) -> Iterator[SourceRow]:
        headers = self.headers
        width = len(headers)
        limits = self.limits
        stats = self._stats
        check_lengths = _ensure_csv_field_limit(limits.max_cell_chars)
        record: list[str] = []
        with self.path.open(encoding=stats.encoding, newline="") as stream:
            lines = _feed_lines(stream, limits.max_line_chars, record)
            reader = csv.reader(lines, delimiter=stats.delimiter, strict=False)
            skipped_lines = 0  # lines consumed behind csv's back (after an over-long cell)
            try:
                for _ in range(self._header_index + 1):
                    next(reader)
            except (StopIteration, csv.Error, _LineTooLong, UnicodeDecodeError):
                raise self._error(stats.header_line, "cannot read the header row") from None
            previous_end = reader.line_num
            record.clear()
            restore_cells = self._restore and self._guard_possible
            while True:
                try:
                    for row in reader:
                        line = previous_end + skipped_lines + 1
                        span = reader.line_num - previous_end
                        previous_end = reader.line_num
                        # An odd count of quotes over several lines: a quote never closed,
                        # which swallowed the lines after it into one value.
                        unclosed = span > 1 and sum(t.count('"') for t in record) % 2 == 1
                        record.clear()
                        joined = "\n".join(row)
                        if not joined or joined.isspace():
                            stats.blank_rows += 1
                            continue
                        if len(row) == width:
                            values = dict(zip(headers, row))  # noqa: B905 - length checked
                            issues: tuple[ImportFormatError, ...] = ()
                        else:
                            values, issues = self._fit_row(row, line)
                        if restore_cells and (joined[0] == "'" or "\n'" in joined):
                            values = {key: restore(value) for key, value in values.items()}
                        if check_lengths:
                            issues += self._long_cells(values, line)
                        if unclosed:
                            issues += (self._unclosed_quote(line, span),)
                        stats.rows += 1
                        if issues:
                            stats.rows_with_issues += 1
                        yield SourceRow(line, values, issues)
                    return
                except csv.Error as exc:
                    line = previous_end + skipped_lines + 1
                    if _FIELD_LIMIT_MESSAGE not in str(exc):
                        raise self._error(line, f"cannot be parsed as CSV: {exc}") from None
                    field, extra_lines = self._skip_long_record(record, lines)
                    skipped_lines += extra_lines
                    previous_end = reader.line_num
                    record.clear()
                    stats.rows += 1
                    stats.rows_with_issues += 1
                    yield SourceRow(line, {}, (self._long_cell_issue(line, field),))
                except _LineTooLong:
                    line = reader.line_num + skipped_lines + 1
                    raise self._error(
                        line,
                        f"a line is longer than {limits.max_line_chars:,} characters",
                    ) from None
                except UnicodeDecodeError as exc:
                    line = reader.line_num + skipped_lines + 1
                    raise self._error(
                        line, f"is not valid {stats.encoding} text ({exc.reason})"
                    ) from None

    def _fit_row(
        self, row: list[str], line: int
    ) -> tuple[dict[str, str], tuple[ImportFormatError, ...]]:
        """Key a row whose cell count differs from the header's, noting what does not fit."""
        headers = self.headers
        width = len(headers)
        if len(row) < width:
            return dict(zip(headers, [*row, *[""] * (width - len(row))], strict=True)), ()
        values = dict(zip(headers, row[:width], strict=True))
        if len(row) > self.limits.max_columns:
            message = (
                f"the row has {len(row)} columns, more than the limit of {self.limits.max_columns}"
            )
            return values, (self._error(line, message),)
        extra = [cell for cell in row[width:] if cell.strip()]
        if not extra:
            return values, ()
        message = (
            f"the row has {len(row)} cells but the header has {width}; "
            "a delimiter inside a value may be missing its quotes"
        )
        return values, (self._error(line, message),)

    def _field_name(self, index: int | None) -> str | None:
        if index is None:
            return None
        headers = self.headers
        return headers[index] if index < len(headers) else f"column {index + 1}"

    def _unclosed_quote(self, line: int, span: int) -> ImportFormatError:
        return self._error(
            line,
            f"a quote opened in this row is never closed, so lines {line}-{line + span - 1} "
            "were read as one row; close the quote (or double it inside a value)",
        )

    def _long_cell_issue(self, line: int, field: str | None) -> ImportFormatError:
        return self._error(
            line,
            f"the cell is longer than the limit of {self.limits.max_cell_chars:,} characters",
            field,
        )

    def _long_cells(self, values: dict[str, str], line: int) -> tuple[ImportFormatError, ...]:
        limit = self.limits.max_cell_chars
        return tuple(
            self._long_cell_issue(line, key) for key, value in values.items() if len(value) > limit
        )

    def _skip_long_record(self, record: list[str], lines: Iterator[str]) -> tuple[str | None, int]:
        """After csv gave up on an over-long cell: name its column and skip the record's rest.

        Returns the field name and how many lines were consumed here, behind csv's back.
        """
        scanner = RecordScanner(self._stats.delimiter, self.limits.max_cell_chars)
        for text in record:
            scanner.feed(text)
        consumed = 0
        while scanner.in_quotes and not scanner.ended:
            try:
                text = next(lines)
            except StopIteration:
                break
            consumed += 1
            record.clear()  # the cell itself is not kept
            scanner.feed(text)
        return self._field_name(scanner.oversized), consumed


def read_csv(
    path: str | os.PathLike[str],
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    encoding: str | None = None,
    delimiter: str | None = None,
    restore_guarded_cells: bool = True,
) -> CsvSource:
    """Open a delimited text file for streaming (see ``CsvSource``)."""
    if delimiter is not None and len(delimiter) != 1:
        raise ValueError(f"a delimiter is one character, not {delimiter!r}")
    return CsvSource(
        path,
        limits=limits,
        encoding=encoding,
        delimiter=delimiter,
        restore_guarded_cells=restore_guarded_cells,
    )
