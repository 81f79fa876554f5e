"""Where the data lives and its backups: list them, make one now.

Backups are SQLite online-backup copies (the same as the one taken before a schema upgrade),
private to the user; a PostgreSQL team database is backed up by its server, not from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from leaddesk.config import backups_dir
from leaddesk.services.errors import ValidationError
from leaddesk.store.database import Store


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    size: int
    made_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DataLocation:
    """The database this window works on, shown without any password."""

    url: str
    backend: str
    #: The database file for SQLite, else None.
    path: Path | None
    backups_folder: Path

    @property
    def can_back_up(self) -> bool:
        return self.path is not None


def location(store: Store, folder: Path | None = None) -> DataLocation:
    url = store.engine.url
    database = url.database if url.get_backend_name() == "sqlite" else None
    path = Path(database).resolve() if database and database != ":memory:" else None
    return DataLocation(
        url=make_url(url).render_as_string(hide_password=True),
        backend=url.get_backend_name(), path=path,
        backups_folder=folder or backups_dir(),
    )


def backups(where: DataLocation) -> list[Backup]:
    """This database's backups, newest first."""
    if where.path is None or not where.backups_folder.is_dir():
        return []
    found = []
    for file in where.backups_folder.glob(f"{where.path.stem}-*.db"):
        stat = file.stat()
        found.append(Backup(file, stat.st_size,
                            dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)))
    return sorted(found, key=lambda backup: backup.made_at, reverse=True)


def back_up_now(store: Store, where: DataLocation) -> Backup:
    """A copy of the database now, named ``<file>-manual-<UTC time>.db``."""
    from leaddesk.store.migrate import backup_sqlite

    if not where.can_back_up:
        raise ValidationError("database", f"{where.backend} databases are backed up by their "
                                          "server, not by LeadDesk")
    made = backup_sqlite(store.engine, where.backups_folder, "manual")
    if made is None:
        raise ValidationError("database", f"{where.path} does not exist yet")
    stat = made.stat()
    return Backup(made, stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC))
