"""Where LeadDesk keeps its data and which database it opens.

The database URL comes from, in order: the ``--db`` option, the ``LEADDESK_DATABASE_URL``
environment variable, else a SQLite file in the user's data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "LeadDesk"
APP_AUTHOR = "LeadDesk"
DATABASE_ENV = "LEADDESK_DATABASE_URL"
DATA_DIR_ENV = "LEADDESK_DATA_DIR"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by this user only (0700); an existing
    folder is left as its owner set it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def data_dir() -> Path:
    """The per-user folder for the database, backups and logs (created on demand, private)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        path = Path(override)
    else:
        import platformdirs  # only here: every other use of this module is a plain lookup

        path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return private_dir(path)


def backups_dir() -> Path:
    return private_dir(data_dir() / "backups")


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'leaddesk.db'}"


def database_url(cli_value: str | None = None) -> str:
    """Resolve the database URL by the documented precedence."""
    if cli_value:
        return cli_value
    env = os.environ.get(DATABASE_ENV)
    if env:
        return env
    return default_database_url()


def resources_dir() -> Path:
    """The shipped data folder: inside the package when installed, the repo's when editable."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("LeadDesk's resources folder is missing from this installation")
