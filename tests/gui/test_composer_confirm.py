"""Sending is always deliberate: a send to several leads is confirmed with the plan's quote (now,
later under a cap and when, held by the real reason, credits); the strip says which cap stopped
it and when the rest go; a saved view that cannot be read clears the recipients and turns Send
off; a view's campaign is recorded on the messages; ``on_changes`` reloads views and balance."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.change_feed import Change
from leaddesk.store.models import Message, SavedView, SendCounter
from leaddesk.ui.composer.view import ComposerView


@pytest.fixture
def spring(sending_app):
    """A campaign with four leads: three with an email address, one without."""
    campaign = sending_app.campaigns.create({"name": "Spring Example"})
    for i in range(3):
        sending_app.leads.create({"first_name": f"Wren{i}", "email": f"wren{i}@example.org",
                                  "campaign_id": campaign.id})
    sending_app.leads.create({"first_name": "Nomail", "campaign_id": campaign.id})
    sending_app.saved_views.save("Spring", LeadQuery(campaign_ids=(campaign.id,),
                                                     owner_ids=(sending_app.ctx.actor.id,)))
    return campaign


@pytest.fixture
def view(open_composer, sending_app, spring) -> ComposerView:
    composer = open_composer(sending_app, views=sending_app.saved_views,
                             campaigns=sending_app.campaigns)
    composer.set_channel("email")
    composer.form.subject.setText("Hello {{ first_name }}")
    composer.form.body.setPlainText("Hi {{ first_name }}, a quick question.")
    return composer


def test_a_capped_send_is_confirmed_then_says_when_the_rest_go(qtbot, view, sending_app,
                                                                 smtp, spring) -> None:
    mailbox = sending_app.integrations.get("work mail")
    with sending_app.store.write() as session:  # 9,998 of its 10,000 a day went out already
        session.add(SendCounter(scope=f"integration:{mailbox.id}",
                                period=dt.datetime.now(dt.UTC).strftime("d%Y-%m-%d"),
                                count=9_998))
    assert view.choose_view("Spring")
    qtbot.waitUntil(lambda: view.is_loaded() and len(view.recipient_ids()) == 4)
    assert view.form.campaign.currentText() == "Spring Example"  # the view's campaign
    # the cost line is the quote: three to send (the lead without an address costs nothing)
    assert view.form.cost.text() == "Cost: 3 credits (3 messages; 2 now, 1 later; 1 held)"
    qtbot.waitUntil(lambda: view.form.send_button.isEnabled())
    view.form.send_button.click()
    qtbot.waitUntil(lambda: view.sending.confirm_dialog is not None)
    dialog = view.sending.confirm_dialog
    text = dialog.summary.text()
    assert "the daily cap of 10,000 on &#x27;work mail&#x27; is used up" in text
    assert "1 — the lead has no email address" in text and "Credits: 3 credits" in text
    assert (dialog.quote.now, dialog.quote.later_count, dialog.quote.held_count) == (2, 1, 1)
    with qtbot.waitSignal(view.sending.runner.finished, timeout=30_000) as done:
        dialog.send_button.click()
    assert done.args[0].sent == 2 and len(smtp.messages) == 2
    status = view.outbox_panel.status.text()
    assert "2 of 2 sent" in status
    assert "stopped: the daily cap of 10,000 on 'work mail' is used up; the rest go from" in status
    with sending_app.store.read() as session:
        campaigns = {m.campaign_id for m in session.scalars(
            select(Message).where(Message.lead_id.in_(view.recipient_ids())))}
    assert campaigns == {spring.id}


def test_a_view_that_cannot_be_read_clears_the_recipients(qtbot, view, sending_app) -> None:
    with sending_app.store.write() as session:  # a filter this version cannot read
        session.add(SavedView(user_id=sending_app.ctx.actor.id, name="Broken",
                              query={"owner_ids": ["someone"]}))
    view.refresh()
    qtbot.waitUntil(lambda: view.is_loaded() and view.form.audience.findData("view:Broken") > 0)
    assert view.choose_view("Spring")
    qtbot.waitUntil(lambda: view.is_loaded() and len(view.recipient_ids()) == 4)
    assert view.choose_view("Broken")
    qtbot.waitUntil(lambda: view.is_loaded() and view.message_bar.isVisible())
    assert view.message_bar.text.text().startswith(
        "The saved view Broken cannot be used: its filter owner_ids holds ['someone'], which "
        "cannot be read")
    assert view.recipient_ids() == []
    assert not view.form.send_button.isEnabled() and not view.form.schedule_button.isEnabled()
    assert "cannot be used" in view.form.save_hint.text()


def test_on_changes_reloads_saved_views_and_balance(qtbot, view, sending_app) -> None:
    assert view.form.audience.findData("view:Later") < 0
    sending_app.saved_views.save("Later", LeadQuery(search="Wren"))
    view.on_changes(Change(frozenset({"saved_views"})))
    qtbot.waitUntil(lambda: view.is_loaded() and view.form.audience.findData("view:Later") > 0)
    before = sending_app.credits.balance().available
    sending_app.credits.purchase("starter")
    view.on_changes(Change(frozenset({"credit_transactions", "credit_accounts"})))
    after = sending_app.credits.balance().available
    assert after > before
    qtbot.waitUntil(lambda: f"{after:,}" in view.form.balance.text())
