"""``leaddesk leads note|log``: what the detail panel's note and log forms do — a dated note,
or a call, meeting or email that happened, with its outcome (the lead's last-contacted date
moves with it). A lead is named by its id or its email address."""

from __future__ import annotations

import argparse

from leaddesk.commands.users import signed_in

_KINDS = ("call", "meeting", "email")


def contact_arguments(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``note`` and ``log`` to the ``leads`` actions."""
    note = actions.add_parser("note", help="add a dated note to a lead")
    note.add_argument("lead", metavar="LEAD", help="the lead's id or email address")
    note.add_argument("text")
    note.set_defaults(handler=_note)
    log = actions.add_parser("log", help="log a call, meeting or email that happened")
    log.add_argument("lead", metavar="LEAD", help="the lead's id or email address")
    log.add_argument("--kind", choices=_KINDS, required=True)
    log.add_argument("--outcome", required=True,
                     help="reached, no answer, left voicemail, meeting booked, interested, "
                     "not interested, wrong number")
    log.add_argument("--notes", default="")
    log.set_defaults(handler=_log)


def _note(args: argparse.Namespace) -> int:
    from leaddesk.commands.leads import find_lead
    from leaddesk.services.leads.contact_log import ContactLogService

    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        ContactLogService(app.ctx).add_note(lead.id, args.text)
    print(f"added a note to {lead.full_name or lead.email}")
    return 0


def _log(args: argparse.Namespace) -> int:
    from leaddesk.commands.leads import find_lead
    from leaddesk.services.leads.contact_log import ContactLogService

    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        ContactLogService(app.ctx).log_contact(lead.id, args.kind, args.outcome, args.notes)
    print(f"logged a {args.kind} with {lead.full_name or lead.email}: {args.outcome}")
    return 0
