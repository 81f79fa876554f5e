"""Open any supported lead file by what it contains: CSV/TSV, XLSX or vCard."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from leaddesk.services.importing.content_sniffing import read_head, sniff
from leaddesk.services.importing.csv_reader import CsvSource
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.limits import DEFAULT_LIMITS, ReadLimits
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.importing.vcard_reader import VCardSource
from leaddesk.services.importing.xlsx_reader import XlsxSource

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt", ""})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
VCARD_SUFFIXES = frozenset({".vcf", ".vcard"})
SUPPORTED = "CSV, TSV, XLSX or vCard"


class LeadSource(Protocol):
    """What every reader offers: rows to iterate, their header names, and closing."""

    path: Path

    @property
    def headers(self) -> list[str]: ...

    def __iter__(self) -> Iterator[SourceRow]: ...

    def __next__(self) -> SourceRow: ...

    def close(self) -> None: ...


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def detect_format(path: str | os.PathLike[str]) -> str:
    """``"csv"``, ``"xlsx"`` or ``"vcard"`` for ``path``, judged by content, then extension.

    Raises ``ImportFormatError`` naming what the file is when it is none of them.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    head = read_head(path)
    if not head:
        raise ImportFormatError(path, None, None, "the file is empty")
    found = sniff(head)
    if found.kind == "zip":
        if _is_workbook(path):
            return "xlsx"
        raise ImportFormatError(path, None, None, f"is a ZIP archive, not {SUPPORTED}")
    if found.kind == "binary":
        raise ImportFormatError(path, None, None, f"is {found.description}; expected {SUPPORTED}")
    text = head.decode(found.encoding or "utf-8", errors="ignore")
    if text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD"):
        return "vcard"
    if suffix in VCARD_SUFFIXES:
        raise ImportFormatError(path, 1, None, "has no BEGIN:VCARD; not a vCard file")
    if suffix in XLSX_SUFFIXES:
        raise ImportFormatError(path, None, None, "is text, not an XLSX workbook")
    if suffix in TEXT_SUFFIXES:
        return "csv"
    raise ImportFormatError(
        path, None, None, f"files of type {suffix!r} are not supported; expected {SUPPORTED}"
    )


def open_source(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> CsvSource | XlsxSource | VCardSource:
    """A streaming reader for ``path`` (an iterator of ``SourceRow`` with ``headers``).

    ``sheet`` picks a worksheet of an XLSX file (default: the first).
    """
    kind = detect_format(path)
    if kind == "xlsx":
        return XlsxSource(path, sheet=sheet, limits=limits)
    if kind == "vcard":
        return VCardSource(path, limits=limits)
    return CsvSource(path, limits=limits)
