"""``leaddesk changes list|undo``: imports, bulk edits and merges, each undoable as one.

The same change sets the window's undo uses (``lead_changes``), as the signed-in user may see
them. There is no redo: a change set undone is done with (run the import or edit again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, add_sign_in_arguments, whole_number
from leaddesk.commands.users import signed_in

if TYPE_CHECKING:
    from leaddesk.services.leads.changes import ChangeSetRecord

KINDS = ("import", "bulk_edit", "merge")


def _change_set_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a change set id (see leaddesk changes list)"
        ) from None


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    csub = parser.add_subparsers(dest="changes_command", metavar="ACTION", required=True)
    listing = csub.add_parser("list", help="recent change sets, newest first")
    listing.add_argument("--kind", choices=KINDS, help="only this kind")
    listing.add_argument("--limit", type=whole_number(1), default=20, help="at most this many (20)")
    listing.set_defaults(handler=_list)
    undo = csub.add_parser("undo", help="undo a change set as one (leads edited since are kept)")
    undo.add_argument("change_set", metavar="ID", type=_change_set_id)
    undo.set_defaults(handler=_undo)


def _when(value: dt.datetime) -> str:
    return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _line(change: ChangeSetRecord) -> str:
    state = f"undone {_when(change.undone_at)}" if change.undone_at else "active"
    return (
        f"{change.id}  {change.kind:<9}  {_when(change.created_at)}  {state:<26}  {change.summary}"
    )


def _list(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.changes import ChangeSetService

    with signed_in(args) as app:
        changes = ChangeSetService(app.ctx).recent(kind=args.kind, limit=args.limit)
    for change in changes:
        print(_line(change))
    if not changes:
        print("no change sets")
    return 0


def _undo(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.changes import ChangeSetService

    with signed_in(args) as app:
        service = ChangeSetService(app.ctx)
        change = service.get(args.change_set)
        if change.undone_at is not None:
            raise CommandError(
                f"change set {change.id} ({change.kind}) was already undone on "
                f"{_when(change.undone_at)}"
            )
        report = service.undo(change.id)
    parts = [f"{report.restored} restored", f"{report.removed} removed"]
    if report.moved_back:
        parts.append(f"{report.moved_back} messages and tasks moved back")
    if report.kept:
        parts.append(f"{report.kept} edited since and left as they are")
    print(f"undid {change.kind} {change.id}: {change.summary}")
    print(", ".join(parts))
    return 0
