"""Spreadsheet formula-injection guard for CSV cells, and its exact inverse.

OWASP's advice: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
leading single quote, so a spreadsheet shows it as text instead of running it. To make the
guard reversible, a value that already starts with one or more quotes followed by such a
character gets one more quote too. The guarded forms are then exactly the strings matching
``'+[=+\\-@\\t\\r]``, and ``restore`` drops one quote from those and leaves everything else.
"""

from __future__ import annotations

import re

TRIGGER_CHARS = "=+-@\t\r"

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """Return ``value`` made safe to open in a spreadsheet (see the module docstring)."""
    if value and (value[0] in TRIGGER_CHARS or (value[0] == "'" and _NEEDS_GUARD.match(value))):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo ``neutralise`` exactly: ``restore(neutralise(v)) == v`` for every string."""
    if value[:1] == "'" and _GUARDED.match(value):
        return value[1:]
    return value
