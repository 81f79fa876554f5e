"""What every reader yields: one record of the source file with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from leaddesk.services.importing.errors import ImportFormatError


@dataclass(slots=True)
class SourceRow:
    """One record of a source file.

    ``line`` is the 1-based physical line where the record starts (CSV), the sheet row (XLSX) or
    the line of ``BEGIN:VCARD``. ``values`` is keyed by the file's own header names (vCard: by
    canonical field names). ``issues`` lists row-level problems; a row with issues should be
    reported and rejected by the importer, the rest of the file is still read.
    """

    line: int
    values: dict[str, str]
    issues: tuple[ImportFormatError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the row has no issue."""
        return not self.issues
