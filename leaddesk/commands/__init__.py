"""Every command of ``leaddesk``: its name, its line in ``leaddesk --help``, and where its
arguments are declared.

A command's module is imported only when that command is named on the command line (see
``leaddesk.cli.Commands``), so ``leaddesk --version`` and ``leaddesk --help`` load none of them,
and ``leaddesk COMMAND --help`` only its own. Each module keeps its top level light (the
standard library and ``leaddesk.commands.common``); what a command runs on, it imports when it
runs.
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    name: str
    help: str
    #: ``module:function`` in this package; the function adds the arguments to the command's
    #: parser and sets its ``handler``.
    arguments: str


COMMANDS = (
    Command("gui", "open the LeadDesk window (the default)", "gui:arguments"),
    Command("demo", "fill the database with synthetic demo data", "demo:arguments"),
    Command("credits", "credit balance, history, top-up codes, allocations", "credits:arguments"),
    Command("screenshot", "save a PNG of a view, rendered offscreen", "screenshot:arguments"),
    Command("db", "database schema: upgrade or show the current revision", "db:arguments"),
    Command("channel", "configure email, SMS/WhatsApp/voice and LinkedIn", "channel:arguments"),
    Command("settings", "sender identity, phone region, sign-in, theme, caps, backups",
            "settings:arguments"),
    Command("template", "message templates", "template:arguments"),
    Command("compose", "render a template for leads and queue the messages", "compose:arguments"),
    Command("outbox", "what is queued, sent and failed", "outbox:arguments"),
    Command("send", "send the queued messages now (until the outbox is empty)", "send:arguments"),
    Command("import", "import leads from a CSV, XLSX or vCard file",
            "import_export:import_arguments"),
    Command("export", "export leads to a CSV, XLSX or vCard file",
            "import_export:export_arguments"),
    Command("leads", "list, show, add, edit, tag, bulk-edit, merge and delete leads",
            "leads:arguments"),
    Command("views", "saved views of the lead table: list, save, delete", "views:arguments"),
    Command("campaigns", "campaigns: list, show, add, edit, delete", "campaigns:arguments"),
    Command("tasks", "calls and follow-ups: list, add, done, snooze", "tasks:arguments"),
    Command("dnc", "the do-not-contact list: list, add, remove", "dnc:arguments"),
    Command("changes", "imports, bulk edits and merges: list, undo", "changes:arguments"),
    Command("users", "team members: add, list, deactivate, roles, passwords", "users:arguments"),
    Command("audit", "the audit log: list or export (admins)", "audit:arguments"),
)
