"""What each writer puts in its file: header, quoting, formula guard, strings, folding."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from leaddesk.services.exporting import EXPORT_FIELDS, cell_text, write_csv, write_vcard, write_xlsx
from leaddesk.services.exporting.vcard_writer import escape_text, fold
from leaddesk.services.exporting.xlsx_writer import EXCEL_CELL_LIMIT, escape_ooxml

ADA = {
    "id": "0190f3a4-5b6c-7d8e-9f00-112233445566",
    "first_name": "Ada",
    "last_name": "Example",
    "email": "ada@example.com",
    "phone": "+1 555 0100",
    "company": "Acme, Inc.",
    "tags": ["vip", "newsletter"],
    "score": 42,
    "consent": True,
}


def test_csv_header_bom_quoting_and_guard(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    result = write_csv([ADA], path, fields=["id", "first_name", "phone", "company", "tags"])
    assert result.rows == 1
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == (
        '"id","first_name","phone","company","tags"\r\n'
        '"0190f3a4-5b6c-7d8e-9f00-112233445566","Ada","\'+1 555 0100","Acme, Inc.",'
        '"vip; newsletter"\r\n'
    )


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-1", "@SUM(1)", "\tx", "\rx"])
def test_csv_neutralises_every_trigger(tmp_path: Path, value: str) -> None:
    stream = io.StringIO(newline="")
    write_csv([{"notes": value}], stream, fields=["notes"], bom=False)
    body = stream.getvalue().split("\r\n", 1)[1]
    assert body.startswith("\"'")


def test_csv_without_guard_or_bom_and_other_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    write_csv(
        [{"notes": "=1+1"}], path, fields=["notes"], bom=False, guard_formulas=False, delimiter=";"
    )
    assert path.read_bytes() == b'"notes"\r\n"=1+1"\r\n'


def test_failed_export_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"

    def rows():
        yield ADA
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_csv(rows(), path)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_replaced_only_when_done(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("old", encoding="utf-8")

    def rows():
        yield from [ADA, ADA, ADA]
        raise ValueError("stop")

    for writer in (write_csv, write_xlsx, write_vcard):
        with pytest.raises(ValueError, match="stop"):
            writer(rows(), path)
        assert path.read_text(encoding="utf-8") == "old"
    assert [item.name for item in tmp_path.iterdir()] == ["leads.csv"]


def test_xlsx_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    lead = {"first_name": "=1+1", "phone": "+1 555 0100", "notes": "#N/A", "score": 7}
    write_xlsx([lead], path, fields=["first_name", "phone", "notes", "score"])
    workbook = load_workbook(path)
    try:
        sheet = workbook["Leads"]
        (cells,) = sheet.iter_rows(min_row=2, values_only=False)
        assert [cell.data_type for cell in cells] == ["s", "s", "s", "s"]
        assert [cell.value for cell in cells] == ["=1+1", "+1 555 0100", "#N/A", "7"]
    finally:
        workbook.close()


def test_xlsx_keeps_cells_over_excels_limit_and_warns(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    notes = "n" * (EXCEL_CELL_LIMIT + 10)
    result = write_xlsx([{"notes": notes}], path, fields=["notes"])
    assert "1 cell(s) hold more than 32,767 characters" in result.warnings[0]
    workbook = load_workbook(path, read_only=True)
    try:
        assert len(next(workbook["Leads"].iter_rows(min_row=2, values_only=True))[0]) == len(notes)
    finally:
        workbook.close()


def test_ooxml_escape() -> None:
    assert escape_ooxml("a\x01b\rc") == "a_x0001_b_x000D_c"
    assert escape_ooxml("_x0041_ and _xyz_") == "_x005F_x0041_ and _xyz_"
    assert escape_ooxml("\ufffe") == "_xFFFE_"


def test_vcard_card_layout(tmp_path: Path) -> None:
    path = tmp_path / "leads.vcf"
    write_vcard([ADA | {"notes": "line 1\nline 2; with, punctuation", "country": "DE"}], path)
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:")
    assert "UID:urn:uuid:0190f3a4-5b6c-7d8e-9f00-112233445566\r\n" in text
    assert "FN:Ada Example\r\nN:Example;Ada;;;\r\n" in text
    assert "ORG:Acme\\, Inc.\r\n" in text
    assert "CATEGORIES:vip,newsletter\r\n" in text
    assert "ADR:;;;;;;DE\r\n" in text
    assert "NOTE:line 1\\nline 2\\; with\\, punctuation\r\n" in text
    assert "X-LEADDESK-SCORE:42\r\n" in text
    assert "X-LEADDESK-CONSENT:true\r\n" in text
    assert text.endswith("END:VCARD\r\n")


def test_vcard_folds_at_75_octets_without_splitting_characters() -> None:
    line = "NOTE:" + "é" * 100
    folded = fold(line)
    physical = folded.split("\r\n")[:-1]
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(physical)) == line


def test_vcard_text_escaping() -> None:
    assert escape_text("a\\b,c;d\r\ne\rf\ng") == "a\\\\b\\,c\\;d\\ne\\nf\\ng"


def test_vcard_to_a_stream_and_names_for_nameless_leads() -> None:
    stream = io.StringIO(newline="")
    write_vcard([{"id": "lead-1", "company": "Acme"}], stream)
    text = stream.getvalue()
    assert "UID:lead-1\r\n" in text
    assert "FN:Acme\r\nN:;;;;\r\n" in text


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(["b", "a", "b"]) == "b; a"
    assert cell_text(True) == "true"
    assert cell_text(3.0) == "3"
    assert cell_text(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert EXPORT_FIELDS[0] == "id"
