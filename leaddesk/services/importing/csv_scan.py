"""A small quote-aware scanner for the one case the ``csv`` module cannot explain.

When a cell goes over the size limit, ``csv`` raises without telling which column it was, and
its parser restarts on the next physical line, which may still be inside the long quoted cell.
This scanner follows the same grammar (``strict=False``) over the record's text to name the
column and to find the line where the record really ends, without keeping the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_START, _UNQUOTED, _QUOTED, _AFTER_QUOTE = range(4)


@dataclass(slots=True)
class RecordScanner:
    """Feed it a record's physical lines in order; it measures fields and tracks quoting.

    ``oversized`` is the index of the first field whose content (as ``csv`` counts it: no
    enclosing quotes, a doubled quote once) is longer than ``limit`` characters; ``ended``
    turns true at the record's end.
    """

    delimiter: str
    limit: int
    quote: str = '"'
    field_index: int = 0
    field_length: int = 0
    oversized: int | None = None
    state: int = _START
    ended: bool = False
    _special: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self._special = re.compile("[" + re.escape(self.delimiter + self.quote) + "\r\n]")

    def _grow(self, count: int) -> None:
        self.field_length += count
        if self.oversized is None and self.field_length > self.limit:
            self.oversized = self.field_index

    def feed(self, text: str) -> None:
        """Advance over ``text`` (one physical line, with its line break)."""
        pos, end = 0, len(text)
        while pos < end and not self.ended:
            if self.state == _QUOTED:
                close = text.find(self.quote, pos)
                if close < 0:
                    self._grow(end - pos)
                    return
                if text.startswith(self.quote, close + 1):
                    self._grow(close + 1 - pos)  # a doubled quote is one character
                    pos = close + 2
                    continue
                self._grow(close - pos)
                self.state, pos = _AFTER_QUOTE, close + 1
                continue
            match = self._special.search(text, pos)
            if match is None:
                self._grow(end - pos)
                if self.state == _START:
                    self.state = _UNQUOTED
                return
            self._grow(match.start() - pos)
            char = match.group()
            if char == self.delimiter:
                self.field_index += 1
                self.field_length = 0
                self.state = _START
            elif char == self.quote:
                if self.state == _START and match.start() == pos:
                    self.state = _QUOTED  # the opening quote is not content
                else:
                    self._grow(1)
                    self.state = _UNQUOTED
            else:
                self.ended = True
            pos = match.end()

    @property
    def in_quotes(self) -> bool:
        return self.state == _QUOTED
