"""``leaddesk audit list|export``: the audit log as the signed-in user may see it.

Signs in like ``leaddesk users`` (``--as NAME``, ``--password-stdin``); export is for admins.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from leaddesk.commands.common import add_sign_in_arguments, utc_day, whole_number
from leaddesk.commands.users import signed_in

if TYPE_CHECKING:
    from leaddesk.services.team.audit import AuditFilter


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    asub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    for name, helptext in (("list", "newest entries first"), ("export", "write CSV (admins)")):
        cmd = asub.add_parser(name, help=helptext)
        cmd.add_argument("--action", action="append", default=[], help="e.g. refused, login")
        cmd.add_argument("--entity", action="append", default=[], help="e.g. lead, user")
        cmd.add_argument("--since", type=utc_day, metavar="DATE")
        if name == "list":
            cmd.add_argument("--limit", type=whole_number(1), default=50)
            cmd.set_defaults(handler=_list)
        else:
            cmd.add_argument("--out", type=Path, required=True, help="the CSV file")
            cmd.set_defaults(handler=_export)


def _filter(args: argparse.Namespace) -> AuditFilter:
    from leaddesk.services.team.audit import AuditFilter

    return AuditFilter(actions=tuple(args.action), entity_types=tuple(args.entity),
                       since=args.since)


def _list(args: argparse.Namespace) -> int:
    from leaddesk.services.team.audit import AuditLogService

    with signed_in(args) as app:
        entries = AuditLogService(app.ctx).search(_filter(args), limit=args.limit)
    for e in entries:
        print(f"{e.created_at:%Y-%m-%d %H:%M:%S}  {e.action:<13} {e.entity_type:<10} {e.summary}")
    if not entries:
        print("no entries")
    return 0


def _export(args: argparse.Namespace) -> int:
    from leaddesk.services.team.audit import AuditLogService

    with signed_in(args) as app:
        count = AuditLogService(app.ctx).export_csv(args.out, _filter(args))
    print(f"exported {count} entries to {args.out}")
    return 0
