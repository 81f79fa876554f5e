"""open_source: the reader is chosen by content first, extension second."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from leaddesk.services.importing import (
    CsvSource,
    ImportFormatError,
    VCardSource,
    XlsxSource,
    detect_format,
    open_source,
)

VCARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Example;Ada\r\nEND:VCARD\r\n"


def _xlsx(path: Path) -> Path:
    workbook = Workbook()
    workbook.active.append(["Name"])
    workbook.active.append(["Ada"])
    workbook.save(path)
    workbook.close()
    return path


@pytest.mark.parametrize("name", ["leads.csv", "leads.tsv", "leads.txt", "leads"])
def test_text_tables(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Name\tEmail\nAda\tada@example.com\n", encoding="utf-8")
    source = open_source(path)
    assert isinstance(source, CsvSource)
    assert [row.values for row in source] == [{"Name": "Ada", "Email": "ada@example.com"}]


def test_xlsx_even_when_named_csv(tmp_path: Path) -> None:
    for name in ("leads.xlsx", "really_a_workbook.csv"):
        source = open_source(_xlsx(tmp_path / name))
        assert isinstance(source, XlsxSource)
        assert [row.values for row in source] == [{"Name": "Ada"}]


def test_vcard_by_content(tmp_path: Path) -> None:
    for name in ("contacts.vcf", "contacts.txt"):
        path = tmp_path / name
        path.write_text("\n" + VCARD, encoding="utf-8")
        source = open_source(path)
        assert isinstance(source, VCardSource)
        assert next(iter(source)).values["first_name"] == "Ada"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), "photo.csv: is a PNG image; expected"),
        ("doc.csv", b"%PDF-1.7\n" + bytes(64), "is a PDF document"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "legacy Office file"),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("noise.csv", bytes(range(256)) * 8, "binary data, not text"),
        ("leads.json", b'{"name": "Ada"}', "files of type '.json' are not supported"),
        ("leads.vcf", b"Name,Email\nAda,a@example.com\n", "no BEGIN:VCARD"),
        ("leads.xlsx", b"Name,Email\nAda,a@example.com\n", "is text, not an XLSX workbook"),
    ],
)
def test_unsupported_files_say_what_they_are(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportFormatError, match=message.replace(".", r"\.")):
        open_source(path)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("leads.csv", "Name\nAda\n")
    with pytest.raises(ImportFormatError, match="ZIP archive, not CSV"):
        open_source(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="file not found"):
        detect_format(tmp_path / "nowhere.csv")
    with pytest.raises(ImportFormatError, match="is a folder"):
        detect_format(tmp_path)


def test_named_sheet_reaches_the_xlsx_reader(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "leads.xlsx")
    with pytest.raises(ImportFormatError, match="no sheet named 'Missing'"):
        open_source(path, sheet="Missing").headers  # noqa: B018
