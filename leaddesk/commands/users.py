"""``leaddesk users list|add|deactivate|activate|role|passwd|first-admin|login-mode``.

Passwords are never arguments (they would land in shell history and process lists): they are
prompted for, or read one per line from standard input with ``--password-stdin`` — first the
signing-in user's (``--as``), then a new one.

Who acts: ``--as NAME`` signs in (on a team database: as that user's database role); without it
a database in "no login on this computer" mode (or not set up yet) acts as the local admin, and a
password-mode database refuses.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from leaddesk.commands.common import (
    CommandError,
    add_sign_in_arguments,
    open_services,
    read_password,
)
from leaddesk.config import backups_dir, database_url
from leaddesk.store.enums import LoginMode

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.team.users import UserRecord, UserService

__all__ = ["arguments", "read_password", "signed_in"]


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    usub = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    usub.add_parser("list", help="list users").set_defaults(handler=_list)
    add = usub.add_parser("add", help="add a user (asks for their password)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--role", default="rep", choices=["admin", "manager", "rep"])
    add.add_argument("--manager", metavar="USERNAME", help="their manager")
    add.add_argument("--email", default="")
    add.set_defaults(handler=_add)
    for action, helptext in (("deactivate", "stop a user signing in"),
                             ("activate", "let a deactivated user sign in again")):
        cmd = usub.add_parser(action, help=helptext)
        cmd.add_argument("username")
        cmd.set_defaults(handler=_set_active, active=action == "activate")
    role = usub.add_parser("role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=["admin", "manager", "rep"])
    role.add_argument("--manager", metavar="USERNAME", help="their manager (for a rep)")
    role.set_defaults(handler=_role)
    passwd = usub.add_parser("passwd", help="set a user's password (asks for it)")
    passwd.add_argument("username")
    passwd.set_defaults(handler=_passwd)
    first = usub.add_parser("first-admin", help="first run: create the admin, require sign-in")
    first.add_argument("username")
    first.add_argument("--name", default="")
    first.set_defaults(handler=_first_admin)
    mode = usub.add_parser("login-mode", help="show or set how this computer signs in")
    mode.add_argument("mode", nargs="?", choices=[m.value for m in LoginMode])
    mode.set_defaults(handler=_login_mode)


# --- acting as someone --------------------------------------------------------------------------


@contextlib.contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[AppServices]:
    """Services acting as ``--as`` (after its password), or as the local admin where allowed."""
    from sqlalchemy.engine import make_url

    if make_url(database_url(args.db)).get_backend_name() == "postgresql" and not getattr(
        args, "as_user", None
    ):
        raise CommandError("a team database needs --as NAME")
    with open_services(args) as app:
        yield app


def _users(app: AppServices) -> UserService:
    from leaddesk.services.team.users import UserService

    return UserService(app.ctx)


def _line(user: UserRecord, names: dict[object, str]) -> str:
    manager = names.get(user.manager_id, "")
    state = "active" if user.is_active else "inactive"
    return f"{user.username:<24} {user.role:<8} {state:<9} {manager:<16} {user.name}"


def _list(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        users = _users(app).list()
    names = {u.id: u.username for u in users}
    for user in users:
        print(_line(user, names))
    return 0


def _manager_id(service: UserService, username: str | None) -> object:
    return service.by_username(username).id if username else None


def _add(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        service = _users(app)
        password = read_password(args, f"new password for {args.username}: ", confirm=True)
        user = service.add(args.username, args.name, args.role, password, email=args.email,
                           manager_id=_manager_id(service, args.manager))  # type: ignore[arg-type]
    print(f"added {user.role} {user.username}")
    return 0


def _set_active(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        service = _users(app)
        user = service.set_active(service.by_username(args.username).id, args.active)
    print(f"{user.username} is {'active' if user.is_active else 'deactivated'}")
    return 0


def _role(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        service = _users(app)
        user = service.set_role(service.by_username(args.username).id, args.role,
                                _manager_id(service, args.manager))  # type: ignore[arg-type]
    print(f"{user.username} is now {user.role}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        service = _users(app)
        target = service.by_username(args.username)
        password = read_password(args, f"new password for {target.username}: ", confirm=True)
        service.reset_password(target.id, password)
    print(f"password set for {target.username}")
    return 0


def _first_admin(args: argparse.Namespace) -> int:
    from leaddesk.services.team import auth
    from leaddesk.store import migrate
    from leaddesk.store.database import Store

    store = Store.open(database_url(args.db))
    try:
        migrate.upgrade(store.engine, backups_dir())
        password = read_password(args, f"password for {args.username}: ", confirm=True)
        actor = auth.create_first_admin(store, args.username, args.name, password)
    finally:
        store.dispose()
    print(f"admin {args.username} created ({actor.id}); sign-in is now required")
    return 0


def _login_mode(args: argparse.Namespace) -> int:
    from leaddesk.services.team import auth

    with signed_in(args) as app:
        if args.mode:
            auth.set_login_mode(app.ctx, LoginMode(args.mode))
        mode = auth.login_mode(app.store)
    print(mode.value if mode else "not set up (first run)")
    return 0
