"""``leaddesk leads duplicates`` and ``leads merge``: the window's Find duplicates, from the
shell. Groups come from the database's duplicate rules (or ``--rule``); a merge is one change set
that ``leaddesk changes undo`` takes back."""

from __future__ import annotations

import argparse

from leaddesk.commands.common import CommandError, whole_number
from leaddesk.commands.lead_filters import closed_pipe_ends_quietly
from leaddesk.commands.users import signed_in

RULES = ("email", "phone", "linkedin_url", "name_company")
#: Each rule as the window's Find duplicates names it.
RULE_NAMES = {"email": "email", "phone": "phone", "linkedin_url": "LinkedIn URL",
              "name_company": "name + company", "all": "every rule"}


def duplicates_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", action="append", choices=RULES,
                        help="match on this key (repeatable; default: the database's rules)")
    parser.add_argument("--all", dest="mode", action="store_const", const="all", default="any",
                        help="leads match only when every rule's key matches")
    parser.add_argument("--limit", type=whole_number(1), default=100,
                        help="at most this many groups (100)")


def merge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("keep", metavar="KEEP", help="id or email of the lead that stays")
    parser.add_argument("other", metavar="OTHER", help="id or email of the lead merged into it")
    parser.add_argument("--take", action="append", default=[], metavar="FIELD",
                        help="take this field from OTHER (repeatable; otherwise KEEP's value "
                        "stays unless it is empty; tags are always combined)")


def duplicates(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.duplicate_keys import DuplicateRules

    with signed_in(args) as app:
        rules = DuplicateRules(tuple(args.rule), args.mode) if args.rule else None
        groups = app.duplicates.find_duplicates(rules, limit=args.limit)
        leads = {lead_id: app.leads.get(lead_id) for g in groups for lead_id in g.lead_ids}
    with closed_pipe_ends_quietly():
        for group in groups:
            print(f"same {RULE_NAMES.get(group.rule, group.rule)}: {len(group.lead_ids)} leads")
            for lead_id in group.lead_ids:
                lead = leads[lead_id]
                print(f"  {lead.id}  {lead.created_at:%Y-%m-%d}  {lead.full_name:<24}  "
                      f"{lead.email:<32}  {lead.company}".rstrip())
        if not groups:
            print("no duplicates")
        else:
            print("merge two with: leaddesk leads merge KEEP OTHER")
    return 0


def merge(args: argparse.Namespace) -> int:
    from leaddesk.commands.leads import find_lead

    with signed_in(args) as app:
        keep, other = find_lead(app, args.keep), find_lead(app, args.other)
        if keep.id == other.id:
            raise CommandError("KEEP and OTHER are the same lead")
        choices = {name.replace("-", "_"): "other" for name in args.take}
        if "campaign" in choices:
            choices["campaign_id"] = choices.pop("campaign")
        kept, change_set = app.duplicates.merge(keep.id, other.id, choices)
    print(f"merged {other.full_name or other.email} into {kept.full_name or kept.email} "
          f"{kept.id}; undo with leaddesk changes undo {change_set}")
    return 0
