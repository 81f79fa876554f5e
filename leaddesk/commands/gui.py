"""``leaddesk gui`` (the default): open the main window."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, open_services
from leaddesk.config import database_url
from leaddesk.heap import collection_paused
from leaddesk.store.enums import Role

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from leaddesk.services.app_services import AppServices

FIRST_RUN_DONE = "first_run_done"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-demo", action="store_true",
                        help="do not offer demo data for an empty database")
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


def _ensure_window_libraries() -> None:
    """Name the missing system library (and its package) instead of Qt's abort."""
    from leaddesk import qt_libraries

    if qt_libraries.needs_xcb():
        missing = qt_libraries.missing_packages()
        if missing:
            raise CommandError(qt_libraries.missing_message(missing))


def first_start(app: AppServices, demo_chosen: bool = False) -> bool:
    """Once per database, for its admin (a rep who signs in first finds no leads of their own,
    not an empty database): whether to add the demo data the first-run dialog asked for, into
    a database still empty. Demo data is never added unasked."""
    from leaddesk.services import settings

    if settings.get(app.store, FIRST_RUN_DONE, False) or app.ctx.actor.role is not Role.ADMIN:
        return False
    settings.put(app.store, FIRST_RUN_DONE, True)
    return demo_chosen and app.leads.count() == 0


def _run(args: argparse.Namespace) -> int:
    _ensure_display()
    _ensure_window_libraries()
    # Start-up (the window's modules, the database) makes only objects that live on: they are
    # not collected but frozen once the window runs (run_gui, leaddesk.heap).
    with collection_paused():
        return _open_window(args)


def _open_window(args: argparse.Namespace) -> int:
    """Open the database (asking what to do when it cannot be: ``ui.start_faults``), then
    show the window until the user quits."""
    from leaddesk.config import backups_dir
    from leaddesk.services.start_faults import describe
    from leaddesk.ui.app import application, run_gui, window_settings
    from leaddesk.ui.auth.start import SignInCancelled
    from leaddesk.ui.start_faults import ask_about_fault

    application()
    ui_settings = window_settings()
    with contextlib.ExitStack() as stack:
        while True:
            try:
                app, options = _open_database(args, ui_settings, stack)
                break
            except SignInCancelled:
                return 0
            except Exception as exc:
                fault = describe(exc, database_url(args.db))
                if fault is None:
                    raise
                next_url = ask_about_fault(fault, backups_dir())
                if next_url is None:
                    print(f"leaddesk: error: {fault.message}", file=sys.stderr)
                    return 1
                args.db = next_url
        return run_gui(app, settings=ui_settings, **options)


def _open_database(
    args: argparse.Namespace, ui_settings: QSettings, stack: contextlib.ExitStack
) -> tuple[AppServices, dict[str, bool]]:
    """The services the window works with (closed by ``stack``) and how it starts."""
    from sqlalchemy.engine import make_url

    from leaddesk.services.app_services import AppServices
    from leaddesk.ui.auth.first_run import StartChoice
    from leaddesk.ui.auth.start import dialog_sign_in, team_sign_in

    url = make_url(database_url(args.db))
    if url.get_backend_name() == "postgresql" and not url.username and not args.as_user:
        # A team database: each member signs in as their own database role.
        member = team_sign_in(url.render_as_string(), ui_settings,
                              where=f"{url.database} on {url.host}")
        app = AppServices(member.context())
        stack.callback(app.close)
        return app, {"add_demo": False, "offer_demo": False}
    where = (f"{Path(url.database or '').name} on this computer"
             if url.get_backend_name() == "sqlite" else f"{url.database} on {url.host}")
    choice = StartChoice()
    sign_in = dialog_sign_in(ui_settings, where=where, choice=choice)
    app = stack.enter_context(open_services(args, sign_in=sign_in))
    add_demo = first_start(app, demo_chosen=choice.demo)
    # A database set up without the first-run dialog is asked in the window instead.
    return app, {"add_demo": add_demo, "offer_demo": not choice.asked and not args.no_demo}
