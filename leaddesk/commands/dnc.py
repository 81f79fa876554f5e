"""``leaddesk dnc list|add|remove``: the do-not-contact list the composer and the sender check,
as the window's do-not-contact dialog shows it. Anyone adds; removing is an admin's (audited)."""

from __future__ import annotations

import argparse
import json
import uuid

from leaddesk.commands.common import CommandError, add_sign_in_arguments, whole_number
from leaddesk.commands.lead_filters import closed_pipe_ends_quietly
from leaddesk.commands.users import signed_in


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    dsub = parser.add_subparsers(dest="dnc_command", metavar="ACTION", required=True)
    listing = dsub.add_parser("list", help="addresses never contacted, newest first")
    listing.add_argument("--limit", type=whole_number(1), default=1000, metavar="N")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)
    add = dsub.add_parser("add", help="never contact this email, phone or LinkedIn URL")
    add.add_argument("address", metavar="ADDRESS")
    add.add_argument("--kind", help="email, phone or linkedin (default: from the address)")
    add.add_argument("--note", default="", metavar="TEXT", help="why (shown beside it)")
    add.set_defaults(handler=_add)
    remove = dsub.add_parser("remove", help="contact this address again (admins)")
    remove.add_argument("address", metavar="ADDRESS|ID")
    remove.set_defaults(handler=_remove)


def _list(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        entries = app.suppression.list(limit=args.limit)
    with closed_pipe_ends_quietly():
        if args.json:
            print(json.dumps([{"id": str(e.id), "kind": e.kind, "address": e.value,
                               "reason": e.reason, "note": e.note, "added": e.created_at}
                              for e in entries], default=str, ensure_ascii=False, indent=2))
            return 0
        for entry in entries:
            print(f"{entry.created_at:%Y-%m-%d}  {entry.kind:<8}  {entry.value:<40}  "
                  f"{entry.reason:<12}  {entry.note}".rstrip())
        if not entries:
            print("the do-not-contact list is empty")
    return 0


def _add(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        entry = app.suppression.add(args.address, "manual", kind=args.kind, note=args.note)
    print(f"{entry.value} is on the do-not-contact list")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from leaddesk.services.messaging.suppression import guess_kind, normalize

    text = args.address.strip()
    with signed_in(args) as app:
        entries = app.suppression.list(limit=1_000_000)
        try:
            wanted = {e.id for e in entries if e.id == uuid.UUID(text)}
        except ValueError:
            kind = guess_kind(text)
            value = normalize(kind, text)
            wanted = {e.id for e in entries if (e.kind, e.value) == (kind, value)}
        if not wanted:
            raise CommandError(f"{text} is not on the do-not-contact list")
        for entry_id in wanted:
            app.suppression.remove(entry_id)
    print(f"{text} may be contacted again")
    return 0
