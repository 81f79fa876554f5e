"""Start the desktop application: ``run_gui(services)`` (the ``leaddesk`` command calls it)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

import leaddesk
from leaddesk.heap import frozen_startup_objects
from leaddesk.services.app_services import AppServices
from leaddesk.ui import operations, qt_messages, theme, widgets
from leaddesk.ui.auth.first_run import DEMO_LEADS
from leaddesk.ui.errors import install_excepthook, show_error
from leaddesk.ui.gc_guard import GuiGarbageCollector
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.operations import OpContext, op

if TYPE_CHECKING:
    from leaddesk.services import demo
    from leaddesk.services.team.team_mode import TeamSession

log = logging.getLogger("leaddesk.ui")

ORGANISATION = "LeadDesk"
APPLICATION = "LeadDesk"
_DEMO_OFFERED = "firstRun/demoOffered"


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication, created and styled once."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        qt_messages.route_to_logging()
        app = QApplication(list(argv if argv is not None else sys.argv))
        theme.apply(app)
        widgets.plain_dialog_buttons(app)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(leaddesk.__version__)
    return app


def window_settings() -> QSettings:
    """Where the window state and the last user name are remembered."""
    return QSettings(ORGANISATION, APPLICATION)


def run_gui(
    app_services: AppServices,
    argv: Sequence[str] | None = None,
    settings: QSettings | None = None,
    offer_demo: bool = True,
    add_demo: bool = False,
) -> int:
    """Show the main window until the user quits; returns the exit code.

    ``add_demo``: the first-run dialog chose demo data, added now with a progress dialog.
    ``offer_demo``: an empty database the first-run dialog did not ask about is offered demo
    data once (callers that fill the database themselves simply find it non-empty).
    """
    app = application(argv)
    collector = GuiGarbageCollector(app).start()
    settings = settings or window_settings()
    window = MainWindow(app_services, settings)
    team_services: list[AppServices] = []

    def to_team(member: TeamSession) -> None:
        """The connect dialog signed in to a team database: a new window works there."""
        to_services(AppServices(member.context()))

    def to_services(services: AppServices) -> None:
        """A team database, or another user after a sign-out: a new window works as them."""
        nonlocal window
        team_services.append(services)
        old, window = window, MainWindow(services, settings)
        window.teamConnected.connect(to_team)
        window.session.switched.connect(to_services)
        window.show()
        window.outbox_runner.start_timer()
        old.close()
        old.deleteLater()

    window.teamConnected.connect(to_team)
    window.session.switched.connect(to_services)
    previous_hook = install_excepthook(lambda: window)
    operations.set_default_failure_handler(lambda exc: show_error(window, exc))
    window.show()
    window.outbox_runner.start_timer()  # due scheduled messages go out while the app is open
    if add_demo:
        QTimer.singleShot(0, lambda: create_demo_data(window, app_services))
    elif offer_demo:
        QTimer.singleShot(0, lambda: offer_demo_data(window, app_services, settings))
    try:
        with frozen_startup_objects():
            return app.exec()
    finally:
        operations.shutdown()
        for services in team_services:
            services.close()
        operations.set_default_failure_handler(None)
        sys.excepthook = previous_hook
        collector.stop()


def offer_demo_data(window: MainWindow, services: AppServices, settings: QSettings) -> None:
    """Ask once whether to fill an empty database with demo data."""
    if settings.value(_DEMO_OFFERED, False, type=bool):
        return
    leads = services.leads
    op(leads.count, parent=window).success(
        lambda count: _ask_for_demo(window, services, settings) if count == 0 else None
    ).run()


def _ask_for_demo(window: MainWindow, services: AppServices, settings: QSettings) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        window.tr("Welcome to LeadDesk"),
        window.tr("Your database is empty. Add demo data to look around?"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        window,
    )
    box.setInformativeText(window.tr(
        "%1 sample leads, three campaigns, message templates and a credit history. "
        "The window marks demo data; File ▸ Remove demo data… takes it all out again."
    ).replace("%1", f"{DEMO_LEADS:,}"))
    box.button(QMessageBox.StandardButton.Yes).setText(window.tr("Add demo data"))
    box.button(QMessageBox.StandardButton.No).setText(window.tr("Start empty"))
    box.button(QMessageBox.StandardButton.Yes).clicked.connect(
        lambda: create_demo_data(window, services)
    )
    box.finished.connect(lambda _result: settings.setValue(_DEMO_OFFERED, True))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    window.demo_prompt = box  # type: ignore[attr-defined]
    return box


def create_demo_data(window: QWidget, services: AppServices, leads: int | None = None) -> None:
    """Fill the database in the background with a progress dialog, then reload the window."""
    leads = leads or DEMO_LEADS
    progress = QProgressDialog(window.tr("Adding demo data…"), "", 0, leads, window)
    progress.setCancelButton(None)  # about a second of work: nothing worth cancelling
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    progress.setValue(0)

    def work(ctx: OpContext) -> demo.DemoReport:
        from leaddesk.services import demo  # the generator, for an empty database only

        return demo.populate(services, leads, progress=lambda n: ctx.progress(n, leads))

    def done(report: demo.DemoReport) -> None:
        log.info("demo data: %s leads in %.1f s", report.leads, report.seconds)
        if isinstance(window, MainWindow):
            window.refresh_all()
            window.demo_mark.refresh()

    (
        op(work, parent=window, context=True)
        .progress(lambda p: progress.setValue(p.done))
        .success(done)
        .failure(lambda exc: show_error(window, exc))
        .finished(progress.close)
        .run()
    )
