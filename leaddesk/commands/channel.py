"""``leaddesk channel add|list|test|remove``: configured channels and their credentials.

Secrets are never taken from arguments (they would land in shell history and ``ps``): they are
prompted for on a terminal, or read from stdin one per line when piped. Where the machine has no
keyring service, the command says so and uses the encrypted credentials file instead, unlocked by
a master password (asked first, or the first stdin line).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from leaddesk.commands.common import CommandError, open_services
from leaddesk.config import data_dir
from leaddesk.services.messaging.integration_schemas import SCHEMAS, secret_names

if TYPE_CHECKING:
    from leaddesk.channels.secrets import SecretStore
    from leaddesk.services.messaging.integrations import IntegrationService

CREDENTIALS_FILE = "credentials.cfg"


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
    """The OS keyring; without one, the encrypted file store after saying why."""
    from leaddesk.channels.secrets import KeyringUnavailable, SecretStore

    store = SecretStore()
    if not force_file and store.is_available():
        return store
    path = data_dir() / CREDENTIALS_FILE
    if not force_file:
        try:
            store.backend_name  # noqa: B018 - raises with the reason
        except KeyringUnavailable as exc:
            print(f"leaddesk: {exc}", file=sys.stderr)
    print(f"leaddesk: using the encrypted credentials file {path}", file=sys.stderr)
    store.use_encrypted_file_store(path, inputs.read("master password for the credentials file"))
    return store


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


def arguments(parser: argparse.ArgumentParser) -> None:
    csub = parser.add_subparsers(dest="channel_command", metavar="ACTION", required=True)
    add = csub.add_parser(
        "add", help="add a channel (secrets are prompted for, or read from stdin)",
        description="Settings by kind: " + "; ".join(
            f"{kind}: {', '.join(schema)}" for kind, schema in SCHEMAS.items()),
    )
    add.add_argument("kind", choices=sorted(SCHEMAS))
    add.add_argument("name", help="a name to refer to it by, e.g. 'work mail'")
    add.add_argument("--set", dest="settings", type=_setting, action="append", default=[],
                     metavar="KEY=VALUE", help="a non-secret setting (repeat)")
    add.add_argument("--file-store", action="store_true",
                     help="keep secrets in the encrypted file even if a keyring exists")
    add.set_defaults(handler=translated(_add))
    csub.add_parser("list", help="list channels").set_defaults(handler=translated(_list))
    test = csub.add_parser("test", help="connect and log in without sending")
    test.add_argument("name")
    test.add_argument("--file-store", action="store_true")
    test.set_defaults(handler=translated(_test))
    remove = csub.add_parser("remove", help="remove a channel and its stored secrets")
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
