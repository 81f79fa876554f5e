"""``leaddesk lead show|note|log|task``: work on one lead from the command line, as the detail
panel does: read it, add a note, log a call/meeting/email, add, list, complete and snooze its
tasks. A lead is named by its id or its email address."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, open_services

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.leads.service import LeadRecord

_KINDS = ("call", "meeting", "email")
_TASK_KINDS = ("call", "linkedin", "email", "follow_up")


def _when(value: str) -> dt.datetime:
    """An ISO date or date and time (local time unless it names its offset)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date or time like 2030-01-31 or 2030-01-31T09:00") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC)


def arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="lead_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="a lead's fields, notes, tasks and recent activity")
    show.add_argument("lead", metavar="LEAD", help="the lead's id or email address")
    show.set_defaults(handler=_show)
    note = sub.add_parser("note", help="add a dated note to a lead")
    note.add_argument("lead", metavar="LEAD")
    note.add_argument("text")
    note.set_defaults(handler=_note)
    log = sub.add_parser("log", help="log a call, meeting or email that happened, with outcome")
    log.add_argument("lead", metavar="LEAD")
    log.add_argument("--kind", choices=_KINDS, required=True)
    log.add_argument("--outcome", required=True,
                     help="reached, no answer, left voicemail, meeting booked, interested, "
                     "not interested, wrong number")
    log.add_argument("--notes", default="")
    log.set_defaults(handler=_log)
    task = sub.add_parser("task", help="a lead's tasks: add, list, done, snooze")
    tsub = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    add = tsub.add_parser("add", help="add a task to a lead")
    add.add_argument("lead", metavar="LEAD")
    add.add_argument("--title", required=True)
    add.add_argument("--kind", choices=_TASK_KINDS, default="follow_up")
    add.add_argument("--due", type=_when, metavar="WHEN")
    add.set_defaults(handler=_task_add)
    lst = tsub.add_parser("list", help="a lead's tasks, open ones first")
    lst.add_argument("lead", metavar="LEAD")
    lst.set_defaults(handler=_task_list)
    done = tsub.add_parser("done", help="mark a task done")
    done.add_argument("task", metavar="TASK_ID")
    done.set_defaults(handler=_task_done)
    snooze = tsub.add_parser("snooze", help="move a task's due time")
    snooze.add_argument("task", metavar="TASK_ID")
    snooze.add_argument("--until", type=_when, required=True, metavar="WHEN")
    snooze.set_defaults(handler=_task_snooze)


def find_lead(app: AppServices, ref: str) -> LeadRecord:
    """A lead by id, or by its email address (which must name exactly one lead)."""
    try:
        return app.leads.get(uuid.UUID(ref))
    except ValueError:
        pass
    from leaddesk.services.leads.query import LeadQuery

    rows = [r for r in app.leads.page(LeadQuery(search=ref.strip()), limit=5).rows
            if r.email.lower() == ref.strip().lower()]
    if not rows:
        raise CommandError(f"no lead has the id or email {ref!r}")
    if len(rows) > 1:
        raise CommandError(f"{len(rows)} leads have the email {ref!r}; name one by its id")
    return rows[0]


def _task_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a task id (see: leaddesk lead task list)") from None


def _stamp(moment: dt.datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _show(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        lead = find_lead(app, args.lead)
        tasks = app.tasks.for_lead(lead.id)
        entries = app.activity.for_lead(lead.id, 10)
    for name in ("full_name", "email", "phone", "company", "title", "status", "score"):
        print(f"{name.replace('_', ' '):<15} {getattr(lead, name)}")
    print(f"{'tags':<15} {', '.join(lead.tags)}")
    print(f"{'added':<15} {_stamp(lead.created_at)}")
    print(f"{'last contacted':<15} {_stamp(lead.last_contacted_at)}")
    print("notes:", lead.notes or "(none)", sep="\n" if lead.notes else " ")
    _print_tasks(tasks)
    print("recent activity:")
    for entry in entries:
        print(f"  {_stamp(entry.created_at)}  {entry.summary or entry.action}")
    return 0


def _note(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.contact_log import ContactLogService

    with open_services(args) as app:
        lead = find_lead(app, args.lead)
        ContactLogService(app.ctx).add_note(lead.id, args.text)
    print(f"added a note to {lead.full_name or lead.email}")
    return 0


def _log(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.contact_log import ContactLogService

    with open_services(args) as app:
        lead = find_lead(app, args.lead)
        ContactLogService(app.ctx).log_contact(lead.id, args.kind, args.outcome, args.notes)
    print(f"logged a {args.kind} with {lead.full_name or lead.email}: {args.outcome}")
    return 0


def _task_add(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        lead = find_lead(app, args.lead)
        task = app.tasks.create(lead.id, args.kind, args.title, args.due)
    print(f"added task {task.id}: {task.title} (due {_stamp(task.due_at)})")
    return 0


def _print_tasks(tasks: list) -> None:
    print("tasks:" if tasks else "tasks: (none)")
    for task in tasks:
        state = f"done {_stamp(task.done_at)}" if task.done else f"due {_stamp(task.due_at)}"
        print(f"  {task.id}  {task.kind:<9} {state:<22} {task.title}")


def _task_list(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        _print_tasks(app.tasks.for_lead(find_lead(app, args.lead).id))
    return 0


def _task_done(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        task = app.tasks.complete(_task_id(args.task))
    print(f"done: {task.title}")
    return 0


def _task_snooze(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        task = app.tasks.snooze(_task_id(args.task), args.until)
    print(f"snoozed {task.title} to {_stamp(task.due_at)}")
    return 0
