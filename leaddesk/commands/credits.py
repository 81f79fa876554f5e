"""``leaddesk credits balance|history|buy``."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys

from leaddesk.commands.common import open_services


def _date(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("credits", help="credit balance, history and packages")
    csub = parser.add_subparsers(dest="credits_command", metavar="ACTION", required=True)
    csub.add_parser("balance", help="show the balance").set_defaults(handler=_balance)
    hist = csub.add_parser("history", help="list ledger transactions, newest first")
    hist.add_argument("--since", type=_date, metavar="DATE", help="only from this day (UTC)")
    hist.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    hist.add_argument("--csv", action="store_true", help="print CSV")
    hist.set_defaults(handler=_history)
    buy = csub.add_parser("buy", help="buy a package (starter, professional, enterprise)")
    buy.add_argument("package", help="starter | professional | enterprise")
    buy.set_defaults(handler=_buy)


def _balance(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        bal = app.credits.balance()
    limit = "unlimited (Enterprise)" if bal.unlimited else f"plan {bal.plan}"
    print(f"available {bal.available:,}  reserved {bal.reserved:,}  {limit}")
    return 0


def _history(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        rows = app.credits.history(limit=args.limit, since=args.since)
    columns = ["created_at", "kind", "amount", "balance_after", "action", "reference"]
    if args.csv:
        out = csv.writer(sys.stdout)
        out.writerow(columns)
        for r in rows:
            out.writerow([r.created_at.isoformat(), r.kind, r.amount, r.balance_after, r.action,
                          f"{r.reference_type}:{r.reference_id}".strip(":")])
        return 0
    for r in rows:
        ref = f"{r.reference_type}:{r.reference_id}".strip(":")
        print(f"{r.created_at:%Y-%m-%d %H:%M}  {r.kind:<11} {r.amount:>+7}  "
              f"= {r.balance_after:>7}  {r.action:<9} {ref}")
    if not rows:
        print("no transactions")
    return 0


def _buy(args: argparse.Namespace) -> int:
    with open_services(args) as app:
        tx = app.credits.purchase(args.package)
        bal = app.credits.balance()
    print(f"bought {args.package}: +{tx.amount:,}; available {bal.available:,}")
    return 0
