"""``leaddesk views list|save|delete``: the lead table's saved views, per user.

``save`` takes the same filter flags as ``leaddesk leads list`` (``lead_filters``), so a view
saved here opens in the window's view menu with the same leads, and the other way round.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from leaddesk.commands.common import add_sign_in_arguments
from leaddesk.commands.lead_filters import (
    add_filter_arguments,
    closed_pipe_ends_quietly,
    query_from_arguments,
)
from leaddesk.commands.users import signed_in

if TYPE_CHECKING:
    from leaddesk.services.leads.references import ReferenceNames
    from leaddesk.services.leads.saved_views import SavedViewRecord

#: Query fields by the ``lead_filters`` flag that sets them.
_FLAGS = {"statuses": "status", "tags": "tag", "industries": "industry", "countries": "country",
          "score_min": "score-min", "score_max": "score-max", "created_from": "added-since",
          "created_to": "added-before", "updated_from": "updated-since",
          "updated_to": "updated-before"}
_DATES = ("created_from", "created_to", "updated_from", "updated_to")


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    vsub = parser.add_subparsers(dest="views_command", metavar="ACTION", required=True)
    vsub.add_parser("list", help="your saved views and what each filters").set_defaults(
        handler=_list)
    save = vsub.add_parser("save", help="save the filters given as a view (replaces one of the "
                           "same name)")
    save.add_argument("name", metavar="NAME")
    add_filter_arguments(save, with_view=False)
    save.set_defaults(handler=_save)
    delete = vsub.add_parser("delete", help="delete a saved view")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(handler=_delete)


def describe(view: SavedViewRecord, names: ReferenceNames) -> str:
    """The view's filters and sort, owners and campaigns by name (``names`` loaded for them)."""
    from leaddesk.services.leads.saved_views import query_to_json

    shown = query_to_json(view.query)
    for key, name in (("owner_ids", "owner"), ("campaign_ids", "campaign")):
        if key in shown:
            del shown[key]
            shown[name] = [names.add_names({f"{name}_id": ident})[name] or "(deleted)"
                           for ident in getattr(view.query, key)]
    parts = []
    for name, value in shown.items():
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if name in _DATES:
            text = text[:10]
        parts.append(f"{_FLAGS.get(name, name)}: {text}")
    order = "desc" if view.sort.descending else "asc"
    parts.append(f"sort: {view.sort.field} {order}")
    return "; ".join(parts)


def _list(args: argparse.Namespace) -> int:
    from leaddesk.services.leads.references import ReferenceNames

    names = ReferenceNames()
    with signed_in(args) as app:
        views = app.saved_views.list()
        with app.store.read() as session:
            names.load(session, [i for v in views for i in v.query.campaign_ids],
                       [i for v in views for i in v.query.owner_ids])
    with closed_pipe_ends_quietly():
        for view in views:
            print(f"{view.name:<24}  {describe(view, names)}")
        if not views:
            print("no saved views (leaddesk views save NAME --status ... saves one)")
    return 0


def _save(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        query, sort = query_from_arguments(app, args)
        existed = any(view.name == args.name.strip() for view in app.saved_views.list())
        view = app.saved_views.save(args.name, query, sort)
        count = app.leads.count(view.query)
    verb = "replaced" if existed else "saved"
    matches = "1 lead matches" if count == 1 else f"{count:,} leads match"
    print(f"{verb} view {view.name!r}: {matches} now")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with signed_in(args) as app:
        app.saved_views.delete(args.name)
    print(f"deleted view {args.name!r}")
    return 0
