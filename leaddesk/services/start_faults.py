"""Why a database could not be opened, in one line that says what is wrong, where, and what to
do: for the command line's one-line errors and the window's start-up fault dialog.

:func:`describe` reads the exception of opening (a corrupt SQLite file, a PostgreSQL server that
does not answer, a folder that does not exist, a URL LeadDesk cannot use, a database from a
newer LeadDesk) and returns None for anything else, which stays a bug with its traceback.
:func:`restore_latest_backup` puts the newest backup of a SQLite file in its place, keeping the
damaged file beside it. The module's top level is the standard library: the command line
imports it only when something failed.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = "sqlite:///PATH or postgresql://USER@HOST/NAME"


class FaultKind(enum.Enum):
    CORRUPT = "corrupt"
    SERVER_DOWN = "server_down"
    MISSING_FOLDER = "missing_folder"
    UNSUPPORTED_URL = "unsupported_url"
    TOO_NEW = "too_new"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class StartFault:
    kind: FaultKind
    url: str
    #: What is wrong and where (the window shows it above its ways out).
    reason: str
    #: The way out on the command line (after the reason in :attr:`message`).
    hint: str = ""
    #: The SQLite file, when the database is one (backups can then be restored over it).
    path: Path | None = None

    @property
    def message(self) -> str:
        """One line: what is wrong, where, and what to do."""
        return f"{self.reason}: {self.hint}" if self.hint else self.reason

    def backups(self, backup_dir: Path) -> list[Path]:
        """Backups of this SQLite file in ``backup_dir``, newest first (as Settings lists
        them)."""
        from leaddesk.services.preferences.data_location import DataLocation, backups

        if self.path is None:
            return []
        where = DataLocation(self.url, "sqlite", self.path.resolve(), backup_dir)
        return [backup.path for backup in backups(where)]


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix):] in ("", ":memory:"):
        return None
    return Path(url[len(prefix):].split("?", 1)[0])


def _safe(url: str) -> str:
    """The URL without its password (messages may be logged or shown)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1] if "@" in url else url


def describe(exc: BaseException, url: str) -> StartFault | None:
    """The fault behind ``exc`` raised while opening ``url``; None when it is not one."""
    from leaddesk.store.errors import DatabaseTooNewError

    path = _sqlite_path(url)
    shown = _safe(url)
    if isinstance(exc, DatabaseTooNewError):
        return StartFault(FaultKind.TOO_NEW, url, f"{path or shown}: {exc}", path=path)
    if isinstance(exc, RuntimeError) and "no LeadDesk schema revision" in str(exc):
        return StartFault(FaultKind.CORRUPT, url, f"{path or shown}: {exc}",
                          "choose another --db", path)
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.ArgumentError | sa_exc.NoSuchModuleError) or (
        isinstance(exc, ModuleNotFoundError) and not url.startswith(("sqlite", "postgresql"))
    ):
        return StartFault(FaultKind.UNSUPPORTED_URL, url,
                          f"{shown!r} is not a database URL LeadDesk can open",
                          f"use {SUPPORTED}")
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    text = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else ""
    if path is not None:
        return _sqlite_fault(url, path, text)
    if url.startswith("postgresql") and isinstance(exc, sa_exc.OperationalError):
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        return StartFault(FaultKind.SERVER_DOWN, url,
                          f"cannot reach the PostgreSQL server at {where} ({_short(text)})",
                          "start it or check the URL, then try again")
    return None


def _short(text: str) -> str:
    """The driver's reason without its preamble ("connection failed: connection to ...")."""
    reason = text.rsplit(": ", 1)[-1].strip()
    return reason or text


def _sqlite_fault(url: str, path: Path, text: str) -> StartFault:
    if not path.parent.is_dir():
        return StartFault(FaultKind.MISSING_FOLDER, url,
                          f"the folder {path.parent} does not exist, so the database {path.name} "
                          "cannot be opened there", "create the folder or choose another --db",
                          path)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return StartFault(FaultKind.CORRUPT, url,
                          f"{path} is damaged or not a LeadDesk database ({text})",
                          "restore a backup from the backups folder or choose another --db", path)
    return StartFault(FaultKind.UNREADABLE, url, f"cannot open {path} ({text})",
                      "check the file's permissions and that no other program holds it", path)


def restore_latest_backup(fault: StartFault, backup_dir: Path) -> Path:
    """Copy the newest backup over the database file; the damaged file (and its journal) is
    kept beside it as ``NAME.damaged-STAMP``. Returns the backup restored."""
    backups = fault.backups(backup_dir)
    if fault.path is None or not backups:
        raise FileNotFoundError(f"no backup of this database in {backup_dir}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("", "-wal", "-shm"):
        current = fault.path.with_name(fault.path.name + suffix)
        if current.exists():
            current.rename(current.with_name(f"{fault.path.name}.damaged-{stamp}{suffix}"))
    shutil.copyfile(backups[0], fault.path)
    os.chmod(fault.path, 0o600)  # a database holds every lead: its owner's only
    return backups[0]
