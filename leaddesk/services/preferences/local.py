"""Preferences of this computer's user, not of the database: the theme.

A theme is a matter of one person's screen, so it is not written to a shared team database; it
lives in ``preferences.json`` in the private data folder, where the window and the command line
both find it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from leaddesk.config import data_dir
from leaddesk.services.errors import ValidationError

FILE_NAME = "preferences.json"
THEME = "theme"
THEMES = ("system", "light", "dark")


def path() -> Path:
    return data_dir() / FILE_NAME


def _read(where: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: the defaults apply, the next save rewrites it
    return loaded if isinstance(loaded, dict) else {}


def theme(where: Path | None = None) -> str:
    """``system`` (follow the OS), ``light`` or ``dark``."""
    value = _read(where or path()).get(THEME)
    return value if value in THEMES else "system"


def set_theme(value: str, where: Path | None = None) -> str:
    choice = (value or "").strip().lower()
    if choice not in THEMES:
        raise ValidationError(THEME, f"{value!r} is not one of {', '.join(THEMES)}")
    where = where or path()
    data = _read(where)
    data[THEME] = choice
    temporary = where.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.chmod(temporary, 0o600)
    os.replace(temporary, where)  # never a half-written file
    return choice
