"""``leaddesk outbox``: counts by state and what went wrong; resolve, cancel, queue again."""

from __future__ import annotations

import argparse
import uuid

from leaddesk.commands.channel import translated
from leaddesk.commands.common import CommandError, open_services, whole_number
from leaddesk.commands.send import integrations_for_sending

STATE_ORDER = ("draft", "held", "queued", "sending", "sent", "delivered", "replied", "bounced",
               "failed", "unknown", "cancelled")


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--failures", type=whole_number(0), default=20, metavar="N",
                        help="list up to N failed/unknown/held messages (default 20)")
    parser.set_defaults(handler=_show)
    osub = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    resolve = osub.add_parser("resolve", help="say whether an 'unknown' message arrived")
    resolve.add_argument("message", type=uuid.UUID)
    answer = resolve.add_mutually_exclusive_group(required=True)
    answer.add_argument("--arrived", action="store_true", help="it arrived: charge it")
    answer.add_argument("--not-arrived", action="store_true", help="it did not: refund it")
    resolve.add_argument("--requeue", action="store_true", help="with --not-arrived: send again")
    resolve.set_defaults(handler=_resolve)
    cancel = osub.add_parser("cancel", help="cancel messages that have not gone out")
    cancel.add_argument("messages", nargs="*", type=uuid.UUID, help="ids (default: all queued)")
    cancel.set_defaults(handler=_cancel)
    poll = osub.add_parser("poll", help="read replies, bounces and unsubscribes (IMAP), STOP "
                                        "texts and delivery status (Twilio)")
    poll.add_argument("--file-store", action="store_true")
    poll.set_defaults(handler=translated(_poll))
    mark = osub.add_parser("mark-sent", help="a LinkedIn message you sent by hand: charge it")
    mark.add_argument("message", type=uuid.UUID)
    mark.set_defaults(handler=_mark_sent)
    queue = osub.add_parser("queue", help="queue drafts or held messages (after a fix)")
    queue.add_argument("messages", nargs="+", type=uuid.UUID)
    queue.set_defaults(handler=_queue)


def _show(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        counts = app.messages.counts_by_state()
        failures = app.messages.failures(args.failures) if args.failures else []
    if not counts:
        print("the outbox is empty")
        return 0
    print("  ".join(f"{state} {counts[state]}" for state in STATE_ORDER if state in counts))
    for m in failures:
        reason = m.hold_reason if m.state == "held" else m.error
        print(f"{m.state:<8} {m.channel:<8} {m.id}  {m.to_address}  {reason}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    if args.requeue and args.arrived:
        raise CommandError("--requeue goes with --not-arrived")
    from leaddesk.sending.recovery import resolve_unknown

    with open_services(args) as app:
        state = resolve_unknown(app.ctx, app.credits, args.message, arrived=args.arrived,
                                requeue=args.requeue)
    print(f"{args.message}: {state}")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        count = app.messages.cancel(args.messages or None)
    print(f"cancelled {count}")
    return 0


def _queue(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        count = app.compose.queue(args.messages)
    print(f"queued {count}")
    return 0


def _poll(args: argparse.Namespace) -> int:
    from leaddesk.sending.dispatcher import Dispatcher
    from leaddesk.sending.inbox import poll_inbox

    with open_services(args) as app:
        integrations = integrations_for_sending(app, args.file_store)
        for record in integrations.list("email"):
            if record.settings.get("imap_host"):
                r = poll_inbox(app.ctx, integrations, record.name)
                print(f"{record.name}: {r.fetched} new, {r.replies} replies, {r.bounces} "
                      f"bounces, {r.auto_replies} out-of-office, {r.unsubscribes} unsubscribes")
        dispatcher = Dispatcher(app.ctx, app.credits, integrations)
        for name, texts in dispatcher.poll_opt_outs(mail=False).items():
            print(f"{name}: {texts}" if isinstance(texts, str) else
                  f"{name}: {texts.fetched} texts received, {texts.stops} opt-outs (STOP), "
                  f"{texts.added} numbers added to do-not-contact")
        status = dispatcher.poll_statuses()
    print(f"delivery status: {status.checked} checked, {status.delivered} delivered, "
          f"{status.failed} failed")
    return 0


def _mark_sent(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        record = app.messages.mark_manual_sent(args.message, app.credits)
    print(f"{record.id}: {record.state}")
    return 0
