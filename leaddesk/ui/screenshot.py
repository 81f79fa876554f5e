"""Render one view of the main window to a PNG, with its real data loaded (``leaddesk screenshot``).

Works without a display: when no QApplication exists yet and no platform was chosen, Qt's
offscreen platform is used. The window is built without remembered settings, so a screenshot
never depends on (or changes) the user's window layout.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractAnimation, QRect
from PySide6.QtWidgets import QApplication, QWidget

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.service import LeadRecord
from leaddesk.ui import operations, qt_messages, theme, widgets
from leaddesk.ui.gc_guard import GuiGarbageCollector
from leaddesk.ui.main_window import VIEWS, MainWindow
from leaddesk.ui.operations import op

#: How long the window's layouts settle after its data arrived, at most, before the picture is
#: taken; it is taken sooner once they are still (see ``_settle``).
SETTLE_SECONDS = 0.2
#: Still: no widget moved, resized, appeared or vanished for this long, and no animation runs.
STILL_SECONDS = 0.06


class ScreenshotError(RuntimeError):
    pass


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qt_messages.route_to_logging()
    app = QApplication([])
    theme.apply(app)
    widgets.plain_dialog_buttons(app)
    return app


def _settle(app: QApplication, window: QWidget, seconds: float = SETTLE_SECONDS) -> None:
    """Let layouts finish: a panel that just grew (word-wrapped labels, a scroll bar that
    appears) takes several passes of posted layout requests to reach its final geometry, and a
    line edit's clear button fades in. Done once the window is still, at most after ``seconds``
    (what was seen moving did so within its first 40 ms)."""

    def geometry() -> list[tuple[QRect, bool]]:
        return [(w.geometry(), w.isVisible()) for w in window.findChildren(QWidget)]

    def animating() -> bool:
        running = QAbstractAnimation.State.Running
        return any(a.state() == running for a in window.findChildren(QAbstractAnimation))

    end = time.monotonic() + seconds
    last, unchanged_since = geometry(), time.monotonic()
    while (now := time.monotonic()) < end:
        app.processEvents()
        time.sleep(0.01)
        current = geometry()
        if current != last or animating():
            last, unchanged_since = current, time.monotonic()
        elif now - unchanged_since >= STILL_SECONDS:
            return


def _wait(ready: Callable[[], bool], deadline: float, what: str) -> None:
    """Process events until ``ready()`` and no background operation is left undelivered."""
    while True:
        operations.wait_idle(max(1, int((deadline - time.monotonic()) * 1000)))
        if ready() and operations.pending() == 0:
            return
        if time.monotonic() > deadline:
            raise ScreenshotError(f"timed out waiting for {what}")


def save_screenshot(
    app_services: AppServices,
    view: str,
    out: Path,
    size: tuple[int, int] = (1280, 800),
    timeout: float = 30.0,
) -> Path:
    """Build the main window on ``view`` (leads|campaigns|composer|credits), load it, save a PNG.

    The leads view shows its first lead selected; the composer shows the first template of its
    channel rendered for the first lead, with its cost.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    app = _application()
    if not app.styleSheet():
        theme.apply(app)
    widgets.plain_dialog_buttons(app)
    deadline = time.monotonic() + timeout
    collector = GuiGarbageCollector().start()
    window = MainWindow(app_services, settings=None)
    try:
        window.resize(*size)
        window.show_view(view)
        first_lead: list[LeadRecord | None] = []
        if view == "composer":
            leads = app_services.leads
            op(lambda: leads.page(limit=1).rows, parent=window).success(
                lambda rows: first_lead.append(rows[0] if rows else None)
            ).run()
        window.show()
        _wait(lambda: window.lead_count is not None and window.balance is not None,
              deadline, "the status bar")
        if view == "leads":
            leads_view = window.leads_view
            _wait(leads_view.is_loaded, deadline, "the lead table")
            if leads_view.model.rowCount():
                leads_view.select_row(0)
                _wait(leads_view.detail_loader.history_loaded, deadline, "the lead's history")
        elif view == "campaigns":
            _wait(window.campaigns_view.is_loaded, deadline, "the campaigns")
        elif view == "composer":
            composer = window.composer_view
            _wait(lambda: composer.is_loaded() and bool(first_lead), deadline, "the composer")
            if first_lead[0] is not None:
                composer.set_lead(first_lead[0])
            composer.render_preview()
        elif view == "credits":
            _wait(window.credits_view.is_loaded, deadline, "the credits")
        _settle(app, window)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out), "PNG"):
            raise ScreenshotError(f"could not write {out}")
        return out
    finally:
        window.close()
        operations.shutdown(5_000)
        window.deleteLater()
        app.processEvents()
        collector.stop()
