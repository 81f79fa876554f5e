"""Reading lead files: CSV, XLSX and vCard readers and column mapping. Pure Python, no Qt.

Typical use::

    with open_source(path) as source:          # CsvSource | XlsxSource | VCardSource
        mapping = guess_mapping(source.headers)  # or a remembered one, by fingerprint()
        apply = compile_mapping(mapping)
        for row in source:                       # SourceRow(line, values, issues)
            if row.issues: report(row.issues)    # ImportFormatError items, row rejected
            else: fields = apply(row)            # dict of canonical field -> text

File-level problems (empty, binary, undecodable, header too wide) raise ImportFormatError.
"""

from leaddesk.services.formula_guard import neutralise, restore
from leaddesk.services.importing.countries import normalize_country
from leaddesk.services.importing.csv_reader import CsvSource, CsvStats, read_csv
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.limits import DEFAULT_LIMITS, ReadLimits
from leaddesk.services.importing.mapping import (
    ColumnMapping,
    CompiledMapping,
    MappingError,
    apply_mapping,
    compile_mapping,
    fingerprint,
    guess_mapping,
    mapping_from_json,
    mapping_to_json,
)
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.importing.sources import LeadSource, detect_format, open_source
from leaddesk.services.importing.vcard_reader import VCardSource
from leaddesk.services.importing.xlsx_reader import XlsxSource
from leaddesk.services.leads.fields import (
    CANONICAL_FIELDS,
    MAPPING_TARGETS,
    format_tags,
    parse_tags,
)

__all__ = [
    "CANONICAL_FIELDS",
    "DEFAULT_LIMITS",
    "MAPPING_TARGETS",
    "ColumnMapping",
    "CompiledMapping",
    "CsvSource",
    "CsvStats",
    "ImportFormatError",
    "LeadSource",
    "MappingError",
    "ReadLimits",
    "SourceRow",
    "VCardSource",
    "XlsxSource",
    "apply_mapping",
    "compile_mapping",
    "detect_format",
    "fingerprint",
    "format_tags",
    "guess_mapping",
    "mapping_from_json",
    "mapping_to_json",
    "neutralise",
    "normalize_country",
    "open_source",
    "parse_tags",
    "read_csv",
    "restore",
]
