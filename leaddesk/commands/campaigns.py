"""``leaddesk campaigns list|show|add|edit|delete``: what the Campaigns view edits, through the
same campaign service (a value the form refuses is refused here naming the field). A campaign
is named by its name or id."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from leaddesk.commands.common import CommandError, add_sign_in_arguments
from leaddesk.commands.lead_filters import closed_pipe_ends_quietly
from leaddesk.commands.users import signed_in

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.campaigns.service import CampaignRecord

#: The form's fields as flags, and its ideal-customer-profile lists (``ui.campaigns.form``).
FIELDS = ("name", "goal", "status", "industry", "lead_source", "budget_credits")
ICP_KEYS = ("industries", "titles", "seniority", "company_sizes", "geographies", "keywords")


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    csub = parser.add_subparsers(dest="campaigns_command", metavar="ACTION", required=True)
    listing = csub.add_parser("list", help="campaigns with their leads and messages")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)
    show = csub.add_parser("show", help="every field of a campaign")
    show.add_argument("campaign", metavar="NAME|ID")
    show.set_defaults(handler=_show)
    add = csub.add_parser("add", help="add a campaign")
    add.add_argument("name", metavar="NAME")
    _field_arguments(add, with_name=False)
    add.set_defaults(handler=_add)
    edit = csub.add_parser("edit", help="change a campaign's fields")
    edit.add_argument("campaign", metavar="NAME|ID")
    _field_arguments(edit, with_name=True)
    edit.set_defaults(handler=_edit)
    delete = csub.add_parser("delete", help="delete a campaign (its leads stay, in no campaign)")
    delete.add_argument("campaign", metavar="NAME|ID")
    delete.add_argument("--yes", action="store_true", help="required: deleting is not undone")
    delete.set_defaults(handler=_delete)


def _field_arguments(parser: argparse.ArgumentParser, with_name: bool) -> None:
    for name in FIELDS if with_name else FIELDS[1:]:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=f"field_{name}", metavar="VALUE")
    for key in ICP_KEYS:
        parser.add_argument(f"--{key.replace('_', '-')}", dest=f"icp_{key}", metavar="A,B",
                            help="ideal customer profile, comma-separated")


def _changes(args: argparse.Namespace, current: dict[str, Any] | None) -> dict[str, Any]:
    changes = {name: getattr(args, f"field_{name}", None) for name in FIELDS}
    changes = {name: value for name, value in changes.items() if value is not None}
    lists = {key: getattr(args, f"icp_{key}") for key in ICP_KEYS}
    if any(value is not None for value in lists.values()):
        icp = dict(current or {})
        for key, value in lists.items():
            if value is not None:
                icp[key] = [part.strip() for part in value.split(",") if part.strip()]
        changes["icp"] = icp
    return changes


def find_campaign(app: AppServices, reference: str) -> CampaignRecord:
    """The campaign with this id, or the one with this name (case and spaces aside)."""
    from leaddesk.services.leads.references import name_key

    campaigns = app.campaigns.list()
    with_id = [c for c in campaigns if str(c.id) == reference.strip()]
    named = with_id or [c for c in campaigns if name_key(c.name) == name_key(reference)]
    if not named:
        raise CommandError(f"no campaign named {reference!r} (see leaddesk campaigns list)")
    if len(named) > 1:
        raise CommandError(f"{len(named)} campaigns are named {reference!r}; name one by its id")
    return named[0]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _list(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        rows = [(c, app.campaigns.stats(c.id)) for c in app.campaigns.list()]
    with closed_pipe_ends_quietly():
        if args.json:
            print(json.dumps([{**{f: getattr(c, f) for f in ("name", "status", "goal",
                                                                "industry", "lead_source",
                                                                "budget_credits", "icp")},
                               "id": str(c.id), "leads": s.leads, "messages": s.messages}
                              for c, s in rows], default=str, ensure_ascii=False, indent=2))
            return 0
        for campaign, stats in rows:
            print(f"{campaign.id}  {campaign.status:<8}  {campaign.name[:40]:<40}  "
                  f"{_plural(stats.leads, 'lead')} · {_plural(stats.messages, 'message')}")
        if not rows:
            print("no campaigns")
    return 0


def _show(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        campaign = find_campaign(app, args.campaign)
        stats = app.campaigns.stats(campaign.id)
    for name in ("id", *FIELDS):
        print(f"{name + ':':<16}{getattr(campaign, name)}".rstrip())
    for key in ICP_KEYS:
        print(f"{key + ':':<16}{', '.join(map(str, campaign.icp.get(key, [])))}".rstrip())
    print(f"{'leads:':<16}{stats.leads:,}\n{'messages:':<16}{stats.messages:,}")
    return 0


def _add(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        campaign = app.campaigns.create({"name": args.name, **_changes(args, None)})
    print(f"added campaign {campaign.name!r} {campaign.id}")
    return 0


def _edit(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        campaign = find_campaign(app, args.campaign)
        changes = _changes(args, campaign.icp)
        if not changes:
            raise CommandError("name a field to change, e.g. --status active (see --help)")
        campaign = app.campaigns.update(campaign.id, changes)
    print(f"edited campaign {campaign.name!r}: {', '.join(sorted(changes))}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        campaign = find_campaign(app, args.campaign)
        if not args.yes:
            raise CommandError(f"delete campaign {campaign.name!r}: add --yes to confirm")
        app.campaigns.delete(campaign.id)
    print(f"deleted campaign {campaign.name!r}")
    return 0


