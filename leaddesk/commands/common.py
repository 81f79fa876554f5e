"""What every command shares: opening the database the user chose."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from leaddesk.config import backups_dir, database_url
from leaddesk.services.app_services import AppServices


class CommandError(Exception):
    """A command cannot do what was asked; the message is shown as one line."""


@contextlib.contextmanager
def open_services(args: argparse.Namespace) -> Iterator[AppServices]:
    """The chosen database, upgraded to this version's schema (after a backup)."""
    app = AppServices.open(database_url(args.db), backup_dir=backups_dir())
    try:
        yield app
    finally:
        app.close()
