"""Writing lead exports: CSV, XLSX and vCard 4.0. Pure Python, no Qt.

Every writer streams an iterable of lead dicts (canonical fields plus ``id``), writes a path
atomically, and returns an ``ExportResult``. What they write, ``leaddesk.services.importing``
reads back to the same values.
"""

from leaddesk.services.exporting.cells import EXPORT_FIELDS, cell_text
from leaddesk.services.exporting.csv_writer import write_csv
from leaddesk.services.exporting.destination import ExportResult
from leaddesk.services.exporting.vcard_writer import write_vcard
from leaddesk.services.exporting.xlsx_writer import write_xlsx

__all__ = ["EXPORT_FIELDS", "ExportResult", "cell_text", "write_csv", "write_vcard", "write_xlsx"]
