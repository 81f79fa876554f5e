"""The composer sends to a selection or a saved view, shows the credit preflight of the whole
send before it (and refuses what the balance or a spend cap stops), and the always-on outbox
timer sends scheduled messages whose time came while the app is open."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.enums import MessageState
from leaddesk.store.models import Message
from leaddesk.ui.composer.view import ComposerView


@pytest.fixture
def trio(sending_app):
    """Three leads a saved view finds (and nothing else)."""
    leads = [sending_app.leads.create({"first_name": f"Quill{i}", "last_name": "Example",
                                       "company": "Quillfeather Example Ltd",
                                       "email": f"quill{i}@example.org"}).id for i in range(3)]
    sending_app.saved_views.save("Quillfeather", LeadQuery(search="Quillfeather"))
    return leads


@pytest.fixture
def view(open_composer, sending_app, trio) -> ComposerView:
    return open_composer(sending_app, views=sending_app.saved_views)


def _write(view: ComposerView) -> None:
    view.set_channel("email")
    view.form.subject.setText("Hello {{ first_name }}")
    view.form.body.setPlainText("Hi {{ first_name }}, a quick question.")


def test_send_now_to_a_saved_view_shows_its_cost_then_sends_to_each(
        qtbot, view, sending_app, smtp, trio) -> None:
    _write(view)
    assert view.choose_view("Quillfeather")
    qtbot.waitUntil(lambda: view.is_loaded() and view.recipient_ids() == sorted(trio))
    price = sending_app.credits.prices.cost("email")
    qtbot.waitUntil(lambda: view.preflight is not None and view.preflight.quote.quantity == 3)
    assert view.preflight.ok and view.preflight.quote.cost == 3 * price
    assert "(3 messages)" in view.form.cost.text()
    assert view.lead is not None and view.lead.id == sorted(trio)[0]  # the first is previewed
    assert not view.picker.isEnabled()
    qtbot.waitUntil(lambda: view.form.send_button.isEnabled())
    view.form.send_button.click()  # more than one lead: it asks first
    qtbot.waitUntil(lambda: view.sending.confirm_dialog is not None)
    dialog = view.sending.confirm_dialog
    assert dialog.quote.to_send == 3 and dialog.quote.credits == 3 * price
    assert dialog.send_button.text() == "Send 3" and dialog.send_button.isEnabled()
    assert smtp.messages == [] and sending_app.messages.counts_by_state().get("queued") is None
    with qtbot.waitSignal(view.sending.runner.finished, timeout=30_000) as done:
        dialog.send_button.click()
    assert done.args[0].sent == 3
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
        f"quill{i}@example.org" for i in range(3)]
    assert "3 messages queued" in view.message_bar.text.text()


def test_send_now_to_a_selection(qtbot, view, sending_app, smtp, trio) -> None:
    _write(view)
    view.set_selection(trio[:2])
    qtbot.waitUntil(lambda: view.is_loaded() and view.lead is not None)
    assert "2 selected" in view.form.audience.currentText()
    qtbot.waitUntil(lambda: view.form.send_button.isEnabled())
    view.form.send_button.click()
    qtbot.waitUntil(lambda: view.sending.confirm_dialog is not None)
    view.sending.confirm_dialog.reject()  # changed their mind: nothing is queued
    qtbot.waitUntil(lambda: view.form.send_button.isEnabled())
    assert sending_app.messages.counts_by_state().get("queued") is None
    view.form.send_button.click()
    qtbot.waitUntil(lambda: view.sending.confirm_dialog is not None)
    with qtbot.waitSignal(view.sending.runner.finished, timeout=30_000) as done:
        view.sending.confirm_dialog.accept()
    assert done.args[0].sent == 2 and len(smtp.messages) == 2
    view.form.audience.setCurrentIndex(0)  # back to one lead: the picker decides again
    assert view.picker.isEnabled() and view.recipient_ids() == [view.lead.id]


def test_a_spend_cap_stops_the_send_before_it_starts(qtbot, view, sending_app, trio) -> None:
    price = sending_app.credits.prices.cost("email")
    sending_app.credits.set_spend_cap(sending_app.ctx.actor.id, 2 * price)
    view.refresh_balance()
    _write(view)
    assert view.choose_view("Quillfeather")
    qtbot.waitUntil(lambda: view.preflight is not None and view.preflight.quote.quantity == 3
                    and view.is_loaded())
    assert not view.preflight.ok
    assert "spend cap" in view.form.balance.text()
    assert not view.form.send_button.isEnabled()
    assert "Not enough credits" in view.form.save_hint.text()


def test_the_outbox_timer_sends_scheduled_messages_whose_time_came(
        qtbot, view, sending_app, smtp, trio) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    result = sending_app.compose.send("email", trio[:1], subject="S", body="Hello", at=later)
    assert result.queued == 1
    runner = view.sending.runner
    runner.start_timer(20)
    qtbot.wait(60)  # a few looks: nothing due yet
    assert smtp.messages == [] and not runner.running
    with sending_app.store.write() as session:  # its time came
        session.execute(update(Message).where(Message.state == MessageState.QUEUED)
                        .values(next_attempt_at=dt.datetime.now(dt.UTC)))
    with qtbot.waitSignal(runner.finished, timeout=30_000) as done:
        pass
    assert done.args[0].sent == 1 and len(smtp.messages) == 1
    assert view.outbox_panel.isVisible()
    runner.stop()
    assert not runner.timer.isActive()
    qtbot.waitUntil(lambda: not runner.running)
