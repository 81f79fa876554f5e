"""``leaddesk template add|list|edit|delete``: message templates for the composer and
``compose``."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from leaddesk.commands.common import open_services
from leaddesk.services.errors import NotFoundError
from leaddesk.store.enums import Channel

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.messaging.templates import TemplateRecord


def arguments(parser: argparse.ArgumentParser) -> None:
    tsub = parser.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    add = tsub.add_parser("add", help="add a template (body from --body-file, else stdin)")
    add.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    add.add_argument("--name", required=True)
    add.add_argument("--subject", default="", help="email subject (template syntax allowed)")
    add.add_argument("--body-file", type=Path, help="a UTF-8 file with the body")
    add.add_argument("--industry", default="")
    add.add_argument("--content-sid", default="", metavar="HX...",
                     help="WhatsApp: the approved Twilio content template to send")
    add.add_argument("--content-variables", default="", metavar="JSON",
                     help='WhatsApp: its variables, e.g. \'{"1": "{{ first_name }}"}\'')
    add.set_defaults(handler=_add)
    lst = tsub.add_parser("list", help="list templates")
    lst.add_argument("--channel", choices=[c.value for c in Channel])
    lst.set_defaults(handler=_list)
    edit = tsub.add_parser("edit", help="change a template's name, subject or body")
    edit.add_argument("template", metavar="TEMPLATE", help="its id or name")
    edit.add_argument("--name")
    edit.add_argument("--subject")
    edit.add_argument("--body-file", type=Path, help="a UTF-8 file with the new body")
    edit.set_defaults(handler=_edit)
    delete = tsub.add_parser("delete", help="delete a template")
    delete.add_argument("template", metavar="TEMPLATE", help="its id or name")
    delete.set_defaults(handler=_delete)


def find_template(app: AppServices, ref: str, channel: str | None = None) -> TemplateRecord:
    """A template by id or (unique) name."""
    try:
        return app.templates.get(uuid.UUID(ref))
    except ValueError:
        pass
    matches = [t for t in app.templates.list(channel) if t.name == ref]
    if not matches:
        raise NotFoundError("template", ref)
    return matches[0]


def _add(args: argparse.Namespace) -> int:
    body = args.body_file.read_text(encoding="utf-8") if args.body_file else sys.stdin.read()
    with open_services(args) as app:
        record = app.templates.create({"channel": args.channel, "name": args.name,
                                       "subject": args.subject, "body": body,
                                       "industry": args.industry,
                                       "content_sid": args.content_sid,
                                       "content_variables": args.content_variables})
    print(f"added {record.channel} template {record.name!r} ({record.id})")
    if record.content_sid:
        print(f"content template {record.content_sid}, variables {len(record.content_variables)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        records = app.templates.list(args.channel)
    for t in records:
        print(f"{t.channel:<9} {t.name:<30} {t.subject[:40] or t.content_sid}")
    if not records:
        print("no templates (leaddesk template add)")
    return 0


def _edit(args: argparse.Namespace) -> int:
    changes = {k: v for k, v in (("name", args.name), ("subject", args.subject)) if v is not None}
    if args.body_file:
        changes["body"] = args.body_file.read_text(encoding="utf-8")
    with open_services(args) as app:
        record = app.templates.update(find_template(app, args.template).id, changes)
    print(f"saved {record.channel} template {record.name!r}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        record = find_template(app, args.template)
        app.templates.delete(record.id)
    print(f"deleted {record.channel} template {record.name!r}")
    return 0
