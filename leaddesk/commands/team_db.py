"""``leaddesk db team-setup|team-check``: the PostgreSQL team database's own steps.

Registered under ``db`` (``leaddesk.commands.db`` calls ``register_db_actions``).
"""

from __future__ import annotations

import argparse

from leaddesk.commands.common import read_password
from leaddesk.config import database_url


def register_db_actions(db_sub: argparse._SubParsersAction) -> None:
    setup = db_sub.add_parser(
        "team-setup",
        help="make a PostgreSQL database a team database (run by the admin after `db upgrade`, "
        "with a superuser URL)",
    )
    setup.add_argument("--admin", required=True, metavar="NAME", help="the team admin's name")
    setup.add_argument("--name", default="", help="the admin's full name")
    setup.add_argument("--password-stdin", action="store_true", default=argparse.SUPPRESS,
                       help="read the admin's new password from standard input")
    setup.set_defaults(handler=_setup)
    check = db_sub.add_parser(
        "team-check",
        help="test signing in to a team database and report any grant wider than the app allows "
        "(exit 1 if one is found: run `db team-setup` again)",
    )
    check.add_argument("--as", dest="as_user", required=True, metavar="NAME")
    check.add_argument("--password-stdin", action="store_true", default=argparse.SUPPRESS,
                       help="read the password from standard input")
    check.set_defaults(handler=_check)


def _setup(args: argparse.Namespace) -> int:
    from leaddesk.services.team.team_mode import setup_team

    password = read_password(args, f"new database password for {args.admin}: ", confirm=True)
    setup_team(database_url(args.db), args.admin, password, args.name)
    print(f"team database ready; {args.admin} signs in as database role ld_{args.admin}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from leaddesk.services.team.team_mode import connect, privileges_wider_than_model

    member = connect(database_url(args.db), args.as_user,
                     read_password(args, f"password for {args.as_user}: "))
    try:
        print(f"connected as {member.actor.name} ({member.actor.role.value}); schema up to date")
        problems = privileges_wider_than_model(member.store)
    finally:
        member.store.dispose()
    for problem in problems:
        print(f"wider than the model: {problem}")
    if problems:
        print(f"{len(problems)} privilege(s) wider than the app allows: an admin fixes them with "
              "`leaddesk db team-setup`")
        return 1
    print("privileges: as the app allows")
    return 0
