"""The one error type of the file-format layer.

The same class is raised for problems that stop a whole file (empty, binary, undecodable) and
carried in ``SourceRow.issues`` for problems that only spoil one row, so a caller formats both
the same way in a validation report.
"""

from __future__ import annotations

import os
from pathlib import Path


class ImportFormatError(Exception):
    """A file (or one row of it) cannot be read as the format it claims to be.

    ``line`` is the 1-based physical line (CSV/vCard) or sheet row (XLSX), ``field`` the column
    header or vCard property concerned; either is ``None`` when it does not apply.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        line: int | None,
        field: str | None,
        message: str,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.field = field
        self.message = message
        super().__init__(path, line, field, message)

    def __str__(self) -> str:
        where = [self.path.name if self.path is not None else "<stream>"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"ImportFormatError(path={self.path!r}, line={self.line!r}, "
            f"field={self.field!r}, message={self.message!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImportFormatError):
            return NotImplemented
        return (self.path, self.line, self.field, self.message) == (
            other.path,
            other.line,
            other.field,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.field, self.message))
