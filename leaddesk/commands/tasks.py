"""``leaddesk tasks list|add|done|snooze``: the calls and follow-ups the detail panel keeps.

Times are read in this computer's timezone: ``today``, ``tomorrow``, ``YYYY-MM-DD`` (9:00 that
day; as a ``--due`` filter, the end of that day), ``YYYY-MM-DD HH:MM``, or a span from now such
as ``2h``, ``3d``, ``1w``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import uuid
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, add_sign_in_arguments, whole_number
from leaddesk.commands.lead_filters import closed_pipe_ends_quietly
from leaddesk.commands.users import signed_in

if TYPE_CHECKING:
    from leaddesk.services.leads.task_lists import TaskLine

KINDS = ("call", "email", "follow_up", "linkedin")
_SPAN = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_SPAN_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
WORKDAY_START = dt.time(9, 0)


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    tsub = parser.add_subparsers(dest="tasks_command", metavar="ACTION", required=True)
    listing = tsub.add_parser("list", help="your open tasks, soonest due first")
    state = listing.add_mutually_exclusive_group()
    for flag, value, helptext in (("--overdue", "overdue", "open and past due"),
                                  ("--done", "done", "done ones, latest first"),
                                  ("--all", "all", "open and done")):
        state.add_argument(flag, dest="state", action="store_const", const=value, help=helptext)
    listing.set_defaults(state="open")
    listing.add_argument("--due", metavar="WHEN", help="due by then, e.g. today, 3d, 2026-12-31")
    listing.add_argument("--lead", metavar="ID|EMAIL", help="only this lead's tasks")
    listing.add_argument("--limit", type=whole_number(1), default=100,
                         help="at most this many (100)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    add = tsub.add_parser("add", help="add a task to a lead")
    add.add_argument("lead", metavar="ID|EMAIL")
    add.add_argument("title", metavar="TITLE")
    add.add_argument("--due", metavar="WHEN", help="when it is due (default: no date)")
    add.add_argument("--kind", default="follow_up", help=f"{', '.join(KINDS)} (follow_up)")
    add.add_argument("--notes", default="", metavar="TEXT")
    add.set_defaults(handler=_add)

    done = tsub.add_parser("done", help="mark a task done")
    done.add_argument("task", metavar="TASK_ID")
    done.set_defaults(handler=_done)

    snooze = tsub.add_parser("snooze", help="move an open task's due time")
    snooze.add_argument("task", metavar="TASK_ID")
    snooze.add_argument("until", metavar="WHEN", nargs="?", default="1d",
                        help="new due time (default 1d: a day from now)")
    snooze.set_defaults(handler=_snooze)


def parse_when(text: str, flag: str, end_of_day: bool = False,
               now: dt.datetime | None = None) -> dt.datetime:
    """A time from the command line, in UTC (see the module's docstring for the forms)."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone()
    value = text.strip().lower()
    span = _SPAN.match(value)
    if span:
        return now + dt.timedelta(**{_SPAN_UNITS[span[2].lower()]: int(span[1])})
    days = {"today": 0, "tomorrow": 1}.get(value)
    if days is not None:
        day = now.date() + dt.timedelta(days=days)
        moment = None
    else:
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise CommandError(f"{flag}: {text!r} is not a time (today, tomorrow, 3d, "
                               "YYYY-MM-DD or YYYY-MM-DD HH:MM)") from None
        day = moment.date()
        if len(text.strip()) > 10:  # a time of day was given
            return (moment if moment.tzinfo else moment.astimezone()).astimezone(dt.UTC)
    if end_of_day:
        start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    else:
        start = dt.datetime.combine(day, WORKDAY_START)
    return start.astimezone().astimezone(dt.UTC)


def _task_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise CommandError(f"{text!r} is not a task id (see leaddesk tasks list)") from None


def _when(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment else "no date"


def _line(line: TaskLine, now: dt.datetime) -> str:
    task = line.task
    if task.done:
        state = f"done {_when(task.done_at)}"
    else:
        state = ("OVERDUE " if task.overdue(now) else "due ") + _when(task.due_at)
    return f"{task.id}  {state:<24}  {task.kind:<9}  {line.lead[:24]:<24}  {task.title}"


def _list(args: argparse.Namespace) -> int:
    from leaddesk.commands.leads import find_lead
    from leaddesk.services.leads.task_lists import list_tasks

    due_before = parse_when(args.due, "--due", end_of_day=True) if args.due else None
    with signed_in(args) as app:
        lead_id = find_lead(app, args.lead).id if args.lead else None
        lines = list_tasks(app.ctx, args.state, due_before, lead_id, args.limit)
    now = dt.datetime.now(dt.UTC)
    with closed_pipe_ends_quietly():
        if args.json:
            rows = [{"id": str(line.task.id), "kind": line.task.kind, "title": line.task.title,
                     "lead": line.lead, "lead_id": line.task.lead_id,
                     "due_at": line.task.due_at, "done_at": line.task.done_at,
                     "overdue": line.task.overdue(now), "notes": line.task.notes}
                    for line in lines]
            print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
            return 0
        for line in lines:
            print(_line(line, now))
        if not lines:
            print(f"no {'' if args.state == 'all' else args.state + ' '}tasks")
    return 0


def _add(args: argparse.Namespace) -> int:
    from leaddesk.commands.leads import find_lead

    due = parse_when(args.due, "--due") if args.due else None
    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        task = app.tasks.create(lead.id, args.kind, args.title, due_at=due, notes=args.notes)
    print(f"added task {task.id} for {lead.full_name or lead.email}, due {_when(task.due_at)}")
    return 0


def _done(args: argparse.Namespace) -> int:
    task_id = _task_id(args.task)
    with signed_in(args) as app:
        task = app.tasks.complete(task_id)
    print(f"done: {task.title}")
    return 0


def _snooze(args: argparse.Namespace) -> int:
    task_id = _task_id(args.task)
    until = parse_when(args.until, "WHEN")
    with signed_in(args) as app:
        task = app.tasks.snooze(task_id, until)
    print(f"snoozed {task.title!r} to {_when(task.due_at)}")
    return 0
