"""``leaddesk credits balance|history|redeem|allocate|cap|prices|refund|adjust|audit|buy|
issue-code``."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import uuid
from pathlib import Path

from leaddesk.commands.common import CommandError, open_services, utc_day, whole_number
from leaddesk.services.credits import caps as credit_caps
from leaddesk.services.credits import topup_codes
from leaddesk.store.enums import CapPeriod

DEFAULT_CODE_DAYS = 365


_whole = whole_number()


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a transaction id") from None


def _price(value: str) -> tuple[str, int]:
    action, sep, credits = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{value!r} is not ACTION=CREDITS")
    return action.strip(), _whole(credits)


def arguments(parser: argparse.ArgumentParser) -> None:
    csub = parser.add_subparsers(dest="credits_command", metavar="ACTION", required=True)

    bal = csub.add_parser("balance", help="show the balance, reserved credits and this month's use")
    bal.add_argument("--user", help="another member's (admins only)")
    bal.set_defaults(handler=_balance)

    hist = csub.add_parser("history", help="list ledger transactions, newest first")
    hist.add_argument("--since", type=utc_day, metavar="DATE", help="only from this day (UTC)")
    hist.add_argument(
        "--limit", type=whole_number(1), default=50, help="at most this many (default 50)"
    )
    hist.add_argument("--csv", action="store_true", help="print CSV")
    hist.add_argument("--user", help="another member's (admins only)")
    hist.add_argument("--per-action", action="store_true",
                      help="one line per action: a reservation and its settlement folded")
    hist.set_defaults(handler=_history)

    redeem = csub.add_parser("redeem", help="add credits from a signed top-up code")
    redeem.add_argument("code", metavar="CODE", help="the code, e.g. LD1-XXXXX-XXXXX-...")
    redeem.set_defaults(handler=_redeem)

    alloc = csub.add_parser("allocate", help="give a member credits from your balance (admin)")
    alloc.add_argument("user", metavar="USER", help="username, email or id")
    alloc.add_argument("amount", metavar="N", type=_whole, help="credits (negative: take back)")
    alloc.set_defaults(handler=_allocate)

    cap = csub.add_parser("cap", help="cap a member's spend per week or month (admin)")
    cap.add_argument("user", metavar="USER", help="username, email or id")
    cap.add_argument("amount", metavar="N", help="credits per period, or 'none' to lift the cap")
    cap.add_argument(
        "--per",
        choices=[p.value for p in CapPeriod],
        default="month",
        help="the period (default month)",
    )
    cap.set_defaults(handler=_cap)

    prices = csub.add_parser("prices", help="show the price list, or publish a new version")
    prices.add_argument(
        "--set",
        type=_price,
        nargs="+",
        metavar="ACTION=CREDITS",
        help="publish a new version with these costs (admin)",
    )
    prices.add_argument("--note", default="", help="why the prices changed")
    prices.set_defaults(handler=_prices)

    refund = csub.add_parser("refund", help="give back a consumed action's cost (admin)")
    refund.add_argument("reservation", metavar="RESERVATION_ID", type=_uuid)
    refund.add_argument("--reason", default="", help="why (kept in the ledger)")
    refund.set_defaults(handler=_refund)

    adjust = csub.add_parser("adjust", help="correct a balance by N credits (admin)")
    adjust.add_argument("amount", metavar="N", type=_whole, help="credits, + or -")
    adjust.add_argument("--reason", required=True, help="why (kept in the ledger)")
    adjust.add_argument("--user", help="whose balance (default: yours)")
    adjust.set_defaults(handler=_adjust)

    csub.add_parser(
        "audit", help="check every balance against the sum of its ledger (admin)"
    ).set_defaults(handler=_audit)

    buy = csub.add_parser("buy", help="add a package on a demo database (elsewhere: redeem)")
    buy.add_argument("package", help="starter | professional | enterprise")
    buy.set_defaults(handler=_buy)

    issue = csub.add_parser(
        "issue-code",
        help="sign a top-up code (seller tool; needs the private key, which is never shipped)",
    )
    issue.add_argument(
        "--key",
        required=True,
        type=Path,
        metavar="PRIVATE.pem",
        help="the seller's Ed25519 private key",
    )
    grant = issue.add_mutually_exclusive_group(required=True)
    grant.add_argument("--plan", choices=[p.value for p in topup_codes.Plan])
    grant.add_argument("--amount", type=_whole, metavar="N", help="a number of credits")
    issue.add_argument(
        "--expires",
        type=utc_day,
        metavar="DATE",
        help=f"last day it can be redeemed (default: {DEFAULT_CODE_DAYS} days)",
    )
    issue.add_argument("--account", help="bind the code to one account id")
    issue.set_defaults(handler=_issue_code)


def _balance(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        bal = app.credits.balance(args.user)
        month = credit_caps.window_start(CapPeriod.MONTH, dt.datetime.now(dt.UTC))
        used = app.credits.spent_since(month, args.user)
        cap = app.credits.spend_cap(args.user)
    limit = "unlimited (Enterprise)" if bal.unlimited else f"plan {bal.plan}"
    print(f"available {bal.available:,}  reserved {bal.reserved:,}  {limit}")
    print(f"used this month {used:,}")
    if cap.credits is not None:
        print(
            f"spend cap {cap.credits:,} per {cap.period}: {cap.spent:,} spent, "
            f"{cap.remaining:,} left"
        )
    return 0


def _history(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        if args.per_action:
            from leaddesk.services.credits.history import CreditHistory, LedgerFilter

            rows = CreditHistory(app.credits).page(
                LedgerFilter(since=args.since, user=args.user), limit=args.limit)
        else:
            rows = app.credits.history(limit=args.limit, since=args.since, user=args.user)
    if args.csv:
        from leaddesk.services.credits import history as credit_history

        credit_history.write_csv(rows, sys.stdout, credit_history.CSV_COLUMNS[:6])
        return 0
    for r in rows:
        ref = f"{r.reference_type}:{r.reference_id}".strip(":")
        print(
            f"{r.created_at:%Y-%m-%d %H:%M}  {r.kind:<11} {r.amount:>+7}  "
            f"= {r.balance_after:>7}  {r.action:<9} {ref}"
        )
    if not rows:
        print("no transactions")
    return 0


def _redeem(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        try:
            tx = app.credits.redeem(args.code)
        except topup_codes.TopupCodeError as exc:
            raise CommandError(str(exc)) from None
        bal = app.credits.balance()
    what = tx.meta.get("package", f"{tx.amount:,} credits")
    total = "unlimited (Enterprise)" if bal.unlimited else f"{bal.available:,}"
    print(f"redeemed {what}: +{tx.amount:,}; available {total}")
    return 0


def _allocate(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        tx = app.credits.allocate(args.user, args.amount)
        mine = app.credits.balance()
    print(
        f"allocated {tx.amount:+,} to {args.user}: they have {tx.balance_after:,}; "
        f"you have {mine.available:,}"
    )
    return 0


def _cap(args: argparse.Namespace) -> int:
    amount = None if args.amount.lower() == "none" else _whole(args.amount)
    with open_services(args) as app:
        cap = app.credits.set_spend_cap(args.user, amount, args.per)
    if cap.credits is None:
        print(f"{args.user}: no spend cap")
    else:
        print(
            f"{args.user}: at most {cap.credits:,} per {cap.period}; "
            f"{cap.spent:,} spent so far this {cap.period}"
        )
    return 0


def _prices(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        prices = (
            app.credits.publish_prices(dict(args.set), args.note)
            if args.set
            else app.credits.prices
        )
    print(f"price list version {prices.version}")
    for action, credits in prices.actions.items():
        print(f"  {action:<22} {credits:>5}  {prices.labels.get(action, '')}")
    return 0


def _refund(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        tx = app.credits.refund(args.reservation, args.reason)
    print(f"refunded {tx.amount:,} credits ({tx.action}); balance {tx.balance_after:,}")
    return 0


def _adjust(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        tx = app.credits.adjust(args.amount, args.reason, args.user)
    print(f"adjusted by {tx.amount:+,}; balance {tx.balance_after:,}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        audit = app.credits.audit()
    print(f"{audit.accounts:,} accounts, {audit.transactions:,} ledger lines")
    for account, cached, total in audit.mismatches:
        print(f"MISMATCH account {account}: balance {cached:,}, ledger sum {total:,}")
    if not audit.ok:
        raise CommandError(f"{len(audit.mismatches)} account(s) do not match their ledger")
    print("every balance equals the sum of its ledger")
    return 0


def _buy(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        tx = app.credits.buy_package(args.package)
        bal = app.credits.balance()
    print(f"bought {args.package}: +{tx.amount:,}; available {bal.available:,}")
    return 0


def _issue_code(args: argparse.Namespace) -> int:
    try:
        pem = args.key.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read the private key {args.key}: {exc.strerror}") from None
    try:
        try:
            key = topup_codes.private_key_from_pem(pem)
        except TypeError:  # encrypted: ask for its password
            key = topup_codes.private_key_from_pem(pem, getpass.getpass("key password: ").encode())
    except ValueError as exc:
        raise CommandError(f"{args.key} is not a usable Ed25519 private key: {exc}") from None
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    expires = (
        args.expires + dt.timedelta(days=1)
        if args.expires
        else now + dt.timedelta(days=DEFAULT_CODE_DAYS)
    )
    if expires <= now:
        raise CommandError(f"--expires {args.expires:%Y-%m-%d} is in the past")
    grant = args.plan if args.plan else args.amount
    try:
        code = topup_codes.issue_code(key, grant, expires, issued_at=now, account=args.account)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(code)
    return 0
