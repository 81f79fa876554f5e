"""``leaddesk settings show|set|regions|backup|secret``: what the Settings dialog sets.

``set KEY VALUE`` takes the sender identity (``sender.name``, ``sender.signature`` with ``\\n``
for a new line, ``sender.postal_address``), ``phone.default_region``, ``login_mode``
(``password``/``none``), ``theme`` (``system``/``light``/``dark``) and a mailbox's caps
(``caps.<channel>.daily``, ``.hourly``, ``.per_minute``, or ``.preset`` with a provider preset).
Channel secrets are never arguments: ``secret CHANNEL NAME`` prompts, or reads stdin (see
``leaddesk channel --help`` for the order).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, add_sign_in_arguments, open_services

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices

CAP_FIELDS = ("daily", "hourly", "per_minute", "preset")
KEY_HELP = ("sender.name, sender.signature (\\n for a new line), sender.postal_address, "
            "phone.default_region (e.g. GB), login_mode (password|none), theme "
            "(system|light|dark), caps.CHANNEL.daily|hourly|per_minute (0: none) or "
            "caps.CHANNEL.preset (new_mailbox, gmail, google_workspace, microsoft_365, "
            "twilio_long_code, linkedin_manual)")


def arguments(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    sub = parser.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    sub.add_parser("show", help="every setting, each channel's caps, where the data lives"
                   ).set_defaults(handler=_show)
    put = sub.add_parser("set", help="change one setting", description="KEY: " + KEY_HELP)
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE")
    put.set_defaults(handler=_set)
    regions = sub.add_parser("regions", help="the country codes phone.default_region takes")
    regions.add_argument("search", nargs="?", default="", help="part of a name or code")
    regions.set_defaults(handler=_regions)
    sub.add_parser("backup", help="back up the database now and list its backups"
                   ).set_defaults(handler=_backup)
    from leaddesk.commands.channel import STDIN_HELP

    secret = sub.add_parser("secret", help="replace a channel's secret (prompted, or stdin)",
                            description=STDIN_HELP)
    secret.add_argument("channel")
    secret.add_argument("name", help="smtp_password, imap_password or auth_token")
    secret.add_argument("--file-store", action="store_true",
                        help="use the encrypted file even if a keyring exists")
    secret.set_defaults(handler=_secret)


def _one_line(text: str) -> str:
    return text.replace("\n", "\\n")


def _show(args: argparse.Namespace) -> int:
    from leaddesk.services.messaging.integrations import IntegrationService
    from leaddesk.services.preferences import caps, data_location, values
    from leaddesk.services.preferences.regions import system_region

    with open_services(args) as app:
        shown = values.show(app.ctx)
        records = IntegrationService(app.ctx).list()
        where = data_location.location(app.store)
        backups = data_location.backups(where)
    for key, value in shown.items():
        note = ""
        if key == "phone.default_region" and not value:
            note = f"(not set; this computer's locale says {system_region() or 'nothing'})"
        print(f"{key} = {_one_line(value)} {note}".rstrip())
    for record in records:
        limit = caps.caps_of(record)
        daily = f"{limit.daily}" + (" (default)" if limit.daily_is_default else "")
        print(f"caps.{record.name}: daily {daily}, hourly {limit.hourly or '-'}, "
              f"per minute {limit.per_minute or '-'}")
    print(f"database = {where.url}")
    print(f"backups = {where.backups_folder} ({len(backups)})")
    return 0


def _set(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        if args.key.startswith("caps."):
            print(_set_cap(app, args.key, args.value))
            return 0
        from leaddesk.services.preferences import values

        stored = values.put(app.ctx, args.key, args.value.replace("\\n", "\n"))
    print(f"{args.key} = {_one_line(stored)}")
    return 0


def _set_cap(app: AppServices, key: str, value: str) -> str:
    from leaddesk.services.messaging.integrations import IntegrationService
    from leaddesk.services.preferences import caps

    channel, _, field = key[len("caps."):].rpartition(".")
    if not channel or field not in CAP_FIELDS:
        raise CommandError(f"{key}: expected caps.CHANNEL.{'|'.join(CAP_FIELDS)}")
    integrations = IntegrationService(app.ctx)
    record = integrations.get(channel)
    if field == "preset":
        result = caps.apply_preset(integrations, record.id, value)
    else:
        try:
            number = float(value.replace(",", "").replace("_", "")) if value else 0.0
        except ValueError:
            raise CommandError(f"{key}: {value!r} is not a number") from None
        now = caps.caps_of(record)
        limits = {"daily": None if now.daily_is_default else now.daily,
                  "hourly": now.hourly, "per_minute": now.per_minute}
        limits[field] = number if field == "per_minute" else int(number)
        result = caps.set_caps(integrations, record.id, limits["daily"],  # type: ignore[arg-type]
                               limits["hourly"], limits["per_minute"])  # type: ignore[arg-type]
    return (f"caps.{record.name}: daily {result.daily}, hourly {result.hourly or '-'}, "
            f"per minute {result.per_minute or '-'}")


def _regions(args: argparse.Namespace) -> int:
    from leaddesk.services.preferences.regions import regions

    wanted = args.search.strip().casefold()
    found = [(code, name) for code, name in regions()
             if not wanted or wanted in name.casefold() or wanted == code.casefold()]
    if not found:
        raise CommandError(f"no country matches {args.search!r}")
    for code, name in found:
        print(f"{code}  {name}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from leaddesk.services.preferences import data_location

    with open_services(args) as app:
        where = data_location.location(app.store)
        made = data_location.back_up_now(app.store, where)
        print(f"backed up to {made.path}")
        for backup in data_location.backups(where):
            print(f"{backup.made_at:%Y-%m-%d %H:%M} UTC  {backup.size:>12,}  {backup.path.name}")
    return 0


def _secret(args: argparse.Namespace) -> int:
    from leaddesk.commands.channel import SecretInput, secret_store, translated
    from leaddesk.services.messaging.integrations import IntegrationService

    def replace(_: argparse.Namespace) -> int:
        inputs = SecretInput()
        with open_services(args) as app:
            record = IntegrationService(app.ctx).get(args.channel)
            from leaddesk.services.messaging.integration_schemas import SECRETS

            if args.name not in SECRETS[record.kind]:
                known = ", ".join(SECRETS[record.kind]) or "none"
                raise CommandError(f"{args.name} is not a secret of {record.kind} channel "
                                   f"{record.name!r} (its secrets: {known})")
            store = secret_store(inputs, args.file_store)
            value = inputs.read(args.name.replace("_", " "))
            IntegrationService(app.ctx, store).update(record.id, {}, {args.name: value})
        print(f"{record.name}: {args.name} replaced")
        return 0

    return translated(replace)(args)
