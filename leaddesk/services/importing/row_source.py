"""The iteration protocol every reader shares: an iterator of ``SourceRow`` and a context
manager that closes the file when iteration stops early."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Self

from leaddesk.services.importing.source_row import SourceRow


class RowSource:
    _rows: Iterator[SourceRow] | None = None

    def _before_rows(self) -> None:
        """Read what must be known before the first row (e.g. the header); nothing by default."""

    def _generate(self) -> Iterator[SourceRow]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[SourceRow]:
        # The generator itself, so a for loop does not pay a Python call per row.
        if self._rows is None:
            self._before_rows()
            self._rows = self._generate()
        return self._rows

    def __next__(self) -> SourceRow:
        return next(iter(self))

    def close(self) -> None:
        """Stop reading and close the file (also done when iteration ends)."""
        if self._rows is not None:
            self._rows.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class HeaderedRowSource(RowSource):
    """A table file: its header row (and the reader's decisions) are found on first use."""

    _headers: list[str] | None = None
    _stats: Any

    def _prepare(self) -> None:
        raise NotImplementedError

    @property
    def stats(self) -> Any:
        """Decisions (found on first use) and counts (growing while rows are read)."""
        if self._headers is None:
            self._prepare()
        return self._stats

    @property
    def headers(self) -> list[str]:
        """The header names (trimmed, unique)."""
        if self._headers is None:
            self._prepare()
        assert self._headers is not None
        return self._headers

    def _before_rows(self) -> None:
        if self._headers is None:
            self._prepare()
