"""``leaddesk leads list|show|add|edit|delete|tag``: what the lead table and its dialogs do.

Lists use the table's query (``lead_filters``); adds and edits go through the same lead service
and input rules as the window, so a value the window refuses is refused here with the same
message naming the field. A lead is named by its id or its email.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from leaddesk.commands.common import CommandError, add_sign_in_arguments, whole_number
from leaddesk.commands.lead_contacts import contact_arguments
from leaddesk.commands.lead_filters import (
    add_filter_arguments,
    closed_pipe_ends_quietly,
    query_from_arguments,
)
from leaddesk.commands.users import signed_in

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.leads.service import LeadRecord

#: The lead fields a person may set (``lead_input.EDITABLE_FIELDS``, the owner and campaign by
#: name); a test keeps the two in step.
FIELD_FLAGS = (
    "first_name", "last_name", "email", "phone", "linkedin_url", "title", "company", "industry",
    "company_size", "website", "city", "country", "timezone", "status", "score", "tags",
    "source", "notes", "consent", "do_not_contact",
)
NAMED_FIELDS = {"campaign": "campaign_id", "owner": "owner_id"}
#: What ``leads list`` prints as text; CSV and JSON hold every field.
LIST_COLUMNS = (("name", 24), ("email", 36), ("company", 22), ("status", 12), ("score", 5))


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    lsub = parser.add_subparsers(dest="leads_command", metavar="ACTION", required=True)
    listing = lsub.add_parser("list", help="leads matching the table's filters")
    add_filter_arguments(listing)
    listing.add_argument("--limit", type=whole_number(0), default=50, metavar="N",
                         help="at most this many (default 50; 0: all)")
    output = listing.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON (every field)")
    output.add_argument("--csv", action="store_true", help="print CSV, as `leaddesk export` "
                        "writes it")
    listing.set_defaults(handler=_list)

    show = lsub.add_parser("show", help="every field of one lead")
    show.add_argument("lead", metavar="ID|EMAIL")
    show.add_argument("--json", action="store_true", help="print JSON (the fields only)")
    show.add_argument("--entries", type=whole_number(1), default=10, metavar="N",
                      help="tasks and timeline entries shown (10)")
    show.set_defaults(handler=_show)

    add = lsub.add_parser("add", help="add a lead (refused when it duplicates one)")
    _field_arguments(add)
    add.add_argument("--allow-duplicate", action="store_true",
                     help="add it even when a lead with the same email, phone or LinkedIn exists")
    add.set_defaults(handler=_add)

    edit = lsub.add_parser("edit", help="change fields of a lead (an empty value clears one)")
    edit.add_argument("lead", metavar="ID|EMAIL")
    _field_arguments(edit)
    edit.set_defaults(handler=_edit)

    delete = lsub.add_parser("delete", help="delete a lead (asks first, unless --yes)")
    delete.add_argument("lead", metavar="ID|EMAIL")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(handler=_delete)

    pipeline = lsub.add_parser("pipeline", help="the pipeline board's columns: leads per status")
    add_filter_arguments(pipeline, with_sort=False)
    pipeline.set_defaults(handler=_pipeline)

    bulk = lsub.add_parser("bulk", help="change or delete every lead a filter matches (one "
                           "undoable change set)")
    from leaddesk.commands.lead_bulk import bulk_arguments

    bulk_arguments(bulk)
    bulk.set_defaults(handler=_bulk)

    from leaddesk.commands.lead_duplicates import duplicates_arguments, merge_arguments

    found = lsub.add_parser("duplicates", help="groups of leads that look like one person")
    duplicates_arguments(found)
    found.set_defaults(handler=_duplicates)
    merge = lsub.add_parser("merge", help="merge one lead into another (undoable)")
    merge_arguments(merge)
    merge.set_defaults(handler=_merge)

    tag = lsub.add_parser("tag", help="add or remove tags")
    tag.add_argument("lead", metavar="ID|EMAIL")
    tag.add_argument("--add", action="append", default=[], metavar="TAG", help="repeatable")
    tag.add_argument("--remove", action="append", default=[], metavar="TAG", help="repeatable")
    tag.set_defaults(handler=_tag)
    contact_arguments(lsub)


def _field_arguments(parser: argparse.ArgumentParser) -> None:
    fields = parser.add_argument_group("fields")
    for name in FIELD_FLAGS:
        fields.add_argument(f"--{name.replace('_', '-')}", dest=f"field_{name}", metavar="VALUE")
    fields.add_argument("--campaign", dest="field_campaign", metavar="NAME", help="campaign name")
    fields.add_argument("--owner", dest="field_owner", metavar="USER", help="username or email")
    fields.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="any field by its name, e.g. --set linkedin_url=... (repeatable)")
    parser.add_argument("--region", metavar="CC", help="country for phone numbers without a "
                        "country code (default: the phone region in Settings)")


def _given_fields(args: argparse.Namespace) -> dict[str, str]:
    """The fields named on the command line, ``--set`` ones included (unknown ones refused)."""
    given = {name: getattr(args, f"field_{name}") for name in (*FIELD_FLAGS, *NAMED_FIELDS)}
    values = {name: value for name, value in given.items() if value is not None}
    for item in args.set:
        name, equals, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not equals:
            raise CommandError(f"--set {item!r}: expected FIELD=VALUE")
        if name not in FIELD_FLAGS and name not in NAMED_FIELDS:
            raise CommandError(f"--set: {name!r} is not a lead field (fields: "
                               f"{', '.join((*FIELD_FLAGS, *NAMED_FIELDS))})")
        values[name] = value
    return values


def lead_values(app: AppServices, given: dict[str, str], flags: str = "--") -> dict[str, Any]:
    """Field values for the lead service: owner and campaign names resolved to ids (a name
    that names nobody is refused, naming its flag: ``flags`` + the field)."""
    from leaddesk.services.leads.references import ReferenceIssue, load_reference_table, resolve

    values: dict[str, Any] = dict(given)
    cleared = [name for name in NAMED_FIELDS if name in values and not values[name].strip()]
    with app.store.read() as session:
        table = load_reference_table(session)
    issues: list[ReferenceIssue] = resolve(values, table)
    if issues:
        issue = issues[0]
        raise CommandError(f"{flags}{issue.field}: {issue.message.split(';')[0]}")
    for name in cleared:
        values[NAMED_FIELDS[name]] = None
    return values


def find_lead(app: AppServices, reference: str) -> LeadRecord:
    """The lead with this id, or the one lead with this email (refused when several have it)."""
    from leaddesk.services.errors import NotFoundError
    from leaddesk.services.leads.query import LeadQuery

    text = reference.strip()
    try:
        lead_id = uuid.UUID(text)
    except ValueError:
        lead_id = None
    if lead_id is not None:
        try:
            return app.leads.get(lead_id)
        except NotFoundError:
            raise CommandError(f"no lead with id {text}") from None
    if "@" not in text:
        raise CommandError(f"{text!r} is neither a lead id nor an email")
    found = [lead for lead in app.leads.page(LeadQuery(search=text), limit=50).rows
             if lead.email.casefold() == text.casefold()]
    if not found:
        raise CommandError(f"no lead with email {text}")
    if len(found) > 1:
        raise CommandError(f"{len(found)} leads have email {text}; name one by its id "
                           f"({', '.join(str(lead.id) for lead in found[:3])})")
    return found[0]


def _rows(app: AppServices, leads: Iterable[LeadRecord]) -> list[dict[str, Any]]:
    """Leads as export rows: every field, the owner and campaign by name."""
    from leaddesk.services.leads.references import ReferenceNames

    leads = list(leads)
    names = ReferenceNames()
    with app.store.read() as session:
        names.load(session, (r.campaign_id for r in leads), (r.owner_id for r in leads))
    rows = []
    for lead in leads:
        row = names.add_names(lead.as_dict())
        row["id"] = str(lead.id)
        rows.append(row)
    return rows


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, indent=2)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _list(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        query, sort = query_from_arguments(app, args)
        leads: list[LeadRecord] = []
        cursor = None
        while args.limit == 0 or len(leads) < args.limit:
            want = 500 if args.limit == 0 else min(500, args.limit - len(leads))
            page = app.leads.page(query, sort, after=cursor, limit=want)
            leads += page.rows
            cursor = page.next_cursor
            if cursor is None:
                break
        total = app.leads.count(query) if cursor is not None else len(leads)
        rows = _rows(app, leads)
    with closed_pipe_ends_quietly():
        if args.json:
            print(_json(rows))
        elif args.csv:
            from leaddesk.services.exporting.csv_writer import write_csv

            write_csv(rows, sys.stdout, bom=False)
        else:
            _print_table(leads)
        if len(leads) < total:
            print(f"showing {len(leads):,} of {_plural(total, 'lead')} (see --limit)",
                  file=sys.stderr)
        elif not args.json and not args.csv:
            print(_plural(total, "lead"), "match" if total != 1 else "matches", file=sys.stderr)
    return 0


def _print_table(leads: list[LeadRecord]) -> None:
    def cell(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    print((f"{'id':<36}  " + "  ".join(f"{n:<{w}}" for n, w in LIST_COLUMNS)).rstrip())
    for lead in leads:
        values = {"name": lead.full_name, "email": lead.email, "company": lead.company,
                  "status": lead.status, "score": str(lead.score)}
        print((f"{lead.id}  " + "  ".join(
            f"{cell(values[name], width):<{width}}" for name, width in LIST_COLUMNS)).rstrip())


def _pipeline(args: argparse.Namespace) -> int:
    """Leads per status in the board's order (a status filter keeps only its columns)."""
    import dataclasses

    from leaddesk.store.enums import LeadStatus

    with signed_in(args) as app:
        query, _sort = query_from_arguments(app, args)
        shown = [s.value for s in LeadStatus if not query.statuses or s.value in query.statuses]
        counts = {s: app.leads.count(dataclasses.replace(query, statuses=(s,))) for s in shown}
    with closed_pipe_ends_quietly():
        for status, count in counts.items():
            print(f"{status:<14}{count:>9,}")
        print(f"{'total':<14}{sum(counts.values()):>9,}")
    return 0


def _show(args: argparse.Namespace) -> int:
    """The lead's fields, then (as the detail panel lists them) its tasks and timeline."""
    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        row = _rows(app, [lead])[0]
        tasks = app.tasks.for_lead(lead.id, limit=args.entries)
        timeline = app.activity.for_lead(lead.id, limit=args.entries)
    with closed_pipe_ends_quietly():
        if args.json:
            print(_json(row))
            return 0
        from leaddesk.services.exporting.cells import EXPORT_FIELDS, cell_text

        for name in (*EXPORT_FIELDS, "created_at", "updated_at"):
            print(f"{name + ':':<16}{cell_text(row.get(name))}".rstrip())
        print("\ntasks:" if tasks else "\ntasks: none")
        for task in tasks:
            when = task.done_at or task.due_at
            state = "done" if task.done else "due"
            moment = f"{state} {when.astimezone():%Y-%m-%d %H:%M}" if when else "no date"
            print(f"  {task.id}  {moment:<21}  {task.kind:<9}  {task.title}")
        print("\ntimeline:" if timeline else "\ntimeline: empty")
        for entry in timeline:
            when = entry.created_at.astimezone()
            print(f"  {when:%Y-%m-%d %H:%M}  {entry.summary or entry.action}")
    return 0


def _add(args: argparse.Namespace) -> int:
    given = _given_fields(args)
    if not given:
        raise CommandError("give at least a name, an email, a phone or a LinkedIn URL "
                           "(see leaddesk leads add --help)")
    from leaddesk.services.leads.duplicate_keys import DuplicateLeadError

    with signed_in(args) as app:
        values = lead_values(app, given)
        try:
            lead = app.leads.create(values, region=args.region,
                                    check_duplicates=not args.allow_duplicate)
        except DuplicateLeadError as exc:
            raise CommandError(f"{exc}; --allow-duplicate adds it anyway") from None
    print(f"added {lead.full_name or lead.email} {lead.id}")
    return 0


def _edit(args: argparse.Namespace) -> int:
    given = _given_fields(args)
    if not given:
        raise CommandError("name a field to change, e.g. --status contacted (see --help)")
    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        values = lead_values(app, given)
        lead = app.leads.update(lead.id, values, expected_version=lead.version,
                                region=args.region, check_duplicates=True)
    print(f"edited {lead.full_name or lead.email} {lead.id}: {', '.join(sorted(given))}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        label = f"{lead.full_name or lead.email} ({lead.id})"
        if not args.yes:
            if not sys.stdin.isatty():
                raise CommandError(f"delete {label}: add --yes to delete without a prompt")
            answer = input(f"delete {label}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("not deleted")
                return 1
        app.leads.delete(lead.id)
    print(f"deleted {label}")
    return 0


def _bulk(args: argparse.Namespace) -> int:
    from leaddesk.commands.lead_bulk import bulk

    return bulk(args)


def _duplicates(args: argparse.Namespace) -> int:
    from leaddesk.commands.lead_duplicates import duplicates

    return duplicates(args)


def _merge(args: argparse.Namespace) -> int:
    from leaddesk.commands.lead_duplicates import merge

    return merge(args)


def _tag(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.lead_input import clean_tags

    if not args.add and not args.remove:
        raise CommandError("give --add TAG or --remove TAG")
    added, removed = clean_tags(args.add), clean_tags(args.remove)
    with signed_in(args) as app:
        lead = find_lead(app, args.lead)
        tags = (set(lead.tags) | set(added)) - set(removed)
        if tags != set(lead.tags):
            lead = app.leads.update(lead.id, {"tags": sorted(tags)},
                                    expected_version=lead.version)
    print(f"{lead.full_name or lead.email}: {', '.join(lead.tags) or 'no tags'}")
    return 0
