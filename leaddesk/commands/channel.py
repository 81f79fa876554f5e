"""``leaddesk channel add|list|edit|test|remove``: configured channels and their credentials.

Secrets are never taken from arguments (they would land in shell history and ``ps``): they are
prompted for on a terminal, or read from stdin one per line when piped (see ``STDIN_HELP``).
Where the machine has no keyring service, the command says so and uses the encrypted
credentials file instead, unlocked by a master password: asked first, and twice when the file is
new.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from leaddesk.commands.common import CommandError, open_services
from leaddesk.services.messaging.integration_schemas import SCHEMAS, SECRETS, secret_names

if TYPE_CHECKING:
    from leaddesk.channels.secrets import SecretStore
    from leaddesk.services.messaging.integrations import IntegrationService

STDIN_HELP = (
    "Secrets are prompted for on a terminal. Piped, stdin gives one per line, in this order: "
    "without an OS keyring, first the master password of the encrypted credentials file (twice "
    "when the file does not exist yet); then the channel's secrets: email: smtp_password (when "
    "username is set), imap_password (when imap_host is set); twilio: auth_token; linkedin: none."
)


class SecretInput:
    """Secrets from a prompt (terminal) or from stdin lines (scripts), in the order asked."""

    def __init__(self) -> None:
        self._lines: Iterator[str] | None = None

    def read(self, label: str) -> str:
        if sys.stdin.isatty():
            return getpass.getpass(f"{label}: ")
        if self._lines is None:
            self._lines = iter(sys.stdin.read().splitlines())
        value = next(self._lines, None)
        if value is None:
            raise CommandError(f"{label}: expected one more line on stdin")
        return value


def secret_store(inputs: SecretInput, force_file: bool = False) -> SecretStore:
    """The OS keyring; without one, the encrypted file store after saying why (a new file's
    master password is asked twice)."""
    from leaddesk.services.preferences import credentials

    problem = credentials.keyring_problem()
    if not force_file and problem is None:
        return credentials.open_secret_store()
    path = credentials.credentials_path()
    if not force_file:
        print(f"leaddesk: No system keyring is available to store credentials ({problem})",
              file=sys.stderr)
    print(f"leaddesk: using the encrypted credentials file {path}", file=sys.stderr)
    if credentials.master_password_is_new(path):
        first = inputs.read("new master password for the credentials file")
        again = inputs.read("the new master password again")
        return credentials.open_secret_store(first, again, force_file=True, path=path)
    return credentials.open_secret_store(
        inputs.read("master password for the credentials file"), force_file=True, path=path)


def translated(handler: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Keyring failures become one-line command errors."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from leaddesk.channels.secrets import SecretStoreError

        try:
            return handler(args)
        except SecretStoreError as exc:
            raise CommandError(str(exc)) from exc

    return run


def _setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key.strip(), value


def _secret_name(text: str) -> str:
    known = sorted({name for names in SECRETS.values() for name in names})
    if text not in known:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(known)}")
    return text


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = STDIN_HELP
    csub = parser.add_subparsers(dest="channel_command", metavar="ACTION", required=True)
    add = csub.add_parser(
        "add", help="add a channel (secrets are prompted for, or read from stdin)",
        description="Settings by kind: " + "; ".join(
            f"{kind}: {', '.join(schema)}" for kind, schema in SCHEMAS.items())
        + ". " + STDIN_HELP,
    )
    add.add_argument("kind", choices=sorted(SCHEMAS))
    add.add_argument("name", help="a name to refer to it by, e.g. 'work mail'")
    add.add_argument("--set", dest="settings", type=_setting, action="append", default=[],
                     metavar="KEY=VALUE", help="a non-secret setting (repeat)")
    add.add_argument("--file-store", action="store_true",
                     help="keep secrets in the encrypted file even if a keyring exists")
    add.set_defaults(handler=translated(_add))
    csub.add_parser("list", help="list channels").set_defaults(handler=translated(_list))
    edit = csub.add_parser("edit", help="change a channel's settings or replace its secrets",
                           description=STDIN_HELP + " Only the secrets named by --secret are "
                           "read, in the order given.")
    edit.add_argument("name")
    edit.add_argument("--set", dest="settings", type=_setting, action="append", default=[],
                      metavar="KEY=VALUE", help="a setting to change (empty VALUE removes it)")
    edit.add_argument("--secret", dest="secrets", type=_secret_name, action="append",
                      default=[], metavar="NAME", help="a secret to replace (repeat)")
    edit.add_argument("--file-store", action="store_true")
    edit.set_defaults(handler=translated(_edit))
    test = csub.add_parser("test", help="connect and log in without sending",
                           description=STDIN_HELP)
    test.add_argument("name")
    test.add_argument("--file-store", action="store_true")
    test.set_defaults(handler=translated(_test))
    remove = csub.add_parser("remove", help="remove a channel and its stored secrets",
                             description=STDIN_HELP)
    remove.add_argument("name")
    remove.add_argument("--file-store", action="store_true")
    remove.set_defaults(handler=translated(_remove))


def _add(args: argparse.Namespace) -> int:
    from leaddesk.channels.secrets import SecretStore
    from leaddesk.services.messaging.integrations import IntegrationService

    settings = dict(args.settings)
    wanted = secret_names(args.kind, settings)
    inputs = SecretInput()
    with open_services(args) as app:
        store = secret_store(inputs, args.file_store) if wanted else SecretStore()
        secrets = {name: inputs.read(name.replace("_", " ")) for name in wanted}
        record = IntegrationService(app.ctx, store).add(args.kind, args.name, settings, secrets)
    print(f"added {record.kind} channel {record.name!r} ({record.id})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from leaddesk.services.messaging.integrations import IntegrationService

    with open_services(args) as app:
        records = IntegrationService(app.ctx).list()
    for r in records:
        where = r.settings.get("host") or r.settings.get("base_url") or ""
        print(f"{r.name:<20} {r.kind:<8} {r.status:<12} {where}")
    if not records:
        print("no channels (leaddesk channel add)")
    return 0


def _service(app: Any, args: argparse.Namespace, name: str) -> IntegrationService:
    from leaddesk.channels.secrets import SecretStore
    from leaddesk.services.messaging.integrations import IntegrationService

    record = IntegrationService(app.ctx).get(name)
    wanted = secret_names(record.kind, record.settings)
    store = secret_store(SecretInput(), args.file_store) if wanted else SecretStore()
    return IntegrationService(app.ctx, store)


def _edit(args: argparse.Namespace) -> int:
    from leaddesk.channels.secrets import SecretStore
    from leaddesk.services.messaging.integrations import IntegrationService

    inputs = SecretInput()
    with open_services(args) as app:
        record = IntegrationService(app.ctx).get(args.name)
        for name in args.secrets:
            if name not in SECRETS[record.kind]:
                raise CommandError(
                    f"{name} is not a secret of {record.kind} channel {record.name!r}")
        store = secret_store(inputs, args.file_store) if args.secrets else SecretStore()
        secrets = {name: inputs.read(name.replace("_", " ")) for name in args.secrets}
        updated = IntegrationService(app.ctx, store).update(
            record.id, dict(args.settings), secrets)
    print(f"changed {updated.kind} channel {updated.name!r}")
    return 0


def _test(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        status = _service(app, args, args.name).test(args.name)
    print(f"{args.name}: {status}")
    return 0 if status == "ok" else 1


def _remove(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        _service(app, args, args.name).remove(args.name)
    print(f"removed {args.name}")
    return 0
