"""Find the delimiter and the header row of a delimited text table from a sample of it.

``csv.Sniffer`` guesses from character frequencies and is easily fooled (a comma in every
company name, a preamble such as LinkedIn's "Notes:" lines). Here each candidate delimiter
parses the sample with the real CSV grammar (quotes respected); the delimiter whose records
most consistently have the same field count wins, and the header is the first record that has
that many fields and mostly non-empty cells. The same rule finds the header row of a sheet.
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


def find_header_index(records: Sequence[Sequence[str]], width: int | None = None) -> int | None:
    """Index of the first record that looks like a header row, or None if all are blank.

    A header has at least ``width - 1`` cells (``width`` = the modal field count; one less
    allows a trailing delimiter on data rows only) and at least half of them non-empty.
    Without a known width (a one-column file) the first non-blank record is the header.
    """
    if width is None:
        counted = _consistency(records)
        width = counted[1] if counted else None
    for index, record in enumerate(records):
        filled = sum(1 for cell in record if cell.strip())
        if not filled:
            continue
        if width is None or width < 2:
            return index
        if len(record) >= max(2, width - 1) and filled * 2 >= len(record):
            return index
    return None


def detect_shape(text: str, complete: bool, preferred: str | None = None) -> TableShape | None:
    """Choose delimiter and header for the sample ``text``; None if it has no non-blank line.

    ``complete`` tells that the sample is the whole file (else its last record may be cut and
    is ignored). ``preferred`` (e.g. tab for ``.tsv``) wins ties and one-column files.
    """
    order = DELIMITERS
    if preferred is not None:
        order = (preferred, *(d for d in DELIMITERS if d != preferred))
    best: tuple[float, int, int] | None = None
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
        key = (counted[0], counted[1], -rank)
        if best is None or key > best:
            best, best_delimiter, best_records = key, delimiter, records
    width = best[1] if best is not None else None
    header = find_header_index(best_records, width)
    if header is None:
        return None
    return TableShape(best_delimiter, header)
