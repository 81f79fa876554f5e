"""The lead table's filters, search and sort as command-line flags, shared by ``leaddesk leads
list`` and ``leaddesk views save`` so a saved view means the same in the window and the shell.

The flags build the table's own :class:`LeadQuery` and :class:`LeadSort`; owners and campaigns
are named (username or email, campaign name) and resolved the way an import resolves them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, whole_number

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.leads.query import LeadQuery, LeadSort


def add_filter_arguments(
    parser: argparse.ArgumentParser, with_view: bool = True, with_sort: bool = True
) -> None:
    """The filter bar's fields as flags; a repeated flag adds a choice (any of them matches)."""
    group = parser.add_argument_group("filters (as in the lead table)")
    if with_view:
        group.add_argument("--view", metavar="NAME",
                           help="start from this saved view; other flags narrow or re-sort it")
    group.add_argument("--search", metavar="TEXT", help="name, email, company, title or notes "
                       "contain every word")
    group.add_argument("--status", action="append", metavar="STATUS",
                       help="new, contacted, replied, qualified, won, lost, ... (repeatable)")
    group.add_argument("--owner", action="append", metavar="USER",
                       help="owned by this username or email (repeatable)")
    group.add_argument("--campaign", action="append", metavar="NAME",
                       help="in this campaign (repeatable)")
    group.add_argument("--tag", action="append", metavar="TAG", help="has this tag (repeatable: "
                       "every tag given)")
    group.add_argument("--industry", action="append", metavar="NAME", help="repeatable")
    group.add_argument("--country", action="append", metavar="CC",
                       help="country code, e.g. DE (repeatable)")
    group.add_argument("--score-min", type=whole_number(0), metavar="N")
    group.add_argument("--score-max", type=whole_number(0), metavar="N")
    for name, what in (("added", "added (created)"), ("updated", "last changed")):
        group.add_argument(f"--{name}-since", metavar="DATE",
                           help=f"{what} on or after DATE (YYYY-MM-DD, UTC)")
        group.add_argument(f"--{name}-before", metavar="DATE", help=f"{what} before DATE")
    if not with_sort:
        return
    group.add_argument("--sort", metavar="FIELD",
                       help="sort by first_name, last_name, email, company, title, industry, "
                       "country, city, status, score, created_at or updated_at (default: "
                       "updated_at, newest first)")
    group.add_argument("--order", choices=("asc", "desc"),
                       help="sort order (default: asc with --sort, else desc)")


def _date(value: str | None, flag: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--{flag}: {value!r} is not a date (YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _resolved(names: list[str] | None, table: Mapping[str, object],
              what: str) -> tuple[uuid.UUID, ...]:
    """Ids for ``names`` in a reference table (``references.load_reference_table``)."""
    from leaddesk.services.leads.references import name_key

    ids = []
    for name in names or ():
        found = table.get(name_key(name))
        if found is None:
            raise CommandError(f"--{what}: no {what} named {name!r} that you can see")
        if not isinstance(found, uuid.UUID):  # references.AMBIGUOUS
            raise CommandError(f"--{what}: {name!r} names several; use another name")
        ids.append(found)
    return tuple(ids)


def query_from_arguments(app: AppServices, args: argparse.Namespace) -> tuple[LeadQuery, LeadSort]:
    """The query and sort the flags ask for, starting from ``--view`` when given."""
    from leaddesk.services.errors import ValidationError
    from leaddesk.services.leads.query import LeadQuery, LeadSort
    from leaddesk.services.leads.references import load_reference_table
    from leaddesk.services.validation import parse_choice
    from leaddesk.store.enums import LeadStatus

    view_name = getattr(args, "view", None)
    if view_name:
        view = app.saved_views.get(view_name)
        query, sort = view.query, view.sort
    else:
        query, sort = LeadQuery(), LeadSort()
    with app.store.read() as session:
        references = load_reference_table(session)
    changes: dict[str, object] = {}
    if args.search is not None:
        changes["search"] = args.search.strip()
    if args.status:
        changes["statuses"] = tuple(
            parse_choice(LeadStatus, s, "--status").value for s in args.status
        )
    if args.owner:
        changes["owner_ids"] = _resolved(args.owner, references.owners, "owner")
    if args.campaign:
        changes["campaign_ids"] = _resolved(args.campaign, references.campaigns, "campaign")
    for flag, field in (("tag", "tags"), ("industry", "industries")):
        if getattr(args, flag):
            changes[field] = tuple(v.strip() for v in getattr(args, flag) if v.strip())
    if args.country:
        changes["countries"] = tuple(c.strip().upper() for c in args.country if c.strip())
    for flag in ("score_min", "score_max"):
        if getattr(args, flag) is not None:
            changes[flag] = getattr(args, flag)
    for flag, field in (("added_since", "created_from"), ("added_before", "created_to"),
                        ("updated_since", "updated_from"), ("updated_before", "updated_to")):
        value = _date(getattr(args, flag), flag.replace("_", "-"))
        if value is not None:
            changes[field] = value
    query = dataclasses.replace(query, **changes)  # type: ignore[arg-type]
    if getattr(args, "sort", None) or getattr(args, "order", None):
        field = args.sort or sort.field
        descending = args.order == "desc" if args.order else not args.sort and sort.descending
        try:
            sort = LeadSort(field, descending)
        except ValidationError as exc:
            raise CommandError(f"--sort: {exc.message}") from None
    return query, sort


@contextlib.contextmanager
def closed_pipe_ends_quietly() -> Iterator[None]:
    """``leaddesk leads list | head -1``: the reader leaving is not an error."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at nothing so that flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
