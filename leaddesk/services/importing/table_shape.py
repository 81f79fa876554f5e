"""Find the delimiter and the header row of a delimited text table from a sample of it.

``csv.Sniffer`` guesses from character frequencies and is easily fooled (a comma in every
company name, a preamble such as LinkedIn's "Notes:" lines). Here each candidate delimiter
parses the sample with the real CSV grammar (quotes respected); the delimiter whose records
most consistently have the same field count wins (then the one leaving fewest quote characters
inside cells, as misread quoting does). The header is the first record with mostly
non-empty cells that is about as wide as the rows below it (preamble lines are narrower). The
same rule finds the header row of a sheet.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
MAX_SAMPLE_RECORDS = 200


@dataclass(frozen=True, slots=True)
class TableShape:
    """Delimiter and header position of a table.

    ``header_index`` counts records (blank lines included) from the start of the file.
    """

    delimiter: str
    header_index: int


def parse_records(text: str, delimiter: str, limit: int = MAX_SAMPLE_RECORDS) -> list[list[str]]:
    """Parse up to ``limit`` records of ``text`` the same way the streaming reader will."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= limit:
                break
    except csv.Error:
        pass  # a field over the csv limit in the sample: judge from what came before it
    return records


def _consistency(records: Sequence[Sequence[str]]) -> tuple[float, int] | None:
    """(share of non-blank records with the modal field count, modal count) or None."""
    counts = [len(record) for record in records if any(record)]
    wide = Counter(count for count in counts if count >= 2)
    if not wide:
        return None
    mode = max(wide.items(), key=lambda item: (item[1], item[0]))[0]
    return wide[mode] / len(counts), mode


def _effective_width(record: Sequence[str]) -> int:
    """Cells up to the last non-empty one (a trailing delimiter adds nothing)."""
    width = len(record)
    while width and not record[width - 1].strip():
        width -= 1
    return width


def find_header_index(records: Sequence[Sequence[str]]) -> int | None:
    """Index of the first record that looks like a header row, or None if all are blank.

    A header has at least half of its cells filled and about as many as the rows below it
    (at least their median width less one). Preamble lines ("Notes:", "Exported on ...") are
    narrower than the table and are passed over. When no such record has rows below it (a
    header alone, or a last row far wider than the rest), the first well-filled record is the
    header. In a one-column table the first non-blank record is the header.
    """
    widths = [_effective_width(record) for record in records]
    filled_rows = [index for index, width in enumerate(widths) if width]
    if not filled_rows:
        return None
    if max(widths) < 2:
        return filled_rows[0]
    first_filled = None
    for position, index in enumerate(filled_rows):
        record, width = records[index], widths[index]
        filled = sum(1 for cell in record[:width] if cell.strip())
        if width < 2 or filled * 2 < width:
            continue
        if first_filled is None:
            first_filled = index
        below = sorted(widths[i] for i in filled_rows[position + 1 : position + 51])
        if below and width >= below[len(below) // 2] - 1:
            return index
    return first_filled


def detect_shape(text: str, complete: bool, preferred: str | None = None) -> TableShape | None:
    """Choose delimiter and header for the sample ``text``; None if it has no non-blank line.

    ``complete`` tells that the sample is the whole file (else its last record may be cut and
    is ignored). ``preferred`` (e.g. tab for ``.tsv``) wins ties and one-column files.
    """
    order = DELIMITERS
    if preferred is not None:
        order = (preferred, *(d for d in DELIMITERS if d != preferred))
    best: tuple[float, int, int, int] | None = None
    best_delimiter = order[0]
    best_records: list[list[str]] = []
    for rank, delimiter in enumerate(order):
        records = parse_records(text, delimiter)
        if not complete and len(records) > 1:
            records = records[:-1]
        counted = _consistency(records)
        if counted is None:
            if rank == 0:
                best_records = records
            continue
        # Quote characters left inside cells mean quoting was misread: a wrong delimiter.
        stray = sum(cell.count('"') for record in records for cell in record)
        key = (counted[0], -stray, counted[1], -rank)
        if best is None or key > best:
            best, best_delimiter, best_records = key, delimiter, records
    header = find_header_index(best_records)
    if header is None:
        return None
    return TableShape(best_delimiter, header)
