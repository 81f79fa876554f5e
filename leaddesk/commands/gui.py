"""``leaddesk gui`` (the default): open the main window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from leaddesk.commands.common import open_services
from leaddesk.config import database_url
from leaddesk.heap import collection_paused
from leaddesk.store.enums import Role

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices

FIRST_RUN_DONE = "first_run_done"
FIRST_RUN_DEMO_LEADS = 5000


def arguments(parser: argparse.ArgumentParser) -> None:
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


def first_start(app: AppServices, with_demo: bool = True) -> None:
    """After the first-run choice: an empty database gets demo data, made by its admin (a rep
    who signs in first finds no leads of their own, not an empty database)."""
    from leaddesk.services import settings

    if settings.get(app.store, FIRST_RUN_DONE, False) or app.ctx.actor.role is not Role.ADMIN:
        return
    if with_demo and app.leads.count() == 0:
        from leaddesk.services import demo  # the generator, for an empty database only

        report = demo.populate(app, FIRST_RUN_DEMO_LEADS)
        print(f"leaddesk: first start on an empty database: created {report.leads:,} "
              "demo leads to explore (start with --no-demo to skip)", file=sys.stderr)
    settings.put(app.store, FIRST_RUN_DONE, True)


def _run(args: argparse.Namespace) -> int:
    _ensure_display()
    # Start-up (the window's modules, the database) makes only objects that live on: they are
    # not collected but frozen once the window runs (run_gui, leaddesk.heap).
    with collection_paused():
        return _open_window(args)


def _open_window(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from leaddesk.services.app_services import AppServices, import_before_qt

    import_before_qt()
    from leaddesk.ui.app import application, run_gui, window_settings
    from leaddesk.ui.auth.start import SignInCancelled, dialog_sign_in, team_sign_in

    application()
    ui_settings = window_settings()
    url = make_url(database_url(args.db))
    try:
        if url.get_backend_name() == "postgresql" and not url.username and not args.as_user:
            # A team database: each member signs in as their own database role.
            member = team_sign_in(url.render_as_string(), ui_settings,
                                  where=f"{url.database} on {url.host}")
            app = AppServices(member.context())
            try:
                return run_gui(app, settings=ui_settings, offer_demo=False)
            finally:
                app.close()
        where = (f"{Path(url.database or '').name} on this computer"
                 if url.get_backend_name() == "sqlite" else f"{url.database} on {url.host}")
        with open_services(args, sign_in=dialog_sign_in(ui_settings, where=where)) as app:
            first_start(app, with_demo=not args.no_demo)
            return run_gui(app, settings=ui_settings, offer_demo=False)
    except SignInCancelled:
        return 0
