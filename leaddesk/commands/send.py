"""``leaddesk send``: run the dispatcher headless until the outbox has nothing due."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TYPE_CHECKING

from leaddesk.commands.channel import SecretInput, secret_store, translated
from leaddesk.commands.common import open_services
from leaddesk.heap import frozen_startup_objects
from leaddesk.services.messaging.integration_schemas import secret_names

if TYPE_CHECKING:
    from leaddesk.sending.dispatcher import MessageEvent, Progress
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.messaging.integrations import IntegrationService


def arguments(parser: argparse.ArgumentParser) -> None:
    # The dispatcher's default for the help text: ``send --help`` pays for importing it.
    from leaddesk.sending.dispatcher import DispatcherConfig

    workers = DispatcherConfig().workers
    parser.add_argument(
        "--workers", type=int, default=workers, help=f"parallel senders (default {workers})"
    )
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for retries that are not due yet")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    parser.add_argument("--file-store", action="store_true",
                        help="read secrets from the encrypted credentials file")
    parser.set_defaults(handler=translated(_send))


def integrations_for_sending(app: AppServices, file_store: bool) -> IntegrationService:
    """Opens the keyring (or asks for the file's master password) only if a channel needs it."""
    from leaddesk.channels.secrets import SecretStore
    from leaddesk.services.messaging.integrations import IntegrationService

    plain = IntegrationService(app.ctx)
    if not any(secret_names(r.kind, r.settings) for r in plain.list()):
        return IntegrationService(app.ctx, SecretStore())
    return IntegrationService(app.ctx, secret_store(SecretInput(), file_store))


def summary(p: Progress) -> str:
    parts = [f"sent {p.sent}", f"failed {p.failed}", f"retried {p.retried}",
             f"unknown {p.unknown}", f"held {p.held}", f"cancelled {p.cancelled}",
             f"LinkedIn tasks {p.tasks}"]
    return ", ".join(parts)


def _send(args: argparse.Namespace) -> int:
    from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig

    lock = threading.Lock()

    def report(event: MessageEvent) -> None:
        if args.quiet:
            return
        line = f"{event.state:<9} {event.channel:<8} {event.message_id}"
        with lock:
            print(f"{line}  {event.error}" if event.error else line, flush=True)

    with open_services(args) as app:
        integrations = integrations_for_sending(app, args.file_store)
        dispatcher = Dispatcher(
            app.ctx, app.credits, integrations,
            DispatcherConfig(workers=args.workers, max_attempts=args.max_attempts),
            on_message=report,
        )
        recovered = dispatcher.recover()
        for name, found in dispatcher.poll_opt_outs().items():  # unsubscribes first
            if isinstance(found, str):
                print(f"{name}: {found}", file=sys.stderr)
            elif count := getattr(found, "unsubscribes", 0) + getattr(found, "added", 0):
                print(f"{name}: {count} unsubscribed before sending", file=sys.stderr)
        if any((recovered.requeued, recovered.sent, recovered.unknown, recovered.failed)):
            print(f"recovered after a crash: {recovered}", file=sys.stderr)
        with frozen_startup_objects():
            progress = dispatcher.run_until_empty(wait_for_retries=not args.no_wait)
        left = app.messages.counts_by_state().get("queued", 0)
    print(summary(progress) + (f"; {left} still queued (scheduled or capped)" if left else ""))
    for name, why in progress.blocked.items():
        print(f"channel {name} stopped: {why}", file=sys.stderr)
    return 1 if progress.blocked else 0
