"""GUI test fixtures: demo databases, isolated QSettings, and strict teardown.

Qt warnings fail a GUI test (``qt_log_level_fail``), and a test that leaves a background
operation undelivered fails too: a stray worker would touch the next test's database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from leaddesk.sending.dispatcher import DispatcherConfig
from leaddesk.services import demo
from leaddesk.services import settings as app_settings
from leaddesk.services.app_services import AppServices
from leaddesk.ui import operations
from leaddesk.ui.composer.outbox_panel import OutboxRunner
from leaddesk.ui.composer.view import ComposerView
from leaddesk.ui.gc_guard import GuiGarbageCollector
from leaddesk.ui.main_window import MainWindow
from tests.fakes.smtp_server import FakeSmtpServer

HERE = Path(__file__).resolve().parent
DEMO_LEADS = 5_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform's notes on what it cannot do (raise a popup, grab the
            # keyboard, size hints of dialogs): facts of the headless run, not bugs.
            item.add_marker(pytest.mark.qt_log_ignore("^This plugin does not support"))


@pytest.fixture(autouse=True)
def _operations_settle(qapp) -> Iterator[None]:
    """Garbage is collected on the GUI thread only (as in the app), and every operation a test
    started must be delivered by its end."""
    operations.set_default_failure_handler(None)
    collector = GuiGarbageCollector().start()
    yield
    delivered = operations.wait_idle(10_000)
    left = operations.pending()
    operations.shutdown(5_000)
    collector.stop()
    assert delivered and left == 0, f"the test left {left} background operation(s) running"


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once per session; tests get a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    services = AppServices.open(f"sqlite:///{path}")
    try:
        demo.populate(services, DEMO_LEADS)
    finally:
        services.close()
    return path


@pytest.fixture
def demo_app(demo_db_file: Path, tmp_path: Path) -> Iterator[AppServices]:
    """Services over a fresh copy of the demo database (5,000 leads, campaigns, credits)."""
    target = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        source = demo_db_file.with_name(demo_db_file.name + suffix)
        if source.exists():
            shutil.copy(source, target.with_name(target.name + suffix))
    services = AppServices.open(f"sqlite:///{target}", backup_dir=tmp_path / "backups")
    yield services
    services.close()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Window settings in a file of the test's own (never the user's)."""
    return QSettings(str(tmp_path / "leaddesk-ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer() as server:
        yield server


@pytest.fixture
def sending_app(demo_app: AppServices, smtp: FakeSmtpServer) -> AppServices:
    """The demo database with an email channel pointing at the local SMTP server."""
    demo_app.messages.cancel()  # the demo's own queued messages are not this test's
    # Leads these tests add are real ones; on a database still marked demo they would be held
    # (demo credits pay for demo leads only: compliance.DEMO_CREDITS_ONLY).
    app_settings.put(demo_app.store, app_settings.DEMO_DATABASE, False)
    app_settings.put(demo_app.store, app_settings.SENDER_POSTAL_ADDRESS, "1 Example Road")
    demo_app.integrations.add("email", "work mail", {
        "host": "127.0.0.1", "port": smtp.port, "security": "none",
        "from_address": "rep@example.com", "daily_cap": 10_000})
    return demo_app


@pytest.fixture
def window(qtbot: Any, demo_app: AppServices, settings: QSettings) -> MainWindow:
    """The main window on the demo database, shown, with its first page, count and balance."""
    win = MainWindow(demo_app, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(
        lambda: win.leads_view.is_loaded()
        and win.lead_count is not None
        and win.balance is not None
    )
    return win


@pytest.fixture
def open_composer(qtbot: Any) -> Callable[..., ComposerView]:
    """``open_composer(app, sender="Sam Seller", workers=2, **options)``: a composer over
    ``app`` with its own outbox runner, shown and loaded (``options`` go to the view)."""

    def open_(
        app: AppServices, sender: str = "Sam Seller", workers: int = 2, **options: Any
    ) -> ComposerView:
        runner = OutboxRunner.for_services(app, DispatcherConfig(workers=workers))
        widget = ComposerView(app.templates, app.leads, app.messages, app.credits,
                              sender={"name": sender}, compose=app.compose, runner=runner,
                              **options)
        runner.setParent(widget)
        qtbot.addWidget(widget)
        widget.resize(1100, 750)
        widget.show()
        qtbot.waitUntil(widget.is_loaded)
        return widget

    return open_
