"""A tolerant tokenizer for vCard 2.1, 3.0 and 4.0: physical lines to cards of properties.

Real address books bend the RFCs, so this follows what they write rather than the grammar:

* line folding (a line starting with a space or tab continues the previous one), also with
  ``\\r\\r\\n`` line ends (old iOS) and CR-only files;
* quoted-printable values whose soft line breaks (``=`` at the end of a line) continue on a
  line that does not start with a space (vCard 2.1 from Android, Outlook and Nokia);
* 2.1 base64 blocks (``PHOTO;ENCODING=BASE64``) that continue without indentation and end at
  a blank line, and raw line breaks inside a value (a line that is no ``NAME:``/``NAME;``
  continues the value); binary content (photos, keys) is not kept;
* bare 2.1 parameters (``TEL;WORK;PREF``), ``CHARSET`` on each property, quoted parameter
  values holding ``:`` or ``;``, RFC 6868 ``^`` escapes, grouped names (``item1.EMAIL``);
* nested cards (2.1 ``AGENT``) are skipped; a card cut off by the end of the file is kept and
  flagged.
"""

from __future__ import annotations

import binascii
import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from leaddesk.services.importing.content_sniffing import read_head, sniff
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.limits import DEFAULT_LIMITS, ReadLimits

#: Properties whose (often large, binary) content is never needed.
BINARY_PROPERTIES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_ENCODING_WORDS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_CARET = re.compile(r"\^([n'^])")
_CARET_MAP = {"n": "\n", "'": '"', "^": "^"}


@dataclass(slots=True)
class VCardProperty:
    """One property of a card: ``item1.EMAIL;TYPE=work:ada@example.com``.

    ``name`` and parameter names are upper case; ``types`` holds the lower-cased TYPE values
    (2.1 bare parameters included) and ``pref`` whether the property is marked preferred.
    ``value`` is decoded from quoted-printable and its charset but still carries vCard's
    backslash escapes (structured values are split before unescaping).
    """

    name: str
    value: str
    line: int
    group: str | None = None
    params: dict[str, list[str]] = field(default_factory=dict)
    types: frozenset[str] = frozenset()
    pref: bool = False


@dataclass(slots=True)
class RawCard:
    """The properties of one ``BEGIN:VCARD`` ... ``END:VCARD`` block."""

    line: int
    version: str = ""
    properties: list[VCardProperty] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _by_name: dict[str, list[VCardProperty]] | None = field(default=None, repr=False, compare=False)
    _indexed: int = field(default=0, repr=False, compare=False)

    def all(self, name: str) -> list[VCardProperty]:
        """Every property called ``name`` (upper case), in file order."""
        if self._by_name is None or self._indexed != len(self.properties):
            index: dict[str, list[VCardProperty]] = {}
            for prop in self.properties:
                index.setdefault(prop.name, []).append(prop)
            self._by_name, self._indexed = index, len(self.properties)
        return list(self._by_name.get(name, ()))


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    if '"' not in text:
        return text.split(separator)
    parts: list[str] = []
    start = 0
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _colon_outside_quotes(text: str) -> int:
    colon = text.find(":")
    if colon < 0 or '"' not in text[:colon]:
        return colon
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    # An unbalanced quote in the parameters: fall back to the first colon.
    return text.find(":")


def _parse_params(parts: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for part in parts:
        part = part.strip()
        if not part:
            continue
        key, equals, raw_value = part.partition("=")
        if not equals:
            word = key.upper()
            if word in _ENCODING_WORDS:
                params.setdefault("ENCODING", []).append(word)
            else:
                types.add(word.lower())
            continue
        key = key.strip().upper()
        values = [
            _CARET.sub(lambda match: _CARET_MAP[match.group(1)], value.strip().strip('"'))
            for value in _split_outside_quotes(raw_value, ",")
        ]
        params.setdefault(key, []).extend(values)
        if key == "TYPE":
            types.update(value.lower() for value in values if value)
    return params, types


def _decode_text(data: bytes, charset: str | None) -> str:
    """Decode a value's bytes: its CHARSET if known, else UTF-8, else Windows-1252."""
    if charset:
        try:
            return data.decode(codecs.lookup(charset).name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_property(logical: str, line: int) -> VCardProperty | None:
    """Parse one unfolded line (its characters stand for bytes, latin-1); None if no colon."""
    colon = _colon_outside_quotes(logical)
    if colon <= 0:
        return None
    head, raw_value = logical[:colon], logical[colon + 1 :]
    parts = _split_outside_quotes(head, ";")
    group, _, name = parts[0].strip().rpartition(".")
    params, types = _parse_params(parts[1:])
    encodings = {value.upper() for value in params.get("ENCODING", [])}
    data = raw_value.encode("latin-1")
    if "QUOTED-PRINTABLE" in encodings:
        data = binascii.a2b_qp(data)
    charsets = params.get("CHARSET")
    value = _decode_text(data, charsets[0] if charsets else None)
    pref = "pref" in types or bool(params.get("PREF"))
    return VCardProperty(
        name=name.upper(),
        value=value,
        line=line,
        group=group or None,
        params=params,
        types=frozenset(types),
        pref=pref,
    )


def _cr_lines(raw: BinaryIO, cap: int) -> Iterator[bytes | None]:
    """Lines of a file that ends its lines with a bare CR (classic Mac OS)."""
    pending = b""
    while chunk := raw.read(64 * 1024):
        pending += chunk
        *lines, pending = pending.split(b"\r")
        yield from lines
        if len(pending) > cap:
            yield None
            pending = b""
    if pending:
        yield pending


def _physical_lines(raw: BinaryIO, cr_only: bool, cap: int) -> Iterator[bytes | None]:
    """Lines without their line break; None stands for a line over ``cap`` bytes."""
    if cr_only:
        yield from _cr_lines(raw, cap)
        return
    while line := raw.readline(cap):
        if len(line) == cap and not line.endswith(b"\n"):
            while (rest := raw.readline(cap)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line.rstrip(b"\r\n")


def _utf16_lines(path: Path, encoding: str, cap: int) -> Iterator[bytes | None]:
    with path.open(encoding=encoding, newline="") as text:
        while line := text.readline(cap):
            if len(line) == cap and line[-1] not in "\r\n":
                yield None
                continue
            yield line.rstrip("\r\n").encode("utf-8")


def _looks_like_property(line: str) -> bool:
    """A new property line has a name of letters, digits, ``-``, ``.`` before ``;`` or ``:``."""
    match = re.match(r"[A-Za-z0-9.\-_]+[;:]", line)
    return match is not None


class _CardBuilder:
    """Collects logical lines into cards; the unfolding rules live in ``iter_cards``."""

    def __init__(self) -> None:
        self.card: RawCard | None = None
        self.depth = 0

    def begin(self, line: int) -> None:
        if self.card is None:
            self.card = RawCard(line)
        else:
            self.depth += 1  # an embedded card (2.1 AGENT): its lines are skipped

    def end(self) -> RawCard | None:
        if self.depth:
            self.depth -= 1
            return None
        card, self.card = self.card, None
        return card

    def add(self, prop: VCardProperty) -> None:
        if self.card is None or self.depth:
            return
        if prop.name == "VERSION":
            self.card.version = prop.value.strip()
        self.card.properties.append(prop)


def iter_cards(
    path: str | os.PathLike[str], limits: ReadLimits = DEFAULT_LIMITS
) -> Iterator[RawCard]:
    """Stream the cards of a vCard file; ImportFormatError if it is not text at all."""
    path = Path(path)
    head = read_head(path)
    found = sniff(head)
    if found.kind != "text":
        raise ImportFormatError(path, None, None, f"is {found.description}, not a vCard file")
    cap = limits.max_line_chars
    if found.encoding in {"utf-16", "utf-16-le", "utf-16-be", "utf-32"}:
        yield from _LogicalLines(limits).cards(_utf16_lines(path, found.encoding, cap))
        return
    cr_only = b"\n" not in head and b"\r" in head
    with path.open("rb") as raw:
        if found.bom:
            raw.read(len(codecs.BOM_UTF8))
        yield from _LogicalLines(limits).cards(_physical_lines(raw, cr_only, cap))


class _LogicalLines:
    """Unfolds physical lines into logical ones (the rules in the module docstring)."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.builder = _CardBuilder()
        self.parts: list[str] = []  # the logical line being assembled (latin-1 characters)
        self.size = 0
        self.start = 0
        self.skip_content = False  # a binary property: continuation lines are not kept
        self.soft_break = False  # quoted-printable value whose last line ended with "="
        self.too_long = False

    def cards(self, lines: Iterator[bytes | None]) -> Iterator[RawCard]:
        for number, raw in enumerate(lines, start=1):
            if raw is None:
                if (card := self.flush()) is not None:
                    yield card
                self.problem(
                    f"line {number}: a line is longer than {self.limits.max_line_chars:,} "
                    "characters and was skipped"
                )
                continue
            text = raw.decode("latin-1")
            if self.parts and self.soft_break:
                self.parts[-1] = self.parts[-1][:-1]  # drop the "=" of the soft line break
                self.soft_break = text.endswith("=")
                self.append(text)
            elif self.parts and text[:1] in (" ", "\t"):
                self.append(text[1:])
            elif self.parts and text.strip() and not _looks_like_property(text):
                self.append("\n" + text)  # a raw line break inside a value, or 2.1 base64
            else:
                if (card := self.flush()) is not None:
                    yield card
                if text.strip():
                    self.begin(text, number)
        if (card := self.flush()) is not None:
            yield card
        if self.builder.card is not None:
            card = self.builder.card
            card.problems.append("the card has no END:VCARD (the file may be cut off)")
            yield card

    def problem(self, message: str) -> None:
        if self.builder.card is not None and not self.builder.depth:
            self.builder.card.problems.append(message)

    def begin(self, text: str, number: int) -> None:
        head = text.split(":", 1)[0].upper()
        name = head.split(";", 1)[0].rpartition(".")[2].strip()
        self.start = number
        self.skip_content = name in BINARY_PROPERTIES
        self.soft_break = "QUOTED-PRINTABLE" in head and text.endswith("=")
        self.parts = [text.split(":", 1)[0] + ":" if self.skip_content else text]
        self.size = len(self.parts[0])
        if self.size > self.limits.max_cell_chars:
            self.too_long = True
            self.parts = [text[:200]]

    def append(self, text: str) -> None:
        if self.skip_content or self.too_long:
            return
        self.size += len(text)
        if self.size > self.limits.max_cell_chars:
            self.too_long = True
            self.parts = [self.parts[0][:200]]
            return
        self.parts.append(text)

    def flush(self) -> RawCard | None:
        logical = "".join(self.parts)
        too_long = self.too_long
        self.parts, self.size, self.too_long = [], 0, False
        self.skip_content = self.soft_break = False
        if not logical:
            return None
        if too_long:
            name = logical.split(":", 1)[0].split(";", 1)[0]
            self.problem(
                f"line {self.start}: property {name} is longer than "
                f"{self.limits.max_cell_chars:,} characters and was skipped"
            )
            return None
        keyword = logical.strip().upper().replace(" ", "")
        if keyword == "BEGIN:VCARD":
            self.builder.begin(self.start)
            return None
        if keyword == "END:VCARD":
            return self.builder.end()
        prop = parse_property(logical, self.start)
        if prop is not None:
            self.builder.add(prop)
        return None
