"""CSV encodings: BOMs, BOM-less UTF-16, strict UTF-8 with cp1252 and latin-1 fallbacks."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from leaddesk.services.importing import ImportFormatError, read_csv
from leaddesk.services.importing.content_sniffing import sniff

TABLE = "First Name,Last Name,City\r\nAda,Éxample,Zürich\r\nBob,Sample,São Paulo\r\n"
EXPECTED = [
    {"First Name": "Ada", "Last Name": "Éxample", "City": "Zürich"},
    {"First Name": "Bob", "Last Name": "Sample", "City": "São Paulo"},
]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    return [row.values for row in read_csv(path)]


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected_codec"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_are_detected(
    tmp_path: Path, encoding: str, prefix: bytes, expected_codec: str
) -> None:
    path = _write(tmp_path / "leads.csv", prefix + TABLE.encode(encoding))
    source = read_csv(path)
    assert source.headers == ["First Name", "Last Name", "City"]
    assert _rows(path) == EXPECTED
    assert source.stats.encoding == expected_codec


def test_latin1_when_cp1252_cannot_decode(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252, so only latin-1 reads this file.
    path = _write(tmp_path / "leads.csv", b"Name,Note\r\nAda,caf\xe9 \x81\r\n")
    source = read_csv(path)
    assert [row.values for row in source] == [{"Name": "Ada", "Note": "café \x81"}]
    assert source.stats.encoding == "latin-1"


def test_cp1252_byte_far_into_a_utf8_looking_file(tmp_path: Path) -> None:
    # The first 100 KB are plain ASCII; a cp1252 "é" comes late. A reader that decided from a
    # sample would fail half-way; the whole-file check picks cp1252 up front.
    lines = [b"Name,City"] + [b"Ada Example,Berlin"] * 6000 + [b"Bob,Caf\xe9"]
    path = _write(tmp_path / "late.csv", b"\n".join(lines) + b"\n")
    rows = list(read_csv(path))
    assert rows[-1].values == {"Name": "Bob", "City": "Café"}
    assert rows[-1].line == 6002


def test_utf8_multibyte_split_across_scan_chunks(tmp_path: Path) -> None:
    text = "Name\n" + "é" * 700_000 + "\n"  # 1.4 MB: crosses the 1 MiB scan chunk mid-character
    path = _write(tmp_path / "wide.csv", text.encode("utf-8"))
    (row,) = read_csv(path)
    assert row.values["Name"] == "é" * 700_000


def test_sniff_tells_utf16_without_bom_from_binary() -> None:
    assert sniff("Name,City\n".encode("utf-16-le")).encoding == "utf-16-le"
    assert sniff("Name,City\n".encode("utf-16-be")).encoding == "utf-16-be"
    assert sniff(bytes(range(256)) * 4).kind == "binary"


def test_broken_utf16_is_a_format_error(tmp_path: Path) -> None:
    # A BOM, then a lone high surrogate.
    data = codecs.BOM_UTF16_LE + "Name\nAda\n".encode("utf-16-le") + b"\x00\xd8A\x00\n\x00"
    path = _write(tmp_path / "broken.csv", data)
    with pytest.raises(ImportFormatError, match="not valid utf-16"):
        list(read_csv(path))


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    path = _write(tmp_path / "leads.csv", "Name\nÆsa\n".encode())
    assert [row.values for row in read_csv(path, encoding="latin-1")] == [{"Name": "Ã\x86sa"}]
