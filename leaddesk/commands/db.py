"""``leaddesk db upgrade|current``: the schema of the chosen database."""

from __future__ import annotations

import argparse

from leaddesk.commands import team_db
from leaddesk.commands.common import CommandError
from leaddesk.config import backups_dir, database_url


def arguments(parser: argparse.ArgumentParser) -> None:
    db_sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="upgrade the database to this version (backs up first)")
    up.set_defaults(handler=_upgrade)
    cur = db_sub.add_parser("current", help="show the database's and this version's revision")
    cur.set_defaults(handler=_current)
    team_db.register_db_actions(db_sub)


def _upgrade(args: argparse.Namespace) -> int:
    from leaddesk.store import migrate
    from leaddesk.store.database import Store

    store = Store.open(database_url(args.db))
    try:
        before = migrate.schema_state(store.engine)
        after = migrate.upgrade(store.engine, backups_dir())
    finally:
        store.dispose()
    if before.current == after.current:
        print(f"already at {after.current} (head)")
    else:
        print(f"upgraded {before.current or 'empty database'} -> {after.current}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from leaddesk.store import migrate
    from leaddesk.store.database import Store

    store = Store.open(database_url(args.db))
    try:
        state = migrate.schema_state(store.engine)
        migrate.check_not_newer(state)
    finally:
        store.dispose()
    if state.current is None and state.has_tables:
        raise CommandError("not a LeadDesk database (no schema revision)")
    current = state.current or "empty (no schema yet)"
    suffix = " (head)" if state.up_to_date else f" (this version's head: {state.head})"
    print(f"{current}{suffix}")
    return 0
