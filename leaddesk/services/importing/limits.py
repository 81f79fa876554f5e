"""Size limits that keep a reader's memory bounded on hostile or broken files."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Limits applied while reading a source file.

    ``max_cell_chars``: a cell longer than this is reported as a row issue (default 1 MiB).
    ``max_columns``: a header wider than this stops the file; a data row wider than this is a
    row issue. ``max_line_chars``: a single physical line longer than this stops the file (it
    guards memory, as a line is held whole while it is parsed).
    """

    max_cell_chars: int = MIB
    max_columns: int = 500
    max_line_chars: int = 64 * MIB

    def __post_init__(self) -> None:
        if self.max_cell_chars < 1 or self.max_columns < 1 or self.max_line_chars < 2:
            raise ValueError("read limits must be positive")


DEFAULT_LIMITS = ReadLimits()
