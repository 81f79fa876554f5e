"""``leaddesk compose``: render a template for a lead or a saved view, show the cost, queue it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, open_services
from leaddesk.commands.template import find_template
from leaddesk.store.enums import Channel

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.messaging.compose import ComposePlan

PREVIEWS_SHOWN = 3


def parse_time(value: str) -> dt.datetime:
    """An ISO date-time; without a zone it is this computer's local time."""
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a time (e.g. 2026-12-01T09:30 or 2026-12-01T09:30+01:00)"
        ) from None
    return when.astimezone(dt.UTC) if when.tzinfo else when.astimezone().astimezone(dt.UTC)


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    parser.add_argument("--template", required=True, metavar="NAME_OR_ID")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--lead", action="append", type=uuid.UUID, metavar="ID",
                     help="a lead id (repeat for several)")
    who.add_argument("--view", metavar="NAME", help="every lead of a saved view (its campaign, "
                     "when its filter names one, is recorded on the messages)")
    parser.add_argument("--campaign", metavar="NAME_OR_ID",
                        help="record the messages under this campaign")
    parser.add_argument("--via", metavar="CHANNEL_NAME", help="which configured channel "
                        "(default: the first one for --channel)")
    parser.add_argument("--at", type=parse_time, metavar="TIME", help="schedule for this time")
    parser.add_argument("--dry-run", action="store_true",
                        help="preview and quote only (now, later, held, credits)")
    parser.add_argument("--draft", action="store_true", help="save as drafts, do not queue")
    parser.add_argument("--yes", action="store_true",
                        help="do not ask before queuing for several leads at a terminal")
    parser.set_defaults(handler=_compose)


def print_plan(plan: ComposePlan) -> None:
    from leaddesk.services.messaging.whatsapp_content import ordered, part_name

    shown = [p for p in plan.previews if not p.blocked_reason][:PREVIEWS_SHOWN]
    if plan.content_sid:
        print(f"WhatsApp content template {plan.content_sid} (its approved text is sent)")
    for p in shown:
        print(f"--- to {p.lead_name} <{p.to_address or 'no address'}>")
        if p.subject:
            print(f"Subject: {p.subject}")
        print(p.body.rstrip())
        for key, value in ordered(p.content_variables):
            print(f"  {part_name(key)}: {value}")
        for issue in p.issues:
            print(f"  [{issue.level}] {issue.field}: {issue.message}")
        if p.held_reason:
            print(f"  HELD: {p.held_reason}")
    hidden = len(plan.previews) - len(plan.blocked) - len(shown)
    if hidden > 0:
        print(f"--- and {hidden} more")
    for p in plan.blocked:
        print(f"skipped {p.lead_name}: {p.blocked_reason}")
    for line in plan.quote.lines():
        print(line)


def find_campaign(app: AppServices, ref: str) -> uuid.UUID:
    """A campaign by id or by name (case-insensitive)."""
    campaigns = app.campaigns.list()
    found = [c for c in campaigns if str(c.id) == ref or c.name.casefold() == ref.casefold()]
    if not found:
        raise CommandError(f"--campaign: no campaign {ref!r}")
    return found[0].id


def _compose(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        template = find_template(app, args.template, args.channel)
        campaign_id = find_campaign(app, args.campaign) if args.campaign else None
        if args.lead:
            lead_ids = args.lead
        else:
            audience = app.compose.view_audience(args.view)
            lead_ids, campaign_id = audience.lead_ids, campaign_id or audience.campaign_id
        if not lead_ids:
            raise CommandError(f"the view {args.view!r} has no leads")
        plan = app.compose.plan(args.channel, lead_ids, template_id=template.id, via=args.via,
                                campaign_id=campaign_id, at=args.at)
        print_plan(plan)
        if args.dry_run:
            return 0
        if not plan.affordable and not args.draft:
            raise CommandError(f"not enough credits: {plan.quote.credits_message}")
        if len(plan.previews) > 1 and not (args.draft or args.yes) and sys.stdin.isatty():
            answer = input(f"Queue {plan.sendable:,} messages as quoted above? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("not confirmed: nothing was queued")
        result = app.compose.commit(plan, draft=args.draft)
    when = f" for {args.at:%Y-%m-%d %H:%M} UTC" if args.at else ""
    print(f"queued {result.queued}{when}, held {result.held}, drafts {result.drafts}; "
          "run `leaddesk send` to send")
    return 0
