"""Reading lead files: CSV, XLSX and vCard readers, column mapping. Pure Python, no Qt."""
