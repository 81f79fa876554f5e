"""The send quote: now and later under the caps the dispatcher counts, held and blocked grouped by
their real reasons, and the credits that commit records and the dispatcher reserves; saved views
that filter by owner, campaign or date; the campaign recorded on each message."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.messaging.send_caps import Cap, spread
from leaddesk.store.enums import MessageState
from leaddesk.store.models import Message, SendCounter

BODY = {"subject": "Hi {{ first_name }}", "body": "Hello {{ first_name }} at {{ company }}"}


def test_held_reasons_are_grouped_by_the_real_reason(harness):
    app = harness.app
    ok = harness.leads(2, company="Acme")
    no_email = [app.leads.create({"first_name": f"Nora{i}", "company": "Acme"}).id
                for i in range(3)]
    # no address and no company: held for the address, which is what stops it
    bare = app.leads.create({"first_name": "Bare"}).id
    no_company = app.leads.create({"first_name": "Cy", "email": "cy@example.org"}).id
    flagged = app.leads.create({"email": "no@example.org", "do_not_contact": True}).id
    plan = app.compose.plan("email", [*ok, *no_email, bare, no_company, flagged], **BODY)
    quote = plan.quote
    assert (quote.recipients, quote.to_send, quote.now, quote.later) == (8, 2, 2, ())
    held = {r.reason: r.count for r in quote.held}
    assert held["the lead has no email address"] == 4
    assert [n for reason, n in held.items() if reason.startswith("missing company")] == [1]
    assert quote.blocked_count == 1
    assert quote.credits == 2 * quote.price_each == app.credits.quote("email", 2).cost
    assert any("4: the lead has no email address" in line for line in quote.lines())


def test_a_daily_cap_sends_the_rest_when_it_resets(harness):
    app = harness.app
    mailbox = app.integrations.add("email", "small", {
        "host": "127.0.0.1", "port": 2525, "security": "none",
        "from_address": "rep@example.com", "daily_cap": 4})
    now = dt.datetime.now(dt.UTC)
    with app.store.write() as session:  # one sent today already
        session.add(SendCounter(scope=f"integration:{mailbox.id}",
                                period=now.strftime("d%Y-%m-%d"), count=1))
    first = app.compose.send("email", harness.leads(1, company="Acme"), via="small", **BODY)
    assert first.queued == 1  # queued ahead: it takes a place under the cap first
    plan = app.compose.plan("email", harness.leads(7, company="Acme"), via="small", **BODY)
    quote = plan.quote
    assert (quote.to_send, quote.now, quote.later_count) == (7, 2, 5)
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert [(b.count, b.at, b.cap) for b in quote.later] == [
        (4, tomorrow, "the daily cap of 4 on 'small'"),
        (1, tomorrow + dt.timedelta(days=1), "the daily cap of 4 on 'small'")]
    assert "the daily cap of 4 on 'small' is used up" in "\n".join(quote.lines())


def test_spread_over_an_hourly_and_a_daily_cap():
    now = dt.datetime(2026, 12, 5, 22, 30, tzinfo=dt.UTC)
    hourly, daily = Cap("integration:x", "hour", 3), Cap("integration:x", "day", 5)
    windows = spread(8, [hourly, daily], {daily: 1}, now)
    assert [(w.count, w.at.strftime("%d %H:%M"), w.cap) for w in windows] == [
        (3, "05 22:30", None), (1, "05 23:00", hourly), (3, "06 00:00", daily),
        (1, "06 01:00", hourly)]
    assert [w.count for w in spread(4, [], {}, now)] == [4]


def test_commit_charges_what_the_quote_says(harness, states):
    app = harness.app
    plan = app.compose.plan("email", harness.leads(3, company="Acme"), **BODY)
    result = app.compose.commit(plan)
    with app.store.read() as session:
        costs = [m.cost for m in session.scalars(select(Message))]
    assert sum(costs) == plan.quote.credits == result.total_cost
    assert states() == {"queued": 3}


def test_saved_views_by_owner_campaign_and_date_and_the_campaign_is_recorded(harness):
    app = harness.app
    campaign = app.campaigns.create({"name": "Winter"})
    inside = harness.leads(2, campaign_id=campaign.id, company="Acme")
    harness.leads(2, company="Acme")  # not in the campaign
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    app.saved_views.save("winter", LeadQuery(campaign_ids=(campaign.id,),
                                             owner_ids=(app.ctx.actor.id,),
                                             created_from=since))
    audience = app.compose.view_audience("winter")
    assert sorted(audience.lead_ids) == sorted(inside)
    assert audience.campaign_id == campaign.id
    assert sorted(app.compose.leads_in_view("winter")) == sorted(inside)
    plan = app.compose.plan("email", audience.lead_ids, campaign_id=audience.campaign_id, **BODY)
    app.compose.commit(plan)
    with app.store.read() as session:
        rows = list(session.scalars(select(Message)))
    assert {m.campaign_id for m in rows} == {campaign.id}
    assert {m.state for m in rows} == {MessageState.QUEUED}


def test_a_scheduled_send_is_quoted_for_its_time(harness):
    app = harness.app
    at = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    plan = app.compose.plan("email", harness.leads(2, company="Acme"), at=at, **BODY)
    quote = plan.quote
    assert (quote.now, [(b.count, b.at, b.why) for b in quote.later]) == (0, [(2, at, "scheduled")])
    result = app.compose.commit(plan)  # at the time it was quoted for
    with app.store.read() as session:
        assert {m.scheduled_at for m in session.scalars(select(Message))} == {at}
    assert result.queued == 2
