"""``leaddesk dnc list|add|remove``: the do-not-contact list, as its dialog shows it: each
address with its reason and the date it was added."""

from __future__ import annotations

import argparse
import uuid

from leaddesk.commands.common import CommandError, open_services

_REASONS = ("unsubscribe", "bounce", "manual", "complaint")


def arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="dnc_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="every address that must not be contacted")
    lst.set_defaults(handler=_list)
    add = sub.add_parser("add", help="add an email, phone number or LinkedIn URL")
    add.add_argument("address")
    add.add_argument("--reason", choices=_REASONS, default="manual")
    add.add_argument("--note", default="", help="why, in a few words")
    add.set_defaults(handler=_add)
    remove = sub.add_parser("remove", help="take an address off the list (by address or id)")
    remove.add_argument("address", metavar="ADDRESS_OR_ID")
    remove.set_defaults(handler=_remove)


def _list(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        rows = app.suppression.list()
    for row in rows:
        added = row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{row.id}  {row.kind:<8} {row.value:<40} {row.reason:<11} {added}  {row.note}")
    if not rows:
        print("nobody is on the do-not-contact list")
    return 0


def _add(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        row = app.suppression.add(args.address, reason=args.reason, note=args.note)
    print(f"{row.value} must not be contacted ({row.reason})")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from leaddesk.services.messaging.suppression import guess_kind, normalize

    with open_services(args) as app:
        rows = app.suppression.list(limit=1_000_000)
        try:
            wanted = uuid.UUID(args.address)
            matches = [r for r in rows if r.id == wanted]
        except ValueError:
            kind = guess_kind(args.address)
            value = normalize(kind, args.address)
            matches = [r for r in rows if (r.kind, r.value) == (kind, value)]
        if not matches:
            raise CommandError(f"{args.address!r} is not on the do-not-contact list")
        for row in matches:
            app.suppression.remove(row.id)
    print(f"{matches[0].value} may be contacted again")
    return 0
