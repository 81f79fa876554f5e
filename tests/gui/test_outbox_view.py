"""The Outbox view on a real database and SMTP server: capped messages with the time they go,
held with the reason and the fix, failed; retry, cancel, pause and resume; reload on changes;
a sidebar view of the main window with its shortcut."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.services.messaging.outbox_items import OutboxService
from leaddesk.store.change_feed import Change
from leaddesk.store.models import SendCounter
from leaddesk.ui.main_window import VIEWS
from leaddesk.ui.outbox.model import OutboxModel
from leaddesk.ui.outbox.view import OutboxView

BODY = {"subject": "Hi {{ first_name }}", "body": "Hello {{ first_name }}"}


@pytest.fixture
def filled(sending_app, smtp):
    """One failed (refused by the server), one held (no address), three queued of which the
    mailbox's daily cap leaves room for one."""
    app = sending_app
    bad = app.leads.create({"first_name": "Rex", "email": "rex@example.org"}).id
    smtp.reject("rex@example.org", "550 5.1.1 no such mailbox")
    app.compose.send("email", [bad], **BODY)
    Dispatcher(app.ctx, app.credits, app.integrations,
               DispatcherConfig(workers=1)).run_until_empty(wait_for_retries=False)
    mailbox = app.integrations.get("work mail")
    with app.store.write() as session:  # 9,999 of its 10,000 a day went out already
        session.merge(SendCounter(scope=f"integration:{mailbox.id}",
                                  period=dt.datetime.now(dt.UTC).strftime("d%Y-%m-%d"),
                                  count=9_999))
    held = app.leads.create({"first_name": "Hal"}).id
    queued = [app.leads.create({"first_name": f"Quin{i}", "email": f"quin{i}@example.org"}).id
              for i in range(3)]
    app.compose.commit(app.compose.plan("email", [held, *queued], **BODY))
    return app


@pytest.fixture
def view(qtbot, filled, open_composer) -> OutboxView:
    composer = open_composer(filled)  # its runner: the one the window shares
    widget = OutboxView(OutboxService(filled.ctx, filled.integrations, filled.compose),
                        composer.sending.runner)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


def _select(view: OutboxView, status: str) -> None:
    view.table.clearSelection()
    for row in range(view.model.rowCount()):
        if view.model.item(row).status == status:
            view.table.selectionModel().select(
                view.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                | QItemSelectionModel.SelectionFlag.Rows)


def test_statuses_reasons_and_the_model(qtbot, qtmodeltester, view) -> None:
    qtmodeltester.check(view.model)
    counts = view.counts.text()
    assert "1 queued" in counts and "2 capped" in counts and "1 held" in counts \
        and "1 failed" in counts
    capped = [i for i in view.items if i.status == "capped"]
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    assert {i.when for i in capped} == {tomorrow}
    assert "the daily cap of 10,000 on 'work mail' is used up" in view.next_capped.text()
    assert view.caps.text().startswith("The daily cap of 10,000 on 'work mail': 9,999 of "
                                       "10,000 used, starts again")
    held = next(i for i in view.items if i.status == "held")
    assert held.reason == "the lead has no email address" and "Retry" in held.fix
    failed = next(i for i in view.items if i.status == "failed")
    assert "no such mailbox" in failed.reason
    view.filter.setCurrentIndex(3)  # needs you
    assert {view.model.item(r).status for r in range(view.model.rowCount())} == \
        {"held", "failed"}
    row = next(r for r in range(view.model.rowCount()) if view.model.item(r).status == "held")
    text = view.model.index(row, OutboxModel.COL_REASON).data()
    assert text.startswith("the lead has no email address — fix the lead")


def test_retry_cancel_pause_and_resume(qtbot, view, filled, smtp) -> None:
    _select(view, "held")
    assert view.retry_button.isEnabled()
    view.retry_selected()  # still no address: refused, with why
    qtbot.waitUntil(lambda: view.is_loaded() and view.message_bar.isVisible())
    assert "still held: the lead has no email address" in view.message_bar.text.text()

    assert "sending paused" in view.pause_button.text().lower() or view.pause_button.text() \
        == "Pause sending"
    view.toggle_pause()
    qtbot.waitUntil(lambda: view.is_loaded() and view.paused)
    assert view.pause_button.text() == "Resume sending" and "paused" in view.counts.text()
    assert OutboxService(filled.ctx, filled.integrations, filled.compose).paused()

    smtp.clear_failures()
    _select(view, "failed")
    view.retry_selected()  # queued again, but nothing goes out while paused
    qtbot.waitUntil(lambda: view.is_loaded() and "queued again" in view.message_bar.text.text())
    assert not any(i.status == "failed" for i in view.items)
    _select(view, "capped")  # the retried message queued behind them: three now wait
    capped = {i.id for i in view.selected()}
    assert len(capped) == 3
    assert view.cancel_button.isEnabled() and not view.retry_button.isEnabled()
    view.cancel_selected()
    qtbot.waitUntil(lambda: view.is_loaded() and "3 cancelled." in view.message_bar.text.text())
    assert {i.status for i in view.items if i.id in capped} == {"cancelled"}
    assert smtp.messages == []

    runner = view._runner
    with qtbot.waitSignal(runner.finished, timeout=30_000):
        view.toggle_pause()  # resume: this window's sender starts
    qtbot.waitUntil(lambda: view.is_loaded() and not view.paused)
    # the one the cap had room for, as the Outbox said
    assert [m.rcpt_tos[0] for m in smtp.messages] == ["quin0@example.org"]


def test_on_changes_reloads(qtbot, view, filled) -> None:
    before = view.model.rowCount()
    lead = filled.leads.create({"first_name": "Neo", "email": "neo@example.org"}).id
    filled.compose.send("email", [lead], **BODY)
    view.on_changes(Change(frozenset({"messages"})))
    qtbot.waitUntil(lambda: view.is_loaded() and view.model.rowCount() == before + 1)


def test_the_window_has_an_outbox_view(qtbot, window) -> None:
    number = VIEWS.index("outbox") + 1
    assert window.view_actions["outbox"].shortcut() == QKeySequence(f"Ctrl+{number}")
    window.view_actions["outbox"].trigger()
    assert window.current_view() == "outbox"
    outbox = window.view("outbox")
    qtbot.waitUntil(outbox.is_loaded)
    assert outbox.model.rowCount() > 0
