"""``leaddesk leads bulk``: the lead table's bulk actions (status, owner, campaign, tags,
delete) over the leads a filter matches, as one change set that ``leaddesk changes undo`` takes
back, like the window's bulk edit."""

from __future__ import annotations

import argparse
import sys

from leaddesk.commands.common import CommandError
from leaddesk.commands.lead_filters import add_filter_arguments, query_from_arguments
from leaddesk.commands.users import signed_in


def bulk_arguments(parser: argparse.ArgumentParser) -> None:
    add_filter_arguments(parser)
    change = parser.add_argument_group("the change (as the table's bulk actions)")
    change.add_argument("--set-status", metavar="STATUS")
    change.add_argument("--set-owner", metavar="USER", help="username or email")
    change.add_argument("--set-campaign", metavar="NAME", help='campaign name ("" for none)')
    change.add_argument("--add-tag", action="append", default=[], metavar="TAG")
    change.add_argument("--remove-tag", action="append", default=[], metavar="TAG")
    change.add_argument("--delete", action="store_true", help="delete the matching leads")
    parser.add_argument("--dry-run", action="store_true", help="count the leads it would change")
    parser.add_argument("--yes", action="store_true", help="do not ask")


def bulk(args: argparse.Namespace) -> int:
    from leaddesk.commands.leads import lead_values
    from leaddesk.services.leads.bulk_edit import BulkChange

    named = {"status": args.set_status, "owner": args.set_owner, "campaign": args.set_campaign}
    with signed_in(args) as app:
        query, _sort = query_from_arguments(app, args)
        values = lead_values(app, {k: v for k, v in named.items() if v is not None}, "--set-")
        change = BulkChange(values, tuple(args.add_tag), tuple(args.remove_tag), args.delete)
        count = app.bulk_edit.preview(query, change)
        if args.dry_run or count == 0:
            print(f"would change {count:,} lead{'' if count == 1 else 's'}")
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                raise CommandError(f"this changes {count:,} leads: add --yes to apply it "
                                   "without a prompt (--dry-run only counts)")
            if input(f"change {count:,} leads? [y/N] ").strip().lower() not in ("y", "yes"):
                print("nothing changed")
                return 1
        result = app.bulk_edit.apply(query, change)
    print(f"changed {result.changed:,} lead{'' if result.changed == 1 else 's'}; undo with "
          f"leaddesk changes undo {result.change_set_id}")
    return 0
