"""Hostile and broken CSV input: size limits, empty and binary files, random bytes."""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaddesk.services.importing import ImportFormatError, ReadLimits, read_csv

MB = 1024 * 1024


def _png_bytes() -> bytes:
    """A real, tiny PNG (1x1 pixel), made here rather than shipped."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_ten_megabyte_cell_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,Email,Notes,City\r\n")
        out.write("Ada,ada@example.com,short,Berlin\r\n")
        out.write("Bob,bob@example.com," + "x" * (10 * MB) + ",Paris\r\n")
        out.write("Cy,cy@example.com,fine,Rome\r\n")
    rows = list(read_csv(path))
    assert [row.line for row in rows] == [2, 3, 4]
    (issue,) = rows[1].issues
    assert isinstance(issue, ImportFormatError)
    assert (issue.line, issue.field) == (3, "Notes")
    assert str(issue).startswith("big.csv, line 3, field 'Notes': ")
    assert "longer than the limit of 1,048,576 characters" in str(issue)
    assert rows[2].ok
    assert rows[2].values["Name"] == "Cy"  # reading went on after the bad row


def test_oversized_quoted_cell_over_many_lines_is_skipped_whole(tmp_path: Path) -> None:
    path = tmp_path / "multiline.csv"
    long_text = "line of notes\r\n" * 200  # 3,000 characters on 200 lines
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,Notes,City\r\n")
        out.write(f'Ada,"{long_text}",Berlin\r\n')  # lines 2-202
        out.write("Bob,ok,Paris\r\n")  # line 203
    rows = list(read_csv(path, limits=ReadLimits(max_cell_chars=1000)))
    assert [row.line for row in rows] == [2, 203]
    assert rows[0].issues[0].field == "Notes"
    assert rows[1].values == {"Name": "Bob", "Notes": "ok", "City": "Paris"}


def test_cell_exactly_at_the_limit_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "edge.csv"
    path.write_text("Name,Notes\nAda," + "y" * 1000 + "\n", encoding="utf-8")
    (row,) = read_csv(path, limits=ReadLimits(max_cell_chars=1000))
    assert row.ok


def test_thousand_column_row_is_a_row_issue(tmp_path: Path) -> None:
    path = tmp_path / "wide_row.csv"
    path.write_text(
        "Name,City\nAda,Berlin\n" + ",".join(["v"] * 1000) + "\nBob,Paris\n", encoding="utf-8"
    )
    rows = list(read_csv(path))
    assert [row.line for row in rows] == [2, 3, 4]
    (issue,) = rows[1].issues
    assert issue.line == 3
    assert "1000 columns, more than the limit of 500" in str(issue)
    assert rows[2].ok


def test_thousand_column_last_row_is_not_taken_for_the_header(tmp_path: Path) -> None:
    """With nothing below it, the wide last row used to win the header search."""
    path = tmp_path / "wide_last_row.csv"
    path.write_text("Name,City\nAda,Berlin\nBob,Paris" + ",x" * 1000 + "\n", encoding="utf-8")
    source = read_csv(path)
    assert source.headers == ["Name", "City"]
    ada, bob = list(source)
    assert ada.ok and ada.values == {"Name": "Ada", "City": "Berlin"}
    (issue,) = bob.issues
    assert issue.line == 3 and "1002 columns" in str(issue)


def test_thousand_column_header_stops_the_file(tmp_path: Path) -> None:
    path = tmp_path / "wide_header.csv"
    path.write_text(",".join(f"c{i}" for i in range(1000)) + "\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="1000 columns") as raised:
        read_csv(path).headers  # noqa: B018
    assert raised.value.line == 1


def test_line_longer_than_the_memory_guard(tmp_path: Path) -> None:
    path = tmp_path / "long_line.csv"
    path.write_text("Name,Notes\nAda,ok\nBob," + "z" * 5000 + "\n", encoding="utf-8")
    limits = ReadLimits(max_cell_chars=10_000, max_line_chars=1000)
    rows = read_csv(path, limits=limits)
    assert next(rows).values["Name"] == "Ada"
    with pytest.raises(ImportFormatError, match="longer than 1,000 characters") as raised:
        next(rows)
    assert raised.value.line == 3


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFormatError, match="empty") as raised:
        list(read_csv(path))
    assert str(raised.value) == "empty.csv: the file is empty"


def test_only_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n  \n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="no text"):
        list(read_csv(path))


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("Name,Email\n", encoding="utf-8")
    source = read_csv(path)
    assert source.headers == ["Name", "Email"]
    assert list(source) == []


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ImportFormatError, match="binary data, not text"):
        list(read_csv(path))


def test_png_renamed_to_csv(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(_png_bytes())
    with pytest.raises(ImportFormatError) as raised:
        list(read_csv(path))
    assert str(raised.value) == "photo.csv: is a PNG image, not a text file"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="file not found"):
        list(read_csv(tmp_path / "nowhere.csv"))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.binary(max_size=2000))
def test_random_bytes_only_ever_raise_import_format_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_bytes(data)
        message = ""
        try:
            source = read_csv(path, limits=ReadLimits(max_cell_chars=200, max_columns=20))
            headers = source.headers
            for row in source:
                assert set(row.values) <= set(headers)
        except ImportFormatError as error:
            message = str(error)
        assert not message or message.startswith("random.csv")


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab,;\t|\"\r\n '=")), min_size=1, max_size=300))
def test_random_text_made_of_csv_syntax_never_crashes(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "syntax.csv"
        path.write_text(text, encoding="utf-8", newline="")
        try:
            for row in read_csv(path, limits=ReadLimits(max_cell_chars=20, max_columns=8)):
                assert row.line >= 1
        except ImportFormatError:
            pass


_CELL_CHARS = st.sampled_from(list("ab,;\"\r\n 'é"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=_CELL_CHARS, max_size=30), min_size=3, max_size=3),
        min_size=1,
        max_size=8,
    ),
    quote_all=st.booleans(),
)
def test_rows_around_an_oversized_cell_read_unchanged(
    rows: list[list[str]], quote_all: bool
) -> None:
    import csv
    import io

    limit = 8
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(["A", "B", "C"])
    writer.writerows(rows)
    kept = [row for row in rows if "".join(row).strip()]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cells.csv"
        path.write_text(stream.getvalue(), encoding="utf-8", newline="")
        limits = ReadLimits(max_cell_chars=limit)
        read = list(read_csv(path, limits=limits, restore_guarded_cells=False))
    assert len(read) == len(kept)
    for original, row in zip(kept, read, strict=True):
        too_long = [i for i, cell in enumerate(original) if len(cell) > limit]
        if too_long:
            assert row.issues
            assert row.issues[0].field == "ABC"[too_long[0]]
        else:
            assert row.ok
            assert list(row.values.values()) == original
