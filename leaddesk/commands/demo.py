"""``leaddesk demo --leads N``: fill the database with realistic synthetic data;
``leaddesk demo --remove``: take every demo row out again and clear the demo mark."""

from __future__ import annotations

import argparse
import sys

from leaddesk.commands.common import open_services, whole_number


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--leads", type=whole_number(0), default=5000, metavar="N",
                        help="how many leads to generate (default 5000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--remove", action="store_true",
                        help="remove every demo row (leads, campaigns, templates, messages, "
                        "tasks, activity, credit lines) and the demo mark; real work stays")
    parser.set_defaults(handler=_run)


def _remove(args: argparse.Namespace) -> int:
    from leaddesk.services import demo_rows

    with open_services(args) as app:
        report = demo_rows.remove(app.ctx)
    print(
        f"removed {report.leads:,} demo leads, {report.campaigns} campaigns, "
        f"{report.templates} templates, {report.messages} messages, {report.tasks} tasks, "
        f"{report.transactions} credit transactions; the database is no longer a demo"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.remove:
        return _remove(args)
    from leaddesk.services import demo

    tty = sys.stderr.isatty()

    def progress(done: int) -> None:
        if tty:
            print(f"\r{done:,} / {args.leads:,} leads", end="", file=sys.stderr, flush=True)

    with open_services(args) as app:
        report = demo.populate(app, args.leads, seed=args.seed, progress=progress)
    if tty:
        print(file=sys.stderr)
    print(
        f"created {report.leads:,} leads, {report.campaigns} campaigns, {report.templates} "
        f"templates, {report.messages} messages, {report.tasks} tasks, "
        f"{report.transactions} credit transactions "
        f"in {report.seconds:.1f} s"
    )
    return 0
