"""XLSX reading: header row detection, cell types as text, sheets, broken workbooks."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from leaddesk.services.importing import ImportFormatError, ReadLimits, XlsxSource
from leaddesk.services.importing.xlsx_reader import cell_text, unescape_ooxml


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    workbook.close()
    return path


def test_reads_first_sheet_after_preamble_rows(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "leads.xlsx",
        {
            "Leads": [
                [],
                ["Lead export", None, None],
                [],
                ["First Name", "Last Name", "Email", "Created", "Score", "Phone", "Active"],
                ["Ada", "Example", "ada@example.com", dt.datetime(2024, 1, 2), 5, 4.9151e12, True],
                [],
                ["Bob", None, "bob@example.com", dt.datetime(2024, 1, 2, 3, 4, 5), 2.5, "", False],
            ],
            "Other": [["Name"], ["Ignored"]],
        },
    )
    source = XlsxSource(path)
    assert source.headers == [
        "First Name",
        "Last Name",
        "Email",
        "Created",
        "Score",
        "Phone",
        "Active",
    ]
    rows = list(source)
    assert [row.line for row in rows] == [5, 7]
    assert rows[0].values == {
        "First Name": "Ada",
        "Last Name": "Example",
        "Email": "ada@example.com",
        "Created": "2024-01-02",
        "Score": "5",
        "Phone": "4915100000000",
        "Active": "TRUE",
    }
    assert rows[1].values["Created"] == "2024-01-02T03:04:05"
    assert rows[1].values["Score"] == "2.5"
    assert rows[1].values["Last Name"] == ""
    assert source.stats.sheet == "Leads"
    assert source.stats.header_line == 4
    assert source.stats.blank_rows == 1


def test_named_sheet_and_missing_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "two.xlsx", {"A": [["Name"], ["Ada"]], "B": [["Email"], ["b@x"]]})
    assert [row.values for row in XlsxSource(path, sheet="B")] == [{"Email": "b@x"}]
    with pytest.raises(ImportFormatError, match=r"no sheet named 'C'.*'A', 'B'"):
        XlsxSource(path, sheet="C").headers  # noqa: B018


def test_wide_rows_and_long_cells_are_row_issues(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "issues.xlsx",
        {"S": [["Name", "Notes"], ["Ada", "x" * 50], ["Bob", "ok", "stray"], ["Cy", "fine"]]},
    )
    rows = list(XlsxSource(path, limits=ReadLimits(max_cell_chars=20)))
    assert [row.line for row in rows] == [2, 3, 4]
    assert rows[0].issues[0].field == "Notes"
    assert rows[0].values["Notes"] == ""
    assert "beyond the 2 header columns" in str(rows[1].issues[0])
    assert rows[2].ok


def test_formula_cells_give_their_cached_value_never_the_formula(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "formula.xlsx", {"S": [["Name", "Total"], ["Ada", "=1+1"]]})
    (row,) = XlsxSource(path)
    assert row.values["Total"] == ""  # openpyxl stores no computed value; never "=1+1"


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportFormatError, match="not a readable XLSX workbook"):
        XlsxSource(path).headers  # noqa: B018


def test_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "empty.xlsx", {"S": []})
    with pytest.raises(ImportFormatError, match="has no header row"):
        list(XlsxSource(path))


def test_early_close_closes_the_workbook(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "many.xlsx", {"S": [["Name"]] + [["Ada"]] * 50})
    with XlsxSource(path) as source:
        assert next(source).line == 2


def test_cell_text_conversions() -> None:
    assert cell_text(None) == ""
    assert cell_text(3.0) == "3"
    assert cell_text(0.1) == "0.1"
    assert cell_text(1e300) == "1e+300"
    assert cell_text(dt.date(2024, 2, 29)) == "2024-02-29"
    assert cell_text(dt.time(9, 30)) == "09:30:00"
    assert cell_text("_x000D_line") == "\rline"


def test_ooxml_unescape() -> None:
    assert unescape_ooxml("a_x0009_b") == "a\tb"
    assert unescape_ooxml("_x005F_x0041_") == "_x0041_"
    assert unescape_ooxml("plain_xtext") == "plain_xtext"
