"""CSV layout: delimiters, quoting, line numbers, preamble, blank and ragged rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaddesk.services.importing import read_csv

LINKEDIN_CONNECTIONS = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address, using this setting."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Ada,Example,https://www.linkedin.com/in/ada-example,,"Acme, Inc.",CTO,01 Jan 2024\r\n'
    "Bob,Sample,https://www.linkedin.com/in/bob-sample,bob@example.com,Initech,"
    "Head of Sales,02 Feb 2024\r\n"
)


def _csv(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    others = "".join(d for d in ",;\t|" if d != delimiter).replace("\t", " ")
    rows = [
        ["Name", "Company", "Note"],
        ["Ada Example", "Acme", f"has {others} inside"],
        ["Bob Sample", "Initech", f"more {others}"],
        ["Cy Person", "Globex", "plain"],
    ]
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    source = read_csv(_csv(tmp_path, text))
    assert source.headers == ["Name", "Company", "Note"]
    assert [row.values["Note"] for row in source] == [
        f"has {others} inside",
        f"more {others}",
        "plain",
    ]
    assert source.stats.delimiter == delimiter


def test_semicolon_file_with_commas_in_values(tmp_path: Path) -> None:
    text = "Name;Company;City\nAda;Acme, Inc.;Berlin\nBob;Initech, LLC;Paris\n"
    source = read_csv(_csv(tmp_path, text))
    assert source.stats.delimiter == ";"
    assert [row.values["Company"] for row in source] == ["Acme, Inc.", "Initech, LLC"]


def test_tsv_suffix_prefers_tab_on_a_tie(tmp_path: Path) -> None:
    text = "Name\tCity,Country\nAda\tBerlin,DE\n"  # one tab and one comma per line
    assert read_csv(_csv(tmp_path, text, "leads.tsv")).headers == ["Name", "City,Country"]
    assert read_csv(_csv(tmp_path, text, "leads.csv")).headers == ["Name\tCity", "Country"]


def test_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    text = (
        "Name,Notes,City\r\n"  # line 1
        'Ada,"first line\r\nsecond line\r\nthird",Berlin\r\n'  # lines 2-4
        "Bob,plain,Paris\r\n"  # line 5
        'Cy,"a ""quoted"" word\nand a bare LF",Rome\r\n'  # lines 6-7
        "Di,x,Oslo\r\n"  # line 8
    )
    rows = list(read_csv(_csv(tmp_path, text)))
    assert [row.line for row in rows] == [2, 5, 6, 8]
    assert rows[0].values["Notes"] == "first line\r\nsecond line\r\nthird"
    assert rows[2].values["Notes"] == 'a "quoted" word\nand a bare LF'


def test_line_numbers_with_old_mac_line_ends(tmp_path: Path) -> None:
    rows = list(read_csv(_csv(tmp_path, "Name,City\rAda,Berlin\r\rBob,Paris\r")))
    assert [(row.line, row.values["Name"]) for row in rows] == [(2, "Ada"), (4, "Bob")]


def test_linkedin_connections_preamble(tmp_path: Path) -> None:
    source = read_csv(_csv(tmp_path, LINKEDIN_CONNECTIONS, "Connections.csv"))
    assert source.headers == [
        "First Name",
        "Last Name",
        "URL",
        "Email Address",
        "Company",
        "Position",
        "Connected On",
    ]
    rows = list(source)
    assert [row.line for row in rows] == [5, 6]
    assert rows[0].values["Company"] == "Acme, Inc."
    assert source.stats.header_line == 4
    assert source.stats.preamble_lines == 3
    assert source.stats.blank_rows == 0


def test_blank_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    text = "\n\nName,City\nAda,Berlin\n\n,\n  \nBob,Paris\n,,\n"
    source = read_csv(_csv(tmp_path, text))
    rows = list(source)
    assert [(row.line, row.values["Name"]) for row in rows] == [(4, "Ada"), (8, "Bob")]
    assert source.stats.blank_rows == 4  # "", ",", "  " (spaces only) and ",,"
    assert source.stats.rows == 2


def test_short_rows_are_padded_and_wide_rows_flagged(tmp_path: Path) -> None:
    text = "Name,City,Country\nAda,Berlin\nBob,Paris,FR,,\nCy,Rome,IT,extra\n"
    rows = list(read_csv(_csv(tmp_path, text)))
    assert rows[0].values == {"Name": "Ada", "City": "Berlin", "Country": ""}
    assert rows[0].ok
    assert rows[1].ok  # trailing empty cells are harmless
    assert rows[2].values == {"Name": "Cy", "City": "Rome", "Country": "IT"}
    (issue,) = rows[2].issues
    assert issue.line == 4
    assert "4 cells but the header has 3" in str(issue)


def test_duplicate_and_empty_headers_stay_apart(tmp_path: Path) -> None:
    source = read_csv(_csv(tmp_path, "Email, Email ,,Name\na@example.com,b@example.com,x,Ada\n"))
    assert source.headers == ["Email", "Email (2)", "Column 3", "Name"]
    (row,) = source
    assert row.values["Email (2)"] == "b@example.com"


def test_one_column_file(tmp_path: Path) -> None:
    source = read_csv(_csv(tmp_path, "email\nada@example.com\nbob@example.com\n"))
    assert source.headers == ["email"]
    assert [row.values["email"] for row in source] == ["ada@example.com", "bob@example.com"]


def test_header_found_beyond_the_first_sample(tmp_path: Path) -> None:
    # A 100 KB preamble line pushes the header out of the first 64 KB sample.
    text = "Exported by a tool " + "x" * 100_000 + "\nName,City\nAda,Berlin\n"
    source = read_csv(_csv(tmp_path, text))
    assert source.headers == ["Name", "City"]
    assert [row.line for row in source] == [3]


def test_stats_and_headers_before_iterating_open_no_file(tmp_path: Path) -> None:
    source = read_csv(_csv(tmp_path, "Name\nAda\n"))
    assert source.headers == ["Name"]
    source.close()  # nothing was opened for rows; closing is still fine


def test_early_close_releases_the_file(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Name\n" + "Ada\n" * 100)
    with read_csv(path) as source:
        assert next(source).values == {"Name": "Ada"}
    with pytest.raises(StopIteration):
        next(source)


def test_explicit_delimiter(tmp_path: Path) -> None:
    source = read_csv(_csv(tmp_path, "a;b,c\n1;2,3\n"), delimiter=";")
    assert source.headers == ["a", "b,c"]
    assert [row.values for row in source] == [{"a": "1", "b,c": "2,3"}]


def test_guarded_cells_are_restored(tmp_path: Path) -> None:
    text = "Name,Phone,Note\n'=Ada,'+1 555 0100,''@literal\nBob,'plain,it's\n"
    rows = [row.values for row in read_csv(_csv(tmp_path, text))]
    assert rows == [
        {"Name": "=Ada", "Phone": "+1 555 0100", "Note": "'@literal"},
        {"Name": "Bob", "Phone": "'plain", "Note": "it's"},
    ]


def test_a_quoted_delimiter_in_a_header_does_not_win_the_delimiter(tmp_path: Path) -> None:
    # Tab-separated, the second header a quoted ";": read with ";" the quotes would be left
    # inside the cells, which marks that delimiter as a misreading.
    path = tmp_path / "table.csv"
    path.write_text('0\t";"\r\nx\ty\r\n', encoding="utf-8")
    source = read_csv(path)
    assert source.headers == ["0", ";"]
    assert [row.values for row in source] == [{"0": "x", ";": "y"}]


def test_an_unclosed_quote_is_reported_not_swallowed(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        'Name,Email\nAda,"ada@example.org\nBob,bob@example.org\nCy,cy@example.org\n',
    )
    rows = list(read_csv(path))
    assert len(rows) == 1 and rows[0].line == 2
    (issue,) = rows[0].issues
    assert "never closed" in str(issue) and "lines 2-4" in str(issue)


def test_a_closed_multi_line_quote_is_one_good_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'Name,Notes\nAda,"first line\nsecond ""quoted"" line"\nBob,x\n')
    rows = list(read_csv(path))
    assert [(r.line, r.values["Notes"], r.issues) for r in rows] == [
        (2, 'first line\nsecond "quoted" line', ()),
        (4, "x", ()),
    ]
