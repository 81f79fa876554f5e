"""What every command shares: opening the database the user chose, acting as the right user.

Who acts: the global ``--as USER`` signs in (its password prompted for, or read from standard
input with ``--password-stdin``; never an argument); on a PostgreSQL URL that is the user's own
database role (a team database). Without ``--as`` a database in "no login on this computer" mode
(or not set up yet) acts as the local admin, and a database that requires sign-in refuses in one
line.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.context import Actor
    from leaddesk.store.database import Store

SignIn = Callable[["Store"], "Actor"]


class CommandError(Exception):
    """A command cannot do what was asked; the message is shown as one line."""


def utc_day(value: str) -> dt.datetime:
    """An argparse type: a YYYY-MM-DD day, as its first moment in UTC."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def whole_number(minimum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number ("1,000" and "1_000" read too), at least ``minimum``."""

    def parse(value: str) -> int:
        try:
            number = int(value.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if minimum is not None and number < minimum:
            raise argparse.ArgumentTypeError(f"{value} is less than {minimum}")
        return number

    return parse


def add_sign_in_arguments(parser: argparse.ArgumentParser, top_level: bool = False) -> None:
    """``--as`` and ``--password-stdin``; below the top level they only override when given
    (so ``leaddesk --as ann users list`` and ``leaddesk users --as ann list`` both work)."""
    extra = {} if top_level else {"default": argparse.SUPPRESS}
    parser.add_argument("--as", dest="as_user", metavar="USER",
                        help="act as this user on a database that requires sign-in (the password "
                        "is asked for)", **extra)
    parser.add_argument("--password-stdin", action="store_true",
                        help="read passwords from standard input, one per line (the --as "
                        "user's first)", **extra)


def read_password(args: argparse.Namespace, prompt: str, confirm: bool = False) -> str:
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise CommandError("expected a password on standard input")
        return line.rstrip("\r\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != first:
        raise CommandError("the passwords differ")
    return first


def _as_user(args: argparse.Namespace) -> str | None:
    return getattr(args, "as_user", None) or None


@contextlib.contextmanager
def open_services(
    args: argparse.Namespace, sign_in: SignIn | None = None
) -> Iterator[AppServices]:
    """The chosen database, upgraded to this version's schema (after a backup), acting as
    ``--as`` (after its password), else as ``sign_in`` decides (the GUI's dialogs), else as the
    local admin where the database allows it."""
    # Imported here: the command line's parser and help need none of this.
    from sqlalchemy.engine import make_url

    from leaddesk.config import backups_dir, database_url
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.team import auth
    from leaddesk.services.team.team_mode import connect

    url = database_url(args.db)
    name = _as_user(args)
    if name and make_url(url).get_backend_name() == "postgresql":
        member = connect(url, name, read_password(args, f"password for {name}: "))
        app = AppServices(member.context())
    else:
        if name:
            def sign_in(store: Store) -> Actor:
                secret = read_password(args, f"password for {name}: ")
                return auth.LoginService(store).login(name, secret)
        app = AppServices.open(url, backup_dir=backups_dir(), sign_in=sign_in)
    try:
        yield app
    finally:
        app.close()
