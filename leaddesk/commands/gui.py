"""``leaddesk gui`` (the default): open the main window."""

from __future__ import annotations

import argparse
import os
import sys

from leaddesk.commands.common import open_services
from leaddesk.services import demo, settings

FIRST_RUN_DONE = "first_run_done"
FIRST_RUN_DEMO_LEADS = 5000


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("gui", help="open the LeadDesk window (the default)")
    parser.add_argument("--no-demo", action="store_true",
                        help="do not create demo data in an empty database")
    parser.set_defaults(handler=_run)


def _ensure_display() -> None:
    """Without a display Qt aborts the process; say so and run offscreen instead."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        print("leaddesk: no display found: running offscreen (nothing will be shown; "
              "use `leaddesk screenshot` to see a view)", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _run(args: argparse.Namespace) -> int:
    _ensure_display()
    from leaddesk.ui.app import run_gui

    with open_services(args) as app:
        if not settings.get(app.store, FIRST_RUN_DONE, False):
            if not args.no_demo and app.leads.count() == 0:
                report = demo.populate(app, FIRST_RUN_DEMO_LEADS)
                print(f"leaddesk: first start on an empty database: created {report.leads:,} "
                      "demo leads to explore (start with --no-demo to skip)", file=sys.stderr)
            settings.put(app.store, FIRST_RUN_DONE, True)
        return run_gui(app, offer_demo=False)
