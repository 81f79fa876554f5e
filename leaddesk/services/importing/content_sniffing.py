"""Tell what a file holds from its first bytes: text (and in which encoding), a spreadsheet,
or some binary that is none of our formats.

Extensions lie (a PNG renamed ``.csv``, an XLSX saved as ``.csv``), so every reader checks
content first and only uses the extension to break ties.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

from leaddesk.services.importing.errors import ImportFormatError

HEAD_BYTES = 64 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.xls/.doc); save it as .xlsx"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "an executable program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Bytes that do not occur in text in any encoding we read (tab, LF, VT, FF, CR and ESC excepted).
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x1B)) + bytes(range(0x1C, 0x20))
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
_GUARDED_CELL = re.compile(rb"'[=+\-@\t\r]")


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the head of a file looks like.

    ``kind`` is ``"text"``, ``"zip"`` or ``"binary"``; ``encoding`` is set for text and is a
    Python codec name (``utf-8-sig`` and ``utf-16``/``utf-32`` consume their BOM);
    ``description`` names a recognised binary type; ``bom`` tells whether a BOM was seen.
    """

    kind: str
    encoding: str | None = None
    description: str | None = None
    bom: bool = False


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of ``path``; an unreadable path becomes an ImportFormatError."""
    try:
        with path.open("rb") as raw:
            return raw.read(size)
    except IsADirectoryError:
        raise ImportFormatError(path, None, None, "is a folder, not a file") from None
    except FileNotFoundError:
        raise ImportFormatError(path, None, None, "file not found") from None
    except OSError as exc:
        raise ImportFormatError(path, None, None, f"cannot be read: {exc.strerror}") from None


def sniff(head: bytes) -> Sniffed:
    """Classify a file by its first bytes (see ``Sniffed``)."""
    for prefix, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(prefix):
            return Sniffed("text", encoding, bom=True)
    for magic, description in _MAGIC:
        if head.startswith(magic):
            kind = "zip" if magic.startswith(b"PK") else "binary"
            return Sniffed(kind, description=description)
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return Sniffed("text", utf16)
    if _looks_binary(head):
        return Sniffed("binary", description="binary data, not text")
    return Sniffed("text", None)


def _utf16_without_bom(head: bytes) -> str | None:
    """Guess BOM-less UTF-16 from the NUL bytes that ASCII characters leave in every pair."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nuls = head[0 : pairs * 2 : 2].count(0)
    odd_nuls = head[1 : pairs * 2 : 2].count(0)
    candidates = ((odd_nuls, even_nuls, "utf-16-le"), (even_nuls, odd_nuls, "utf-16-be"))
    for nuls, others, codec in candidates:
        if nuls >= 0.3 * pairs and others <= 0.05 * pairs:
            try:
                codecs.getincrementaldecoder(codec)("strict").decode(head[: pairs * 2])
            except UnicodeDecodeError:
                return None
            return codec
    return None


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return head.count(0) > 0.01 * len(head) or controls > 0.05 * len(head)


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """The codec to read a text file with, and whether any cell may carry our formula guard.

    ``guard_possible`` is False only when a scan proved that the file holds no ``'`` followed
    by a formula trigger, which lets the CSV reader skip restoring guarded cells.
    """

    encoding: str
    guard_possible: bool = True


def choose_8bit_encoding(path: Path, chunk_size: int = 1024 * 1024) -> TextEncoding:
    """Pick UTF-8 when the whole file decodes strictly as UTF-8, else cp1252, else latin-1.

    The whole file is scanned (a cp1252 byte on row 900,000 must not break a streaming read
    that chose UTF-8 from the first kilobytes); the scan is a fast pass in C, memory constant.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    cp1252_ok = True
    guard_possible = False
    last_byte = b""
    with path.open("rb") as raw:
        while chunk := raw.read(chunk_size):
            if not guard_possible and _GUARDED_CELL.search(last_byte + chunk):
                guard_possible = True
            last_byte = chunk[-1:]
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok and len(chunk.translate(None, _CP1252_UNDEFINED)) != len(chunk):
                cp1252_ok = False
                break
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
        if utf8_ok:
            return TextEncoding("utf-8", guard_possible)
        if cp1252_ok:
            raw.seek(0)
            while chunk := raw.read(chunk_size):
                if len(chunk.translate(None, _CP1252_UNDEFINED)) != len(chunk):
                    cp1252_ok = False
                    break
    return TextEncoding("cp1252" if cp1252_ok else "latin-1", True)


def text_encoding(path: str | os.PathLike[str], head: bytes | None = None) -> TextEncoding:
    """How to read ``path`` as text, or an ImportFormatError if it is not text."""
    path = Path(path)
    if head is None:
        head = read_head(path)
    found = sniff(head)
    if found.kind != "text":
        raise ImportFormatError(path, None, None, f"is {found.description}, not a text file")
    if found.encoding is not None:
        return TextEncoding(found.encoding)
    return choose_8bit_encoding(path)
